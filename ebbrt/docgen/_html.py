"""Pages as static HTML: no script, no web fonts, nothing fetched; the site works offline.

Each page has a masthead, a sidebar (this page's contents, then every Ebb) and the page itself.
Every piece of text goes through `escape`; the only markup that is not built here is the SVG of
protocol diagrams, which `_svg` builds from escaped names.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Iterable

from ._model import (Block, BulletList, Code, CodeBlock, Element, Emph, Figure, Inline, Item,
                     Note, Page, Para, Ref, Section, Table, Tag, Target, Text)

EXTENSION = ".html"
STYLESHEET = "style.css"


@dataclass(frozen=True)
class SiteNav:
    """What every page's sidebar lists: the index and each Ebb page (label, stem)."""
    title: str
    index_stem: str
    ebbs: tuple[tuple[str, str], ...]


def render_html(page: Page, nav: SiteNav) -> str:
    return _Writer(page.stem).page(page, nav)


def _text(s: str) -> str:
    return escape(s, quote=False)


def _attr(s: str) -> str:
    return escape(s, quote=True)


class _Writer:
    def __init__(self, stem: str) -> None:
        self.stem = stem

    def href(self, target: Target) -> str:
        return target.href_from(self.stem, EXTENSION)

    def link(self, text: str, target: Target | None) -> str:
        if target is None:
            return _text(text)
        return f'<a href="{_attr(self.href(target))}">{_text(text)}</a>'

    # -- inline ----------------------------------------------------------------------
    def inline(self, line: Iterable[Inline]) -> str:
        return "".join(self._one(i) for i in line)

    def _one(self, i: Inline) -> str:
        if isinstance(i, Text):
            return _text(i.text)
        if isinstance(i, Code):
            return "<code>" + self.code_parts(i.parts) + "</code>"
        if isinstance(i, Ref):
            return self.link(i.text, i.target)
        if isinstance(i, Emph):
            return f"<em>{_text(i.text)}</em>"
        if isinstance(i, Tag):
            return f' <span class="tag">{_text(i.text)}</span>'
        if isinstance(i, Note):
            return f' <span class="note">— {self.inline(i.content)}</span>'
        raise TypeError(f"bug: no HTML for {type(i).__name__}")

    def code_line(self, parts: tuple[str | Ref, ...]) -> str:
        """A line of a code block; a `//` comment line is set apart."""
        text = self.code_parts(parts)
        if parts and isinstance(parts[0], str) and parts[0].lstrip().startswith("//"):
            indent = len(parts[0]) - len(parts[0].lstrip())
            return f'{text[:indent]}<span class="comment">{text[indent:]}</span>'
        return text

    def code_parts(self, parts: Iterable[str | Ref]) -> str:
        return "".join(_text(p) if isinstance(p, str) else self.link(p.text, p.target)
                       for p in parts)

    # -- page ------------------------------------------------------------------------
    def page(self, page: Page, nav: SiteNav) -> str:
        title = page.title if page.kind == "index" else f"{page.title} — {nav.title}"
        body = "\n".join(self.block(b) for b in page.blocks)
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_text(title)}</title>",
            f'<link rel="stylesheet" href="{STYLESHEET}">',
            "</head>",
            f'<body class="page-{page.kind}">',
            f'<header class="masthead"><a href="{nav.index_stem}{EXTENSION}">'
            f"{_text(nav.title)}</a></header>",
            '<div class="layout">',
            self.sidebar(page, nav),
            f'<main id="content">\n<h1>{self.inline(page.heading)}</h1>\n{body}\n</main>',
            "</div>",
            "</body>",
            "</html>",
        ]) + "\n"

    def sidebar(self, page: Page, nav: SiteNav) -> str:
        parts = ['<nav class="sidebar" aria-label="Contents">']
        toc = self.contents(page.blocks, 2)
        if toc:
            parts += ['<h2>On this page</h2>', toc]
        parts.append("<h2>Ebbs</h2>")
        parts.append("<ul>")
        for label, stem in nav.ebbs:
            current = ' aria-current="page"' if stem == page.stem else ""
            parts.append(f'<li><a href="{_attr(stem + EXTENSION)}"{current}>'
                         f"{_text(label)}</a></li>")
        parts.append("</ul>")
        parts.append(f'<p class="to-index"><a href="{nav.index_stem}{EXTENSION}">'
                     "Index of all types</a></p>")
        parts.append("</nav>")
        return "\n".join(parts)

    def contents(self, blocks: Iterable[Block], level: int) -> str:
        entries = []
        for b in blocks:
            if isinstance(b, Section) and b.level == level:
                inner = self.contents(b.blocks, level + 1) if level == 2 else ""
                entries.append(f'<li><a href="#{_attr(b.anchor)}">{_text(b.toc_label)}</a>'
                               f"{inner}</li>")
        return f"<ul>{''.join(entries)}</ul>" if entries else ""

    # -- blocks ----------------------------------------------------------------------
    def block(self, b: Block) -> str:
        if isinstance(b, Para):
            css = f' class="{_attr(b.css)}"' if b.css else ""
            return f"<p{css}>{self.inline(b.content)}</p>"
        if isinstance(b, Element):
            return self.element(b)
        if isinstance(b, BulletList):
            css = f' class="{_attr(b.css)}"' if b.css else ""
            return self.items(b.items, css)
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, CodeBlock):
            lines = "\n".join(self.code_line(line) for line in b.lines)
            return f'<pre class="{_attr(b.css)}"><code>{lines}</code></pre>'
        if isinstance(b, Figure):
            return (f'<figure class="diagram">\n{b.svg}<figcaption>{self.inline(b.caption)} '
                    f'<a class="download" href="{_attr(b.file)}">SVG</a></figcaption>\n'
                    "</figure>")
        if isinstance(b, Section):
            return self.section(b)
        raise TypeError(f"bug: no HTML for {type(b).__name__}")

    def element(self, e: Element) -> str:
        label = f'<span class="label">{_text(e.label)}:</span>'
        css = f"element {e.css}"
        if e.inline:
            return f'<p class="{_attr(css)}">{label} {self.inline(e.items[0].content)}</p>'
        lead = f" {self.inline(e.lead)}" if e.lead else ""
        return (f'<div class="{_attr(css)}"><p>{label}{lead}</p>\n'
                f"{self.items(e.items)}</div>")

    def items(self, items: Iterable[Item], css: str = "") -> str:
        lis = []
        for item in items:
            detail = (f'<br><span class="detail">{self.inline(item.detail)}</span>'
                      if item.detail else "")
            children = f"\n{self.items(item.children)}" if item.children else ""
            lis.append(f"<li>{self.inline(item.content)}{detail}{children}</li>")
        return f"<ul{css}>\n" + "\n".join(lis) + "\n</ul>"

    def table(self, t: Table) -> str:
        css = f' class="{_attr(t.css)}"' if t.css else ""
        head = "".join(f"<th>{_text(c)}</th>" for c in t.columns)
        rows = []
        for row in t.rows:
            ident = f' id="{_attr(row.anchor)}"' if row.anchor else ""
            cells = "".join(f"<td>{self.inline(cell)}</td>" for cell in row.cells)
            rows.append(f"<tr{ident}>{cells}</tr>")
        return (f"<table{css}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
                + "\n".join(rows) + "\n</tbody>\n</table>")

    def section(self, s: Section) -> str:
        h = f"h{min(s.level, 6)}"
        css = f' class="{_attr(s.css)}"' if s.css else ""
        heading = (f'<{h}>{self.inline(s.title)}<a class="self" href="#{_attr(s.anchor)}" '
                   f'aria-label="link to this section">§</a></{h}>')
        body = "\n".join(self.block(b) for b in s.blocks)
        return f'<section id="{_attr(s.anchor)}"{css}>\n{heading}\n{body}\n</section>'

