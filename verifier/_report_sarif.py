"""The SARIF 2.1.0 report of a prover run: `ebb prove --format sarif`, for code-scanning tools.

One run; its tool's rules are the obligation kinds (docs/prover.md). Every obligation that is
not proved is a result of its kind's rule, located at the clause it is about:

    refuted (error severity)             level "error"
    not proved, warning severity         level "warning"   (e.g. a trivially true ensures)
    unknown                              level "warning"
    skipped                              level "note"
    tested (bounded check only)          level "note"

Results all have the default kind, "fail": SARIF requires level "none" for any other kind, and
an obligation the prover could not settle is still something to look at. The verdict, the
obligation id and the counterexample go in each result's `properties`; the id is also its
partial fingerprint, so a tool can follow one result from run to run. Proved obligations are
not listed (the JSON and JUnit reports have them).

Files are given relative to `%SRCROOT%` (the folder `ebb prove` ran in) when they lie below it.
The subset of SARIF 2.1.0 used here is `schemas/sarif-2.1.0-subset.schema.json`, which keeps
the official schema's constraints on every property it allows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__
from ._result import Result, Verdict
from ._runner import ProveReport, outcome

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SCHEMA = "sarif-2.1.0-subset.schema.json"  # in verifier/schemas/
SRCROOT = "%SRCROOT%"
FINGERPRINT = "ebbObligation/v1"

# obligation kind -> (default severity, one-line description); docs/prover.md explains each.
KIND_RULES: dict[str, tuple[str, str]] = {
    "requires_satisfiable": ("error", "The preconditions of an operation or event can hold "
                             "together with the invariants; otherwise it can never be used."),
    "op_feasible": ("error", "For every state and arguments meeting the requires and the "
                    "invariants, some result and next state meet the ensures and the frame."),
    "event_feasible": ("error", "Whenever an event's guard and the invariants hold, some next "
                       "state meets its ensures and the frame."),
    "invariant_initial": ("error", "The initial values of the model satisfy every invariant."),
    "invariant_preserved": ("error", "An operation or event that starts in a state satisfying "
                            "the invariants ends in one that satisfies this invariant."),
    "cases_complete": ("error", "Cases declared `complete` cover every state the operation "
                       "can be called in."),
    "cases_disjoint": ("error", "No two cases declared `disjoint` can apply at once."),
    "frame": ("error", "The ensures can hold while every model field outside `modifies` keeps "
              "its value."),
    "refines_pre": ("error", "Where the refined Ebb's operation may be called, the refining "
                    "one may be too (preconditions are not strengthened)."),
    "refines_post": ("error", "What the refining operation ensures implies, through the "
                     "abstraction, what the refined one ensures."),
    "protocol_labels": ("error", "Every protocol transition is labelled with an operation or "
                        "event of the Ebb."),
    "protocol_reachable": ("error", "Every protocol state can be reached from the initial "
                           "state."),
    "ensures_trivial": ("warning", "An ensures clause says something: it is not true whatever "
                        "the operation does."),
}


def rule_name(kind: str) -> str:
    """`invariant_preserved` -> `InvariantPreserved` (SARIF rule names are identifiers)."""
    return "".join(word.capitalize() for word in kind.split("_"))


def level(result: Result) -> str:
    if result.verdict is Verdict.REFUTED and result.severity != "warning":
        return "error"
    if result.verdict in (Verdict.SKIPPED, Verdict.TESTED):
        return "note"
    return "warning"


def _rule(kind: str) -> dict[str, Any]:
    severity, text = KIND_RULES.get(kind, ("error", f"Obligations of kind `{kind}` hold."))
    return {"id": kind, "name": rule_name(kind),
            "shortDescription": {"text": text},
            "help": {"text": f"See the `{kind}` obligation in docs/prover.md of ebbrt."},
            "defaultConfiguration": {"level": severity}}


def artifact_location(file: str, root: Path) -> dict[str, Any]:
    """A relative path under the source root, else a file URI."""
    path = Path(file)
    if not path.is_absolute():
        return {"uri": PurePosixPath(*path.parts).as_posix(), "uriBaseId": SRCROOT}
    try:
        relative = path.relative_to(root)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": relative.as_posix(), "uriBaseId": SRCROOT}


def _location(result: Result, root: Path) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(result.span.file, root)}
    span = result.span
    if span.line >= 1 and span.column >= 1:
        region = {"startLine": span.line, "startColumn": span.column}
        if span.end_line >= span.line and span.end_column >= 1:
            region.update(endLine=span.end_line, endColumn=span.end_column)
        physical["region"] = region
    return {"physicalLocation": physical}


def _message(result: Result) -> str:
    lines = [result.message]
    if result.reason:
        lines.append(f"reason: {result.reason}")
    cex = result.counterexample
    if cex is not None:
        for title, pairs in (("arguments", cex.args), ("environment", cex.env),
                             ("before", cex.pre), ("after", cex.post)):
            if pairs:
                lines.append(f"{title}: " + ", ".join(f"{n} = {v}" for n, v in pairs))
    return "\n".join(lines)


def _result(result: Result, rule_index: int, root: Path) -> dict[str, Any]:
    properties: dict[str, Any] = {"verdict": result.verdict.name, "obligation": result.obligation,
                                  "ebb": result.ebb, "subject": result.subject,
                                  "engine": result.engine, "cached": result.cached}
    if result.reason:
        properties["reason"] = result.reason
    if result.counterexample is not None:
        properties["counterexample"] = result.counterexample.as_dict()
    return {"ruleId": result.kind, "ruleIndex": rule_index, "level": level(result),
            "message": {"text": _message(result)}, "locations": [_location(result, root)],
            "partialFingerprints": {FINGERPRINT: result.obligation},
            "properties": properties}


def sarif_dict(report: ProveReport, root: str | Path | None = None) -> dict[str, Any]:
    """The SARIF log; `root` (default: the current folder) is what `%SRCROOT%` stands for."""
    base = Path(root if root is not None else os.getcwd()).resolve()
    kinds = list(KIND_RULES) + sorted({r.kind for r in report.results} - set(KIND_RULES))
    index = {kind: i for i, kind in enumerate(kinds)}
    problems = [r for r in report.results if outcome(r) != "proved"]
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "ebb prove", "version": __version__, "semanticVersion": __version__,
                "rules": [_rule(kind) for kind in kinds]}},
            "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(r, index[r.kind], base) for r in problems],
            "properties": {"budget": report.budget, "obligations": len(report.results),
                           "fromCache": report.from_cache, **report.counts},
        }],
    }


def render_sarif(report: ProveReport, root: str | Path | None = None) -> str:
    return json.dumps(sarif_dict(report, root), indent=2, ensure_ascii=False) + "\n"


__all__ = ["FINGERPRINT", "KIND_RULES", "SARIF_VERSION", "SCHEMA", "artifact_location", "level",
           "render_sarif", "rule_name", "sarif_dict"]
