"""The human report of a prover run, printed with rich.

Every result that is not a proof comes first, in obligation order, shaped like a diagnostic:

    timer.ebb:31:3: refuted: `start` breaks invariant `real_cores` [invariant_preserved]
       31 |   op start(hook: Hook, timeout: duration, repeat: bool)
          |   ^~~~~~~~
      obligation: Timer.start.invariant_preserved.real_cores
      counterexample:
        hook = h1, timeout = 5us, repeat = false
        now = 0us, this_core = 3
                 before   after
        armed    {}       {h1 -> Arm{due: 5us, period: 0us, core: 3}}

then a table of outcomes per Ebb and a one-line summary. Spec text is printed as plain text,
never as rich markup (`old(armed)[h := v]` would read as a style tag). While a long run is
under way on a terminal, `ProgressBar` shows how far it got.
"""

from __future__ import annotations

import io
from typing import IO, Mapping

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn)
from rich.table import Table
from rich.text import Text

from ..spec._span import Span
from ._result import Counterexample, Result
from ._runner import OUTCOMES, ProveReport, outcome

# Not on a terminal, lines are as long as they need to be (a counterexample value is not folded
# in two) and nothing depends on $COLUMNS.
PLAIN_WIDTH = 1000
PROGRESS_MIN = 10  # show a progress bar when at least this many obligations go to the solver

_STYLE = {"proved": "green", "tested": "cyan", "refuted": "bold red", "unknown": "yellow", "skipped": "yellow",
          "warnings": "magenta", "warning": "magenta"}


def console_for(file: IO[str], terminal: bool | None = None) -> Console:
    """A console writing to `file`: colours and the real width on a terminal (where wide
    tables fold their cells), else plain text PLAIN_WIDTH columns wide. Lines of text are never
    wrapped."""
    is_tty = file.isatty() if terminal is None else terminal
    if is_tty:
        return Console(file=file, highlight=False, soft_wrap=True, force_terminal=True)
    return Console(file=file, highlight=False, force_terminal=False, no_color=True,
                   width=PLAIN_WIDTH, soft_wrap=True)


def write_report(report: ProveReport, file: IO[str], sources: Mapping[str, str] | None = None,
                 terminal: bool | None = None) -> None:
    """The report on `file`: in colour on a terminal, else as plain text without trailing
    blanks (rich pads table cells), so it can be diffed and pasted into docs."""
    if file.isatty() if terminal is None else terminal:
        print_report(report, console_for(file, terminal=True), sources)
        return
    buffer = io.StringIO()
    print_report(report, console_for(buffer, terminal=False), sources)
    file.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def render_text(report: ProveReport, sources: Mapping[str, str] | None = None) -> str:
    """The report as plain text (what `write_report` writes to a file or a pipe)."""
    out = io.StringIO()
    write_report(report, out, sources, terminal=False)
    return out.getvalue()


def print_report(report: ProveReport, console: Console,
                 sources: Mapping[str, str] | None = None) -> None:
    """Print the problems, the per-Ebb table and the summary line."""
    for result in report.problems:
        print_result(result, console, (sources or {}).get(result.span.file))
        console.print()
    if report.results:
        console.print(summary_table(report))
    console.print(Text(summary_line(report)))
    for note in notes(report):
        console.print(Text(note))


def headline(result: Result) -> Text:
    """`file:line:col: refuted: message [kind]`."""
    label = outcome(result)
    label = "warning" if label == "warnings" else label
    text = Text(f"{result.span}: ")
    text.append(label, style=_STYLE.get(label, ""))
    text.append(f": {result.message} [{result.kind}]")
    return text


def print_result(result: Result, console: Console, source: str | None = None) -> None:
    console.print(headline(result))
    for line in excerpt(result.span, source):
        console.print(Text(line))
    console.print(Text(f"  obligation: {result.obligation}"))
    if result.reason:
        console.print(Text(f"  reason: {result.reason}"))
    for name, value in result.details:
        if "\n" not in value:
            console.print(Text(f"  {name}: {value}"))
            continue
        console.print(Text(f"  {name}:"))  # a script or a message: indented, line by line
        for line in value.splitlines():
            console.print(Text(f"    {line}"))
    if result.counterexample is not None:
        console.print(Text("  counterexample:"))
        for line in _given(result.counterexample):
            console.print(Text("    " + line))
        table = state_table(result.counterexample)
        if table is not None:
            console.print(table)


def excerpt(span: Span, source: str | None) -> list[str]:
    """The span's first line with a `^~~~` underline, as in diagnostics."""
    if source is None or span.line < 1:
        return []
    lines = source.splitlines()
    if span.line > len(lines):
        return []
    text = lines[span.line - 1].expandtabs(1)
    shown = text if len(text) <= 200 else text[:200] + "…"
    start = min(max(span.column - 1, 0), len(shown))
    width = span.end_column - span.column if span.end_line == span.line else len(text) - start
    width = max(min(width, len(shown) - start), 1)
    return [f"{span.line:>5} | {shown}", " " * 5 + " | " + " " * start + "^" + "~" * (width - 1)]


def _given(cex: Counterexample) -> list[str]:
    return [", ".join(f"{name} = {value}" for name, value in pairs)
            for pairs in (cex.args, cex.env) if pairs]


def state_table(cex: Counterexample) -> Padding | None:
    """The model before and after, side by side; None when the counterexample has no state."""
    pre, post = dict(cex.pre), dict(cex.post)
    if not pre and not post:
        return None
    names = list(pre) + [n for n in post if n not in pre]
    table = Table(box=None, padding=(0, 3, 0, 0), pad_edge=False, show_edge=False,
                  header_style="bold")
    table.add_column("", no_wrap=True)
    columns = [("before", pre)] * bool(pre) + [("after", post)] * bool(post)
    for title, _ in columns:
        table.add_column(title, overflow="fold")
    for name in names:
        table.add_row(Text(name), *(Text(values.get(name, "")) for _, values in columns))
    return Padding(table, (0, 0, 0, 4))  # under "counterexample:", like the lines above


def summary_table(report: ProveReport) -> Table:
    """proved / refuted / unknown / skipped / warnings for each Ebb, and the total."""
    table = Table(box=box.SIMPLE, show_edge=False, header_style="bold", pad_edge=False,
                  show_footer=len(report.by_ebb()) > 1)
    totals = report.counts
    shown = [name for name in OUTCOMES if name != "tested" or totals[name]]  # tested: if any
    table.add_column("ebb", footer="total")
    for name in shown:
        table.add_column(name, justify="right", footer=str(totals[name]))
    for ebb, counts in report.by_ebb().items():
        table.add_row(ebb, *(Text(str(counts[name]), style=_STYLE[name] if counts[name] and
                                  name != "proved" else "") for name in shown))
    return table


def summary_line(report: ProveReport) -> str:
    """`42 obligations: 40 proved, 1 refuted, 1 unknown (38 from the cache)`."""
    counts = report.counts
    n = len(report.results)
    parts = [f"{counts[name]} {name if name != 'warnings' or counts[name] != 1 else 'warning'}"
             for name in OUTCOMES if counts[name] or name == "proved"]
    line = f"{n} obligation{'s' * (n != 1)}: " + ", ".join(parts)
    if report.cache_dir is not None:
        line += f" ({report.from_cache} from the cache)"
    return line


def notes(report: ProveReport) -> list[str]:
    """What else the reader must know about the run itself."""
    found = []
    if report.cache_write_errors:
        found.append(f"note: the cache folder `{report.cache_dir}` could not be written; "
                     f"{report.cache_write_errors} result(s) not saved")
    if report.internal_errors:
        found.append(f"note: the prover failed on {report.internal_errors} obligation(s): a bug "
                     "in ebb, not in the specs (set EBB_TRACEBACK=1 to see the traceback)")
    return found


class ProgressBar:
    """A transient rich progress bar, shown only on a terminal and only when at least
    PROGRESS_MIN obligations go to the solver."""

    def __init__(self, console: Console, minimum: int = PROGRESS_MIN) -> None:
        self.console = console
        self.minimum = minimum
        self._progress: Progress | None = None
        self._task = None

    def start(self, total: int, done: int) -> None:
        if not self.console.is_terminal or total - done < self.minimum:
            return
        self._progress = Progress(
            TextColumn("proving"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[last]}", markup=False),
            console=self.console, transient=True)
        self._task = self._progress.add_task("prove", total=total, completed=done, last="")
        self._progress.start()

    def advance(self, result: Result) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, last=result.obligation)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


__all__ = ["PLAIN_WIDTH", "PROGRESS_MIN", "ProgressBar", "console_for", "excerpt", "headline",
           "print_report", "print_result", "render_text", "state_table", "summary_line",
           "summary_table", "write_report"]
