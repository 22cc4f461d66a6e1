"""Where a command's report goes: standard output, or `-o FILE` with the summary line on
standard error (shared by `ebb prove`, `ebb verify` and `ebb test`)."""

from __future__ import annotations

import sys
from typing import IO, Callable

from . import EXIT_USAGE

Write = Callable[[IO[str], bool | None], None]  # (out, terminal) -> None


def emit_report(command: str, output: str | None, write: Write, summary: Callable[[], str],
                status: int) -> int:
    """Write the report with `write`; return `status`, or EXIT_USAGE if FILE cannot be written."""
    if not output:
        write(sys.stdout, None)
        return status
    try:
        with open(output, "w", encoding="utf-8") as out:
            write(out, False)
    except OSError as exc:
        print(f"{command}: cannot write `{output}`: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(), file=sys.stderr)
    return status


__all__ = ["emit_report"]
