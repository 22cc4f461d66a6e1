"""Helpers for the docs tests: the sample specs, and a small DOM over the generated HTML
(the standard library parses HTML but builds no tree)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator

from ebbrt.spec import ast as A
from ebbrt.spec import parse_text

HERE = Path(__file__).parent
SAMPLES = HERE / "samples"
SNAPSHOTS = HERE / "snapshots"

_BLOCKS = {"br", "dd", "div", "dt", "figcaption", "figure", "h1", "h2", "h3", "h4", "li", "p",
           "pre", "section", "table", "td", "th", "tr", "ul"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


def parse_samples() -> list[A.Module]:
    """The sample specs, parsed; each module is known by its file name."""
    modules = []
    for path in sorted(SAMPLES.glob("*.ebb")):
        module, diagnostics = parse_text(path.read_text(encoding="utf-8"), path.name)
        assert module is not None and not diagnostics, f"{path.name} does not parse: {diagnostics}"
        modules.append(module)
    return modules


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        """The text inside, whitespace collapsed; blocks and cells are set apart by a space
        (like the browser's innerText, roughly)."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag in _BLOCKS:
                parts.append(f" {child.text()} ")
            else:
                parts.append(child.text())
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self) -> Iterator["Node"]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, match: Callable[["Node"], bool]) -> list["Node"]:
        return [n for n in self.iter() if match(n)]

    def by_id(self, ident: str) -> "Node":
        found = self.find_all(lambda n: n.attrs.get("id") == ident)
        assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
        return found[0]

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def section_text(page: Node, anchor: str) -> str:
    return page.by_id(anchor).text()


def elements(section: Node) -> list[tuple[str, str]]:
    """The labelled paragraphs of an operation's section, in order: (label, text)."""
    found = []
    for node in section.children:
        if isinstance(node, Node) and node.has_class("element"):
            label = node.find_all(lambda n: n.has_class("label"))[0].text().rstrip(":")
            found.append((label, node.text()))
    return found
