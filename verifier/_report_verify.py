"""The reports of `ebb verify` and `ebb test`: text (rich) and JSON. SARIF and JUnit are those
of `ebb prove`, over every engine's results (`VerifyReport.as_prove_report`).

The text report lists what is not established (with its counterexample or replayable script),
then, for each implementation, every clause and how it was established, then the per-Ebb table
and a summary line. The JSON report is `ebb prove`'s, with format `ebb-verify` and one more
member, `implementations`, holding each clause's combined verdict (the schema ships in
`verifier/schemas/ebb-verify-report.schema.json`).
"""

from __future__ import annotations

import io
import json
from typing import IO, Any, Mapping

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._report_json import report_dict
from ._report_text import _STYLE, console_for, notes, print_result, summary_line, summary_table
from ._result import Verdict
from ._verify import ImplementationReport, VerifyReport

FORMAT = "ebb-verify"
SCHEMA = "ebb-verify-report.schema.json"
_VERDICT_STYLE = {Verdict.PROVED: "green", Verdict.TESTED: "green", Verdict.UNKNOWN: "yellow",
                  Verdict.SKIPPED: "yellow", Verdict.REFUTED: "bold red"}


def write_verify_report(report: VerifyReport, file: IO[str],
                        sources: Mapping[str, str] | None = None,
                        terminal: bool | None = None) -> None:
    if file.isatty() if terminal is None else terminal:
        print_verify_report(report, console_for(file, terminal=True), sources)
        return
    buffer = io.StringIO()
    print_verify_report(report, console_for(buffer, terminal=False), sources)
    file.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def print_verify_report(report: VerifyReport, console: Console,
                        sources: Mapping[str, str] | None = None) -> None:
    flat = report.as_prove_report()
    for result in flat.problems:
        if result.verdict is Verdict.TESTED:
            continue  # tested clauses are listed with their implementation below
        print_result(result, console, (sources or {}).get(result.span.file))
        console.print()
    for problem in report.import_problems:
        console.print(Text(f"error: {problem}", style="bold red"))
    if not report.implementations and set(report.engines) - {"prove"}:
        console.print(Text("note: no implementation of these specs was found: bind a class "
                           "with @implements in a module beside its spec, or give the Python "
                           "file on the command line", style="yellow"))
    for impl in report.implementations:
        console.print(Text(f"{impl.name} implements {impl.ebb} ({_short(impl.spec)})",
                           style="bold"))
        console.print(clause_table(impl))
    if flat.results:
        console.print(summary_table(flat))
    console.print(Text(verify_summary_line(report)))
    for note in notes(flat):
        console.print(Text(note))


def clause_table(impl: ImplementationReport) -> Table:
    table = Table(box=box.SIMPLE, show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("clause", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("how established", overflow="fold")
    for row in impl.clauses():
        table.add_row(row.label, f"{row.span.line}:{row.span.column}",
                      Text(row.how(), style=_VERDICT_STYLE[row.verdict]
                           if row.verdict is not Verdict.PROVED else ""))
    return table


def verify_summary_line(report: VerifyReport) -> str:
    line = summary_line(report.as_prove_report()).replace(" obligation", " result", 1)
    n = len(report.implementations)
    c = report.clause_counts()
    engines = ", ".join(report.engines)
    clauses = sum(c.values())
    return (f"{line}; {n} implementation{'s' * (n != 1)}: {clauses} clauses, "
            f"{c['established']} established, {c['failed']} failed, {c['undecided']} undecided "
            f"({engines})")


def _short(path: str) -> str:
    from pathlib import Path
    return Path(path).name


def verify_dict(report: VerifyReport) -> dict[str, Any]:
    data = report_dict(report.as_prove_report())
    data["format"] = FORMAT
    data["exit_status"] = report.exit_status  # by clause, not by each engine's result
    data["engines"] = list(report.engines)
    data["implementations"] = [
        {"name": impl.name, "ebb": impl.ebb, "spec": impl.spec,
         "clauses": [{"ebb": row.ebb, "subject": row.subject, "kind": row.kind,
                      "verdict": row.verdict.name, "how": row.how(),
                      "location": {"file": row.span.file, "line": row.span.line,
                                   "column": row.span.column},
                      "results": [r.obligation + "@" + r.engine for r in row.results]}
                     for row in impl.clauses()]}
        for impl in report.implementations]
    data["import_problems"] = list(report.import_problems)
    data["clauses"] = report.clause_counts()
    return data


def render_verify_json(report: VerifyReport) -> str:
    return json.dumps(verify_dict(report), indent=2, ensure_ascii=False) + "\n"


__all__ = ["FORMAT", "SCHEMA", "clause_table", "print_verify_report", "render_verify_json",
           "verify_dict", "verify_summary_line", "write_verify_report"]
