"""The JUnit XML report of a prover run: `ebb prove --format junit`, for CI test dashboards.

One `<testsuite>` per Ebb and one `<testcase>` per obligation (classname the Ebb, name the rest
of the obligation id, with the spec file and line):

    proved                       a passing test case
    refuted                      `<failure type="refuted">`: the message, the location and the
                                 counterexample
    unknown, skipped             `<skipped message="unknown: <reason>">`: not a failure, not a pass
    not proved, warning severity a passing test case with the warning in `<system-out>`
                                 (warnings do not fail `ebb prove` either)

The XML is built with ElementTree, so any text from the spec is escaped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ._result import Result, Verdict
from ._runner import ProveReport, outcome


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold at all (escaping is ElementTree's)."""
    return _NOT_XML.sub("\ufffd", text)


def _case_name(result: Result) -> str:
    prefix = result.ebb + "."
    name = result.obligation
    return name[len(prefix):] if name.startswith(prefix) else name


def _details(result: Result) -> str:
    lines = [f"{result.span}: {result.message} [{result.kind}]",
             f"obligation: {result.obligation}"]
    if result.reason:
        lines.append(f"reason: {result.reason}")
    cex = result.counterexample
    if cex is not None:
        lines.append("counterexample:")
        for title, pairs in (("arguments", cex.args), ("environment", cex.env),
                             ("before", cex.pre), ("after", cex.post)):
            for name, value in pairs:
                lines.append(f"  {title}: {name} = {value}")
    return _xml("\n".join(lines) + "\n")


def _testcase(result: Result) -> ET.Element:
    case = ET.Element("testcase", {
        "classname": _xml(result.ebb), "name": _xml(_case_name(result)),
        "file": _xml(result.span.file), "line": str(result.span.line)})
    kind = outcome(result)
    if kind == "refuted":
        failure = ET.SubElement(case, "failure",
                                {"type": "refuted", "message": _xml(result.message)})
        failure.text = _details(result)
    elif kind in ("unknown", "skipped"):
        reason = result.reason or result.message
        skipped = ET.SubElement(case, "skipped", {"message": _xml(f"{kind}: {reason}")})
        skipped.text = _details(result)
    elif kind == "warnings":
        ET.SubElement(case, "system-out").text = "warning: " + _details(result)
    elif result.verdict is Verdict.TESTED:
        ET.SubElement(case, "system-out").text = "tested, not proved: " + _details(result)
    return case


def _counts(results: list[Result]) -> dict[str, str]:
    kinds = [outcome(r) for r in results]
    return {"tests": str(len(results)), "failures": str(kinds.count("refuted")), "errors": "0",
            "skipped": str(kinds.count("unknown") + kinds.count("skipped"))}


def junit_tree(report: ProveReport) -> ET.Element:
    root = ET.Element("testsuites", {"name": "ebb prove", **_counts(list(report.results))})
    by_ebb: dict[str, list[Result]] = {}
    for result in report.results:
        by_ebb.setdefault(result.ebb, []).append(result)
    for ebb, results in by_ebb.items():
        suite = ET.SubElement(root, "testsuite", {"name": ebb, **_counts(results)})
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "budget", "value": str(report.budget)})
        for result in results:
            suite.append(_testcase(result))
    return root


def render_junit(report: ProveReport) -> str:
    root = junit_tree(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


__all__ = ["junit_tree", "render_junit"]
