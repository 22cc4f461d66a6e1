"""Source locations. Every AST node and every diagnostic carries a `Span`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open region of one source file; lines and columns count from 1."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0  # character offsets into the file's text
    end: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to(self, other: "Span") -> "Span":
        """The span from the start of this one to the end of `other`."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column,
                    self.start, other.end)


NO_SPAN = Span("<builtin>", 0, 0, 0, 0)
