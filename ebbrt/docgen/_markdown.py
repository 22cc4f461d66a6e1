"""Pages as CommonMark (with GitHub's tables): readable as text, and linked when rendered.

Linked type names inside code print as a run of code spans with the names as linked spans
(`` `map<`[`Hook`](#type-Hook)`, Arm>` ``), which every CommonMark renderer shows as code.
Anchors are empty `<a id>` elements at the start of headings and table rows, so links into a
page do not depend on how a renderer derives ids from heading text.
"""

from __future__ import annotations

import re
from typing import Iterable

from ._model import (Block, BulletList, Code, CodeBlock, Element, Emph, Figure, Inline, Item,
                     Line, Note, Page, Para, Ref, Section, Table, Tag, Target, Text)

EXTENSION = ".md"
FIGURE_DIR = "../html"  # SVG drawings are saved beside the HTML pages

_SPECIAL = re.compile(r"[\\`*\[\]<]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")


def render_markdown(page: Page) -> str:
    out = _Writer(page.stem)
    return out.page(page)


def _escape(text: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _code_span(text: str, in_table: bool) -> str:
    if in_table:
        text = text.replace("|", "\\|")
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (ticks + 1)
    if ticks or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "  # CommonMark strips one space from each side of such a span
    return f"{fence}{text}{fence}"


class _Writer:
    def __init__(self, stem: str) -> None:
        self.stem = stem

    def href(self, target: Target) -> str:
        return target.href_from(self.stem, EXTENSION)

    # -- inline ----------------------------------------------------------------------
    def inline(self, line: Iterable[Inline], in_table: bool = False) -> str:
        return "".join(self._one(i, in_table) for i in line)

    def _one(self, i: Inline, in_table: bool) -> str:
        if isinstance(i, Text):
            return _escape(i.text)
        if isinstance(i, Code):
            return self.code(i, in_table)
        if isinstance(i, Ref):
            if i.target is None:
                return _escape(i.text)
            return f"[{_escape(i.text)}]({self.href(i.target)})"
        if isinstance(i, Emph):
            return f"*{_escape(i.text)}*"
        if isinstance(i, Tag):
            return f" *{_escape(i.text)}*"
        if isinstance(i, Note):
            return " — " + self.inline(i.content, in_table)
        raise TypeError(f"bug: no Markdown for {type(i).__name__}")

    def code(self, c: Code, in_table: bool) -> str:
        pieces: list[str] = []
        buffer = ""
        for part in c.parts:
            if isinstance(part, Ref) and part.target is not None:
                if buffer:
                    pieces.append(_code_span(buffer, in_table))
                    buffer = ""
                pieces.append(f"[{_code_span(part.text, in_table)}]({self.href(part.target)})")
            else:
                buffer += part if isinstance(part, str) else part.text
        if buffer:
            pieces.append(_code_span(buffer, in_table))
        return "".join(pieces)

    # -- blocks ----------------------------------------------------------------------
    def page(self, page: Page) -> str:
        parts = [f"# {self.inline(page.heading)}"]
        parts += [self.block(b) for b in page.blocks]
        return "\n\n".join(parts) + "\n"

    def block(self, b: Block) -> str:
        if isinstance(b, Para):
            return self.paragraph(b.content)
        if isinstance(b, Element):
            return self.element(b)
        if isinstance(b, BulletList):
            return self.items(b.items)
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, CodeBlock):
            return self.code_block(b)
        if isinstance(b, Figure):
            return (f"![{_escape(b.alt)}]({FIGURE_DIR}/{b.file})\n\n"
                    f"{self.paragraph(b.caption)}")
        if isinstance(b, Section):
            return self.section(b)
        raise TypeError(f"bug: no Markdown for {type(b).__name__}")

    def paragraph(self, line: Line) -> str:
        text = self.inline(line)
        return "\\" + text if _BLOCK_START.match(text) else text

    def element(self, e: Element) -> str:
        label = f"*{e.label}:*"
        if e.inline:
            return f"{label} {self.inline(e.items[0].content)}"
        head = f"{label} {self.inline(e.lead)}" if e.lead else label
        return f"{head}\n\n{self.items(e.items)}"

    def items(self, items: Iterable[Item], depth: int = 0) -> str:
        lines = []
        for item in items:
            lines.append(f"{'  ' * depth}- {self.inline(item.content)}")
            if item.detail:
                lines.append(f"{'  ' * (depth + 1)}{self.inline(item.detail)}")
            if item.children:
                lines.append(self.items(item.children, depth + 1))
        return "\n".join(lines)

    def table(self, t: Table) -> str:
        lines = ["| " + " | ".join(t.columns) + " |",
                 "|" + "|".join(" --- " for _ in t.columns) + "|"]
        for row in t.rows:
            cells = [self.inline(cell, in_table=True).replace("\n", " ") for cell in row.cells]
            if row.anchor:
                cells[0] = f'<a id="{row.anchor}"></a>{cells[0]}'
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def code_block(self, c: CodeBlock) -> str:
        text = "\n".join("".join(p if isinstance(p, str) else p.text for p in line)
                         for line in c.lines)
        ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, ticks + 1)
        return f"{fence}{c.language}\n{text}\n{fence}"

    def section(self, s: Section) -> str:
        heading = f"{'#' * s.level} <a id=\"{s.anchor}\"></a>{self.inline(s.title)}"
        return "\n\n".join([heading, *(self.block(b) for b in s.blocks)])
