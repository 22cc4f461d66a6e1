"""The site as a whole: every link resolves, every SVG is well-formed and legible, the site works
offline, and the same specs always give byte-identical files."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from docgen_helpers import parse_html

from ebbrt.docgen import generate_docs
from ebbrt.docgen._svg import CHAR_W, LABEL_SIZE, STATE_SIZE
from ebbrt.ebbs import library_specs
from ebbrt.spec import ast as A
from ebbrt.spec import parse_text

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).parents[2]
SITES = ["sample_site", "library_site"]


@pytest.fixture(params=SITES)
def site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def _html_ids(path: Path) -> set[str]:
    dom = parse_html(path.read_text(encoding="utf-8"))
    ids = [n.attrs["id"] for n in dom.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), f"duplicate ids in {path.name}"
    return set(ids)


def check_html_links(site: Path) -> int:
    """Assert every href and src of the HTML pages points to a file and anchor that exist;
    return how many were checked."""
    html = site / "html"
    ids = {p.name: _html_ids(p) for p in html.glob("*.html")}
    checked = 0
    for name in ids:
        dom = parse_html((html / name).read_text(encoding="utf-8"))
        for node in dom.iter():
            for attr in ("href", "src"):
                if attr not in node.attrs:
                    continue
                ref = node.attrs[attr]
                assert not re.match(r"[a-z]+:|//", ref), f"{name}: external reference {ref}"
                file, _, anchor = ref.partition("#")
                file = unquote(file) or name
                assert (html / file).is_file(), f"{name}: {ref} points to a missing file"
                if anchor:
                    assert anchor in ids[file], f"{name}: {ref} points to a missing anchor"
                checked += 1
    return checked


def check_markdown_links(site: Path) -> int:
    """The same for the links and images of the Markdown pages."""
    md = site / "md"
    ids = {p.name: set(re.findall(r'<a id="([^"]+)"></a>', p.read_text(encoding="utf-8")))
           for p in md.glob("*.md")}
    checked = 0
    for name in ids:
        text = (md / name).read_text(encoding="utf-8")
        for ref in re.findall(r"\]\(([^)\s]+)\)", text):
            assert not re.match(r"[a-z]+:|//", ref), f"{name}: external reference {ref}"
            file, _, anchor = ref.partition("#")
            target = (md / file) if file else (md / name)
            assert target.is_file(), f"{name}: {ref} points to a missing file"
            if anchor:
                assert anchor in ids[target.name], f"{name}: {ref} points to a missing anchor"
            checked += 1
    return checked


def test_html_links_resolve(site: Path) -> None:
    assert check_html_links(site) > 50


def test_markdown_links_resolve(site: Path) -> None:
    assert check_markdown_links(site) > 50


@pytest.mark.parametrize("corpus", ["tests/spec/golden/good", "tests/spec/golden/bad",
                                    "docs/examples"])
def test_any_parsed_spec_is_documented(tmp_path: Path, corpus: str) -> None:
    """`generate_docs` takes whatever parses, even specs the checker rejects (unknown names,
    bad protocols): it must not fail, and its links must still resolve."""
    folder = REPO / corpus
    modules = []
    for path in sorted(folder.glob("*.ebb")):
        module, _ = parse_text(path.read_text(encoding="utf-8"), path.name)
        if module is not None:
            modules.append(module)
    assert modules, f"no parseable spec in {corpus}"
    generate_docs(modules, tmp_path)
    assert check_html_links(tmp_path) > 0 and check_markdown_links(tmp_path) > 0
    for svg in (tmp_path / "html").glob("*.svg"):
        ET.parse(svg)


def test_site_works_offline(site: Path) -> None:
    for path in (site / "html").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and "@import" not in text, path.name
        assert not re.search(r"(?:href|src)=\"(?:https?:)?//", text), path.name
    css = (site / "html" / "style.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css


# ---------------------------------------------------------------------------- diagrams

def _svgs(site: Path) -> list[tuple[str, ET.Element]]:
    """Every diagram: the .svg files, and the SVG embedded in each HTML page."""
    found = [(p.name, ET.parse(p).getroot()) for p in sorted((site / "html").glob("*.svg"))]
    for path in sorted((site / "html").glob("*.html")):
        for i, svg in enumerate(re.findall(r"<svg .*?</svg>", path.read_text(encoding="utf-8"),
                                           re.S)):
            found.append((f"{path.name}#{i}", ET.fromstring(svg)))
    return found


def test_svg_well_formed_and_embedded(site: Path) -> None:
    files = sorted((site / "html").glob("*.svg"))
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").startswith('<?xml version="1.0"')
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg"
        ebb = path.stem.split("-")[0]
        page = (site / "html" / f"{ebb}.html").read_text(encoding="utf-8")
        inline = path.read_text(encoding="utf-8").split("\n", 1)[1]
        assert inline in page, f"{path.name} is not embedded in {ebb}.html"
    assert len(_svgs(site)) == 2 * len(files)


def _boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """Estimated boxes (text, left, top, right, bottom) of every label and state."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size", LABEL_SIZE))
        width = len(text.text or "") * CHAR_W * size / LABEL_SIZE
        x, y = float(text.get("x", 0)), float(text.get("y", 0))
        boxes.append((text.text or "", x - width / 2, y - size * 0.8, x + width / 2,
                      y + size * 0.2))
    return boxes


def _points(d: str, steps: int = 40) -> list[tuple[float, float]]:
    """Points along an SVG path made of M, L, Q and C commands (absolute), as drawn here."""
    points: list[tuple[float, float]] = []
    pen = (0.0, 0.0)
    for command, args in re.findall(r"([MLQC])([^MLQC]*)", d):
        xy = [float(v) for v in re.findall(r"-?[\d.]+", args)]
        ctrl = [pen] + [(xy[i], xy[i + 1]) for i in range(0, len(xy), 2)]
        if command != "M":
            for k in range(steps + 1):
                t = k / steps
                n = len(ctrl) - 1  # a Bezier curve of degree n (1: a line)
                x = sum(math.comb(n, i) * (1 - t) ** (n - i) * t ** i * ctrl[i][0]
                        for i in range(n + 1))
                y = sum(math.comb(n, i) * (1 - t) ** (n - i) * t ** i * ctrl[i][1]
                        for i in range(n + 1))
                points.append((x, y))
        pen = ctrl[-1]
    return points


def test_svg_layout_is_legible(site: Path) -> None:
    for name, root in _svgs(site):
        _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
        states = root.findall(f"{SVG}g[@class='state']") + root.findall(
            f"{SVG}g[@class='state initial']")
        assert len(root.findall(f"{SVG}g[@class='state initial']")) == 1, name
        assert len(root.findall(f"{SVG}g[@class='initial-marker']")) == 1, name
        assert states and root.findall(f"{SVG}path[@class='transition']"), name
        boxes = _boxes(root)
        for text, left, top, right, bottom in boxes:
            assert 0 <= left and right <= width and 0 <= top and bottom <= height, (name, text)
        for a, b in itertools.combinations(boxes, 2):
            overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
            assert not overlap, f"{name}: labels {a[0]!r} and {b[0]!r} overlap"
        labels = [b for b in boxes if b[0] not in {t.text for s in states
                                                    for t in s.iter(f"{SVG}text")}]
        for path in root.iter(f"{SVG}path"):  # no line runs through a label
            for x, y in _points(path.get("d", "")):
                for text, left, top, right, bottom in labels:
                    inside = left + 1 < x < right - 1 and top + 1 < y < bottom - 1
                    assert not inside, f"{name}: a line runs through label {text!r}"
        for rect in root.iter(f"{SVG}rect"):  # no transition label inside a state's box
            x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
            w, h = float(rect.get("width", 0)), float(rect.get("height", 0))
            for text, left, top, right, bottom in boxes:
                inside_x = left < x + w and x < right
                inside_y = top < y + h and y < bottom
                is_state_name = abs((left + right) / 2 - (x + w / 2)) < 1 and inside_y
                assert is_state_name or not (inside_x and inside_y), (name, text)
    assert STATE_SIZE > LABEL_SIZE


def test_svg_lists_every_transition(sample_site: Path) -> None:
    root = ET.parse(sample_site / "html" / "Store-Ticket.svg").getroot()
    labels = {t.text for t in root.findall(f"{SVG}text[@class='transition']")}
    assert len(root.findall(f"{SVG}path[@class='transition']")) == 10  # one per pair of states
    assert labels == {"submit", "replicated", "ack", "retry", "cancel", "check"}
    states = [t.text for g in root.iter(f"{SVG}g") if "state" in g.get("class", "").split()
              for t in g.iter(f"{SVG}text")]
    assert states == ["Issued", "Pending", "Replicated", "Acked", "Closed"]
    hook = ET.parse(sample_site / "html" / "Timer-Hook.svg").getroot()
    merged = [t.text for t in hook.findall(f"{SVG}text[@class='transition']")]
    assert merged == ["start", "stop, fire", "fire"]  # Armed -> Idle by stop or by fire


# ---------------------------------------------------------------------------- output

def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_deterministic(tmp_path: Path, sample_modules: list[A.Module]) -> None:
    first = generate_docs(sample_modules, tmp_path / "a")
    generate_docs(sample_modules, tmp_path / "b")
    generate_docs(list(reversed(sample_modules)), tmp_path / "c")
    a, b, c = (_files(tmp_path / d) for d in "abc")
    assert a == b == c
    assert [p.relative_to(tmp_path / "a").as_posix() for p in first] == list(
        dict.fromkeys(p.relative_to(tmp_path / "a").as_posix() for p in first))
    assert set(a) == {p.relative_to(tmp_path / "a").as_posix() for p in first}


def test_formats(tmp_path: Path, sample_modules: list[A.Module]) -> None:
    md = {p.relative_to(tmp_path / "md").as_posix()
          for p in generate_docs(sample_modules, tmp_path / "md", formats=("md",))}
    assert any(n.endswith("md/Timer.md") for n in md)
    assert not any(n.endswith(".html") or n.endswith(".css") for n in md)
    assert "html/Timer-Hook.svg" in md  # the Markdown pages show it
    html = {p.relative_to(tmp_path / "html").as_posix()
            for p in generate_docs(sample_modules, tmp_path / "html", formats=("html",))}
    assert {"html/index.html", "html/Timer.html", "html/style.css"} <= html
    assert not any(n.endswith(".md") for n in html)
    with pytest.raises(ValueError, match="unknown docs format 'pdf'"):
        generate_docs(sample_modules, tmp_path / "x", formats=("pdf",))


def test_accepts_check_result_modules(tmp_path: Path, sample_modules: list[A.Module]) -> None:
    by_path = {m.path: m for m in sample_modules}
    generate_docs(by_path, tmp_path / "a")
    generate_docs(sample_modules, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_every_bundled_ebb_has_a_page(library_site: Path) -> None:
    for path in library_specs():
        module, _ = parse_text(path.read_text(encoding="utf-8"), path.name)
        assert module is not None
        for ebb in module.ebbs:
            assert (library_site / "md" / f"{ebb.name.text}.md").is_file()
            assert (library_site / "html" / f"{ebb.name.text}.html").is_file()
