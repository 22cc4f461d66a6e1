"""The diagnostics sink shared by the resolver and the type checker, and "did you mean" hints."""

from __future__ import annotations

import difflib
from typing import Iterable

from ._span import Span
from .diagnostics import Diagnostic


class Reporter:
    """Collects diagnostics; checking goes on after each one so a run reports them all."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, hint))

    warning = error  # the code (W4xx) decides the severity


def did_you_mean(name: str, candidates: Iterable[str], fallback: str | None = None) -> str | None:
    """A hint naming the closest candidate, or `fallback` when none is close."""
    pool = sorted({c for c in candidates if c != name and not c.startswith("<")})
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f"did you mean `{close[0]}`?" if close else fallback


def listing(names: object) -> str:
    items = [f"`{n}`" for n in names]  # type: ignore[attr-defined]
    return ", ".join(items) if items else "none"


__all__ = ["Reporter", "did_you_mean", "listing"]
