"""The wrong-spec corpus: every spec in `corpus/` is well typed but semantically wrong, and the
prover must refute it with the intended obligation and a counterexample in spec terms.

Each corpus file starts with a header of `//` comments (the first non-comment line ends it):

    // refuted: <kind> <Ebb>[.<member>] [<name> ...]   the one intended refutation (required)
    // also refuted: <kind> <Ebb>[.<member>] [<name> ...]   another refutation the spec expects
    // counterexample: <fragment>   text the printed counterexample must contain (repeatable)
    // counterexample: none         the refutation has no model (an unsatisfiable condition,
    //                              a structural fact), so the counterexample must be empty
    // message: <fragment>          text the result's message must contain (repeatable)
    // unchanged: <field>           the counterexample shows the model field with the same
    //                              value before and after (it is not what went wrong)

A declaration matches a result when the kinds and the Ebb are equal and every other name
(`member`, then `name ...`) is one of the words of the obligation id: `invariant_preserved
Account.withdraw nonnegative` matches `Account.withdraw.invariant_preserved.nonnegative`.
The message must name them too (it names the clause that failed).

The printed counterexample is one line per value, `<section> <name> = <value>` with the
sections `args`, `pre`, `post` and `env` in that order, so `post balance = -` says the balance
is negative after the step and `low_water = 16` matches it in any section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ebbrt.spec import check_paths
from ebbrt.verifier import (DEFAULT_BUDGET, KINDS, Result, Verdict, collect_obligations,
                             discharge)

CORPUS = Path(__file__).parent / "corpus"
SPECS = sorted(CORPUS.glob("*.ebb"))

# The sections a counterexample of each kind must fill: a refuted step shows the state before
# and after it; a refuted feasibility shows the pre-state that has no successor.
REQUIRED_SECTIONS = {
    "invariant_preserved": ("pre", "post"),
    "refines_post": ("pre", "post"),
    "cases_complete": ("pre", "post"),
    "cases_disjoint": ("pre", "post"),
    "op_feasible": ("pre",),
    "event_feasible": ("pre",),
    "frame": ("pre",),
    "refines_pre": ("pre",),
}

# The mistakes the corpus must show (issue 3 and its plan), as (kind, what refutes it).
REQUIRED_MISTAKES = {
    "an operation that breaks an invariant": ("invariant_preserved", "op"),
    "an event that breaks an invariant": ("invariant_preserved", "event"),
    "overlapping cases declared disjoint": ("cases_disjoint", "op"),
    "incomplete cases declared complete": ("cases_complete", "op"),
    "a refinement that strengthens a precondition": ("refines_pre", "op"),
    "a refinement that weakens a postcondition": ("refines_post", "op"),
    "an ensures that changes a field outside modifies": ("frame", "op"),
    "an unsatisfiable requires": ("requires_satisfiable", "op"),
    "an infeasible operation": ("op_feasible", "op"),
    "an infeasible event": ("event_feasible", "event"),
    "an invariant the initial values break": ("invariant_initial", None),
    "an unreachable protocol state": ("protocol_reachable", None),
}

_HEADER_LINE = re.compile(
    r"//\s*(refuted|also refuted|counterexample|message|unchanged):\s*(.*?)\s*$")


@dataclass(frozen=True)
class Declared:
    kind: str
    ebb: str
    names: tuple[str, ...]   # the member, then any further names, as they appear in the id

    @classmethod
    def parse(cls, text: str) -> "Declared":
        kind, subject, *names = text.split()
        ebb, _, member = subject.partition(".")
        return cls(kind, ebb, ((member,) if member else ()) + tuple(names))

    def matches(self, result: Result) -> bool:
        words = set(re.findall(r"\w+", result.obligation))
        return (result.kind == self.kind and result.ebb == self.ebb
                and all(name in words for name in self.names))

    def __str__(self) -> str:
        return " ".join((self.kind, self.ebb, *self.names))


@dataclass
class Header:
    refuted: Declared
    also_refuted: list[Declared] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)
    no_counterexample: bool = False
    message: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_header(path: Path) -> Header:
    refuted: list[Declared] = []
    also: list[Declared] = []
    fragments: list[str] = []
    message: list[str] = []
    unchanged: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("//"):
            break
        match = _HEADER_LINE.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key == "refuted":
            refuted.append(Declared.parse(value))
        elif key == "also refuted":
            also.append(Declared.parse(value))
        elif key == "counterexample":
            fragments.append(value)
        elif key == "unchanged":
            unchanged.append(value)
        else:
            message.append(value)
    assert len(refuted) == 1, f"{path.name}: the header declares {len(refuted)} `refuted:` lines"
    none = fragments == ["none"]
    assert none or "none" not in fragments, f"{path.name}: `counterexample: none` stands alone"
    assert fragments, f"{path.name}: the header declares no `counterexample:` line"
    return Header(refuted[0], also, [] if none else fragments, none, message, unchanged)


def printed(result: Result) -> str:
    cx = result.counterexample
    if cx is None:
        return ""
    sections = (("args", cx.args), ("pre", cx.pre), ("post", cx.post), ("env", cx.env))
    return "\n".join(f"{section} {name} = {value}"
                     for section, values in sections for name, value in values)


def prove_file(path: Path) -> list[Result]:
    check = check_paths([path])
    assert check.ok, check.render()
    obligations = collect_obligations(check)
    assert obligations, f"{path.name}: no obligations collected"
    return [discharge(ob, DEFAULT_BUDGET) for ob in obligations]


def describe(results: list[Result]) -> str:
    lines = []
    for r in results:
        lines.append(f"  {r.verdict.name:8} {r.obligation}: {r.message}"
                     + (f" [{r.reason}]" if r.reason else ""))
        lines.extend("      " + line for line in printed(r).splitlines())
    return "\n".join(lines)


def test_corpus_is_there() -> None:
    assert len(SPECS) >= len(REQUIRED_MISTAKES)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_corpus_spec_checks_clean(path: Path) -> None:
    """A corpus spec is wrong only semantically: `ebb check` finds nothing, not even a warning."""
    check = check_paths([path])
    assert check.diagnostics == [], check.render()
    header = read_header(path)
    for declared in [header.refuted, *header.also_refuted]:
        assert declared.kind in KINDS, f"{path.name}: unknown obligation kind `{declared.kind}`"
        assert check.checked.ebb(declared.ebb) is not None, f"{path.name}: no Ebb `{declared.ebb}`"


def test_corpus_covers_required_mistakes() -> None:
    headers = {path.name: read_header(path) for path in SPECS}
    for mistake, (kind, member) in REQUIRED_MISTAKES.items():
        found = False
        for name, header in headers.items():
            declared = header.refuted
            if declared.kind != kind:
                continue
            if member is None:
                found = True
                break
            ebb = check_paths([CORPUS / name]).checked.ebb(declared.ebb)
            table = ebb.ops if member == "op" else ebb.events
            if declared.names and declared.names[0] in table:
                found = True
                break
        assert found, f"the corpus has no spec showing {mistake} ({kind})"
    # the chained comparison a sloppy encoding gets wrong (issue 3)
    assert "0 <= r <= 10" in (CORPUS / "chained_comparison.ebb").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_corpus_spec_is_refuted_by_the_intended_obligation(path: Path) -> None:
    header = read_header(path)
    results = prove_file(path)
    report = f"{path.name}:\n{describe(results)}"

    declared_all = [header.refuted, *header.also_refuted]
    matched: dict[str, Result] = {}
    for declared in declared_all:
        hits = [r for r in results if declared.matches(r)]
        assert len(hits) == 1, f"`{declared}` matches {len(hits)} obligations\n{report}"
        matched[str(declared)] = hits[0]
        assert hits[0].verdict is Verdict.REFUTED, f"`{declared}` is not refuted\n{report}"

    unexpected = [r for r in results if r.verdict is Verdict.REFUTED
                  and not any(d.matches(r) for d in declared_all)]
    assert not unexpected, f"refuted by obligations the header does not declare\n{report}"

    result = matched[str(header.refuted)]
    assert result.engine in ("z3", "check"), result.engine   # "check": a structural fact
    assert result.severity == ("warning" if result.kind == "ensures_trivial" else "error")
    assert Path(result.span.file).name == path.name, f"span in {result.span.file}\n{report}"
    for name in header.refuted.names:
        assert name in result.message, f"the message does not name `{name}`\n{report}"
    for fragment in header.message:
        assert fragment in result.message, f"the message lacks `{fragment}`\n{report}"

    text = printed(result)
    if header.no_counterexample:
        assert text == "", f"a counterexample where none can exist\n{report}"
        return
    assert text, f"no counterexample\n{report}"
    for section in REQUIRED_SECTIONS.get(result.kind, ()):
        assert getattr(result.counterexample, section), \
            f"the counterexample has no `{section}` values\n{report}"
    for fragment in header.fragments:
        assert fragment in text, f"the counterexample lacks `{fragment}`\n{report}"
    pre, post = dict(result.counterexample.pre), dict(result.counterexample.post)
    for name in header.unchanged:
        assert name in pre and name in post, f"the counterexample omits `{name}`\n{report}"
        assert pre[name] == post[name], f"the counterexample changes `{name}`\n{report}"
