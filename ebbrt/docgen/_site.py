"""Build every page and write the site: Markdown under `md/`, HTML, CSS and SVG under `html/`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Union

from ..spec import ast as A
from ._ebb_page import ebb_page
from ._html import STYLESHEET, SiteNav, render_html
from ._index_page import INDEX_STEM, SITE_TITLE, decl_page, index_page
from ._links import SiteIndex
from ._markdown import render_markdown
from ._model import Page
from ._verdicts import clause_verdicts

FORMATS = ("md", "html")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def stylesheet() -> str:
    return resources.files(__package__).joinpath(STYLESHEET).read_text(encoding="utf-8")


def build_pages(modules: Iterable[A.Module]) -> list[Page]:
    """The index, one page per Ebb, one per top-level declaration."""
    site = SiteIndex(modules)
    return ([index_page(site)] + [ebb_page(e, site) for e in site.ebbs]
            + [decl_page(d, site) for d in site.decls])


def render_site(pages: list[Page], formats: Iterable[str] = FORMATS) -> dict[str, str]:
    """Every file of the site: relative path -> text, in a fixed order."""
    chosen = tuple(formats)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"unknown docs format {', '.join(map(repr, unknown)) or '(none)'}; "
                         f"choose from {', '.join(FORMATS)}")
    files: dict[str, str] = {}
    if "md" in chosen:
        for page in pages:
            files[f"md/{page.stem}.md"] = render_markdown(page)
    if "html" in chosen:
        nav = SiteNav(SITE_TITLE, INDEX_STEM,
                      tuple((p.title, p.stem) for p in pages if p.kind == "ebb"))
        for page in pages:
            files[f"html/{page.stem}.html"] = render_html(page, nav)
        files[f"html/{STYLESHEET}"] = stylesheet()
    for page in pages:  # referenced by the Markdown pages too, so written for either format
        for figure in page.all_figures():
            files[f"html/{figure.file}"] = XML_DECLARATION + figure.svg
    return files


def generate_docs(modules: Union[Iterable[A.Module], Mapping[str, A.Module]],
                  out_dir: Union[str, Path], *,
                  formats: Iterable[str] = FORMATS,
                  verdicts: Mapping[tuple[str, int, int], str] | None = None) -> list[Path]:
    """Write the reference docs of `modules` (parsed specs) under `out_dir`; return the files.

    `formats` picks `md` (`out_dir/md/<Ebb>.md`), `html` (`out_dir/html/<Ebb>.html`, `index.html`,
    `style.css`) or both. Protocol diagrams are saved as `out_dir/html/<Ebb>-<Protocol>.svg`.
    Modules are known by their `path` (a `CheckResult.modules` mapping works as is); a path given
    twice is documented once. The same modules always give byte-identical files; files already
    in `out_dir` that the site does not contain are left alone. `verdicts` (from
    `load_verdicts`) puts each clause's verdict beside it."""
    if isinstance(modules, Mapping):
        modules = modules.values()
    with clause_verdicts(verdicts or {}):
        pages = build_pages(modules)
    files = render_site(pages, formats)
    root = Path(out_dir)
    written = []
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written
