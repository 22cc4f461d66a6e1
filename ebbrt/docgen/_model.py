"""The page model: what a reference page says, independent of Markdown or HTML.

The page builders (`_ebb_page`, `_decl_pages`, `_index_page`) turn the checked AST into these
values; the renderers (`_markdown`, `_html`) turn them into text. Keeping the two apart means
both formats say exactly the same thing, and the wording lives in one place.

Inline content is a `Line`: a tuple of `Text` (prose), `Code` (monospace, possibly with linked
type names), `Ref` (a link), `Emph`, `Tag` (a small label such as the representative scope) and
`Note` (a doc string attached to a clause). Blocks are paragraphs, the labelled paragraphs of
the C++ standard (`Element`: "Preconditions: ..."), lists, tables, code blocks, figures and
sections.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Union


@dataclass(frozen=True)
class Target:
    """Where a declaration is documented: a page (by file stem) and an anchor on it."""
    page: str
    anchor: str = ""

    def href_from(self, page: str, extension: str) -> str:
        """The link to this target from `page`, whose files end in `extension`."""
        anchor = f"#{self.anchor}" if self.anchor else ""
        if self.page == page:
            return anchor or f"{self.page}{extension}"
        return f"{self.page}{extension}{anchor}"


@dataclass(frozen=True)
class Ref:
    """A name that links to its definition; `target` None prints plain (built-ins)."""
    text: str
    target: Target | None = None


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    """Monospace text; `Ref` parts become links to the named declarations."""
    parts: tuple[Union[str, Ref], ...]

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


@dataclass(frozen=True)
class Emph:
    text: str


@dataclass(frozen=True)
class Tag:
    """A short label set apart from the text: the scope in a title, `event`, `pure`."""
    text: str


@dataclass(frozen=True)
class Note:
    """A clause's doc string, printed after the clause it explains."""
    content: "Line"


Inline = Union[Text, Code, Ref, Emph, Tag, Note]
Line = tuple[Inline, ...]


def code(*parts: Union[str, Ref]) -> Code:
    """A `Code` with adjacent strings merged, so renderers see the fewest pieces."""
    merged: list[Union[str, Ref]] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        elif part != "":
            merged.append(part)
    return Code(tuple(merged))


def prose(text: str) -> Line:
    """A doc string as a line: `backticked` spans become code, the rest stays text."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unmatched backtick: keep the text as written
        return (Text(text),)
    line: list[Inline] = []
    for i, piece in enumerate(pieces):
        if i % 2:
            line.append(Code((piece,)))
        elif piece:
            line.append(Text(piece))
    return tuple(line)


def noted(line: Iterable["Inline"], doc: str | None, end: str = "") -> "Line":
    """A clause's line, then its doc string as a note beside it; without one, `end` closes the
    sentence."""
    if doc:
        return (*line, Note(prose(doc)))
    return (*line, Text(end)) if end else tuple(line)


def first_sentence(text: str | None) -> str:
    """The doc string's first sentence, for summaries in the index."""
    if not text:
        return ""
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            return text[: i + 1]
    return text


# ---------------------------------------------------------------------------- blocks

@dataclass(frozen=True)
class Para:
    content: Line
    css: str = ""


@dataclass(frozen=True)
class Item:
    """A list item: its line, an optional second paragraph, and sub-items."""
    content: Line
    children: tuple["Item", ...] = ()
    detail: Line = ()


@dataclass(frozen=True)
class BulletList:
    items: tuple[Item, ...]
    css: str = ""


@dataclass(frozen=True)
class Element:
    """A labelled paragraph of the C++ standard's library clauses ("Effects: ...").

    With one item and no lead it prints as one paragraph; otherwise the lead follows the label
    and the items form a list."""
    label: str
    css: str
    items: tuple[Item, ...]
    lead: Line = ()

    @property
    def inline(self) -> bool:
        only = self.items[0] if len(self.items) == 1 else None
        return not self.lead and only is not None and not only.children and not only.detail


@dataclass(frozen=True)
class Row:
    cells: tuple[Line, ...]
    anchor: str = ""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    css: str = ""


@dataclass(frozen=True)
class CodeBlock:
    """Source text (the synopsis); each line is a tuple of strings and linked names."""
    lines: tuple[tuple[Union[str, Ref], ...], ...]
    language: str = "ebb"
    css: str = "synopsis"


@dataclass(frozen=True)
class Figure:
    """An SVG drawing: inline in HTML, referenced by file from Markdown."""
    svg: str
    file: str  # name of the .svg file beside the HTML pages
    alt: str
    caption: Line


@dataclass(frozen=True)
class Section:
    title: Line
    anchor: str
    level: int  # 2 for a page's parts, 3 for an operation, a type, ...
    blocks: tuple["Block", ...]
    css: str = ""
    label: str = ""  # its entry in the HTML page's contents; empty: the title's text

    @property
    def toc_label(self) -> str:
        if self.label:
            return self.label
        return "".join(i.plain if isinstance(i, Code) else getattr(i, "text", "")
                       for i in self.title if not isinstance(i, (Tag, Note)))


Block = Union[Para, BulletList, Element, Table, CodeBlock, Figure, Section]


@dataclass(frozen=True)
class Page:
    stem: str  # file name without extension
    title: str  # plain text, for <title> and the navigation
    heading: Line
    blocks: tuple[Block, ...]
    kind: str = "ebb"  # ebb, decl or index

    def with_unique_anchors(self) -> "Page":
        """The page with repeated anchors (only a spec with duplicate declarations has them)
        renamed `a-2`, `a-3`, ...; links keep pointing at the first."""
        taken: set[str] = set()

        def unique(anchor: str) -> str:
            if not anchor:
                return anchor
            name, n = anchor, 2
            while name in taken:
                name, n = f"{anchor}-{n}", n + 1
            taken.add(name)
            return name

        def fix(block: Block) -> Block:
            if isinstance(block, Section):
                anchor = unique(block.anchor)
                return replace(block, anchor=anchor, blocks=tuple(fix(b) for b in block.blocks))
            if isinstance(block, Table):
                return replace(block, rows=tuple(replace(r, anchor=unique(r.anchor))
                                                 for r in block.rows))
            return block

        return replace(self, blocks=tuple(fix(b) for b in self.blocks))

    def all_figures(self) -> list[Figure]:
        found: list[Figure] = []
        stack: list[Block] = list(reversed(self.blocks))
        while stack:
            block = stack.pop()
            if isinstance(block, Figure):
                found.append(block)
            elif isinstance(block, Section):
                stack.extend(reversed(block.blocks))
        return found
