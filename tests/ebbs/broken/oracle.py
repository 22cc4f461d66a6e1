"""A test oracle: run an operation sequence on a bound implementation and judge every step
against the spec with the reference evaluator (`ebbrt.verifier.evaluate`), independently of
the contract compiler.

For each step (docs/language.md, "How an operation runs"): every `requires` must hold (else the
sequence itself is wrong: `BadSequence`); a false `checked requires` or a true `throws`
condition must make the implementation raise that exception (matched by name through the MRO)
with the model unchanged (or satisfying the throws' `ensures`); otherwise it must return
normally with every `ensures`, `returns` and applicable `cases` arm true. Either way the frame
(`modifies`, `pure`) and the invariants must hold. An event step first checks its guard, then
runs with `this_core` set to its `on core(...)`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from ebbrt.spec import ast as A
from ebbrt.spec._printer import format_expr
from ebbrt.verifier import Context, Undefined, evaluate
from ebbrt.verifier import _reference
from ebbrt.verifier._binding import binding_of
from ebbrt.verifier._values import show


@dataclass(frozen=True)
class Ref:
    """An argument that is the result of an earlier step (`part`: a component of a tuple)."""
    step: int
    part: int | None = None


@dataclass(frozen=True)
class Step:
    """One call: `op` (an operation or event) with positional `args`, run at `now` (when given)
    on core `core` (when given; an event runs on its `on core(...)` regardless)."""
    op: str
    args: tuple[Any, ...] = ()
    core: int | None = None
    now: int | None = None

    def __str__(self) -> str:
        shown = ", ".join(f"#{a.step}" if isinstance(a, Ref) else show(a) for a in self.args)
        where = "".join(f" {k}={v}" for k, v in (("core", self.core), ("now", self.now))
                        if v is not None)
        return f"{self.op}({shown}){where}"


@dataclass(frozen=True)
class Violation:
    """A clause the implementation broke at step `index` (-1: the initial state)."""
    index: int
    kind: str  # ensures, returns, case, throws, checked requires, frame or invariant
    clause: str
    detail: str = ""

    def __str__(self) -> str:
        return f"step {self.index}: {self.kind} `{self.clause}` {self.detail}".rstrip()


class BadSequence(AssertionError):
    """The hand-written sequence breaks a `requires` or a guard: a bug in the test data."""


@dataclass
class Run:
    """What a sequence did: each step's result (or None) and the violations found."""
    results: list[Any] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)


@contextmanager
def _range_builtin() -> Iterator[None]:
    """The reference evaluator lacks the built-in `range(lo, hi)` (page_allocator.ebb uses it);
    supply it for the duration of an evaluation when missing (a stopgap, reported to the lead)."""
    if "range" in _reference._BUILTINS:
        yield
        return
    _reference._BUILTINS["range"] = lambda e, lo, hi: frozenset(range(lo, hi))
    try:
        yield
    finally:
        del _reference._BUILTINS["range"]


def raised_name_matches(exc: BaseException, name: str) -> bool:
    return any(c.__name__ == name for c in type(exc).__mro__)


class Oracle:
    """Judges an instance of a bound class step by step against its spec."""

    def __init__(self, cls: type, factory: Callable[[Context], Any] | None = None,
                 context: Context | None = None) -> None:
        self.binding = binding_of(cls)
        self.checked = self.binding.checked
        self.ebb = self.binding.ebb
        self.context = context if context is not None else Context()
        self.instance = (factory or self.binding.create)(self.context)
        self.history: list[Step] = []  # the steps `try_step` ran

    # ------------------------------------------------------------------ evaluation
    def eval(self, expr: A.Expr, env: dict[str, Any], pre: dict[str, Any] | None = None) -> Any:
        with _range_builtin():
            return evaluate(expr, env, self.checked, pre)

    def model(self) -> dict[str, Any]:
        return self.binding.model(self.instance)

    def _base_env(self, model: dict[str, Any]) -> dict[str, Any]:
        c = self.context
        return {**model, "now": c.now, "this_core": c.this_core, "ncores": c.ncores}

    def invariant_violations(self, index: int, model: dict[str, Any]) -> list[Violation]:
        found = []
        for member in self.ebb.decl.members:
            if isinstance(member, A.InvariantDecl):
                verdict = self._judge(member.expr, self._base_env(model), None)
                if verdict is not True:
                    found.append(Violation(index, "invariant", format_expr(member.expr),
                                           verdict or ""))
        return found

    def _judge(self, expr: A.Expr, env: dict[str, Any],
               pre: dict[str, Any] | None) -> bool | str:
        """True when `expr` holds; else a short description of why not."""
        try:
            value = self.eval(expr, env, pre)
        except Undefined as undefined:
            return f"has no value ({undefined})"
        return True if value is True else "is false"

    # ------------------------------------------------------------------ running
    def run(self, steps: Sequence[Step], stop_at_first: bool = True) -> Run:
        run = Run()
        run.violations += self.invariant_violations(-1, self.model())
        for index, step in enumerate(steps):
            result, violations = self.step(index, step, run.results)
            run.results.append(result)
            run.violations += violations
            if violations and stop_at_first:
                break
        return run

    def try_step(self, step: Step) -> tuple[bool, Any, list[Violation]]:
        """Run `step` unless it breaks a `requires` or guard (then the implementation is not
        called, though `now` and `this_core` may have moved to the step's): (whether it ran,
        its result, the violations). For random drivers that draw steps blindly."""
        try:
            result, violations = self.step(len(self.history), step, [])
        except BadSequence:
            return False, None, []
        self.history.append(step)
        return True, result, violations

    def _resolve(self, arg: Any, results: list[Any]) -> Any:
        if not isinstance(arg, Ref):
            return arg
        value = results[arg.step]
        return value if arg.part is None else value[arg.part]

    def step(self, index: int, step: Step, results: list[Any]) -> tuple[Any, list[Violation]]:
        member = self.ebb.ops.get(step.op) or self.ebb.events.get(step.op)
        if member is None:
            raise BadSequence(f"{self.ebb.name} has no operation or event `{step.op}`")
        if step.now is not None:
            self.context.now = step.now
        if step.core is not None:
            self.context.this_core = step.core
        args = [self._resolve(a, results) for a in step.args]
        params = {p.name: self.binding.to_spec(a, p.type) for p, a in zip(member.params, args)}
        pre = self.model()
        env = {**self._base_env(pre), **params}
        if step.op in self.ebb.events:
            self._enter_event(member.decl, env, step)
            env = {**self._base_env(pre), **params}
        expected = self._expected_exception(member.decl, env, step)
        method = self.binding.method(self.instance, step.op)
        raised: BaseException | None = None
        result = None
        try:
            result = method(*args)
        except Exception as exc:  # judged below, by name
            raised = exc
        post = self.model()
        post_env = {**self._base_env(post), **params}
        violations = self._frame(index, member.decl, pre, post)
        if raised is not None or expected:
            violations += self._throw_violations(index, expected, raised, post_env, pre)
        else:
            post_env.update(self._results(member, result))
            single = member.results[0].name if len(getattr(member, "results", ())) == 1 else None
            violations += self._post_violations(index, member.decl, post_env, pre, single)
        violations += self.invariant_violations(index, post)
        return result, violations

    def _enter_event(self, decl: A.EventDecl, env: dict[str, Any], step: Step) -> None:
        if decl.guard is not None and self._judge(decl.guard, env, None) is not True:
            raise BadSequence(f"{step}: the guard `{format_expr(decl.guard)}` does not hold")
        self.context.this_core = self.eval(decl.core, env)

    def _expected_exception(self, decl: Any, env: dict[str, Any],
                            step: Step) -> list[tuple[str, A.Throws | None, str]]:
        """The exceptions the step must raise one of: (name, throws clause or None, text)."""
        expected = []
        for clause in getattr(decl, "clauses", ()):
            if isinstance(clause, A.Requires) and self._judge(clause.expr, env, None) is not True:
                raise BadSequence(f"{step}: `requires {format_expr(clause.expr)}` is false")
            if isinstance(clause, A.CheckedRequires) and self.eval(clause.expr, env) is not True:
                name = clause.exception.text if clause.exception else "InvalidArgument"
                expected.append((name, None, f"{format_expr(clause.expr)} throws {name}"))
            if isinstance(clause, A.Throws) and self.eval(clause.when, env) is True:
                expected.append((clause.exception.text, clause,
                                 f"{clause.exception.text} when {format_expr(clause.when)}"))
        return expected

    def _results(self, member: Any, result: Any) -> dict[str, Any]:
        names = getattr(member, "results", ())
        if not names:
            return {}
        values = (result,) if len(names) == 1 else tuple(result)
        return {v.name: self.binding.to_spec(x, v.type) for v, x in zip(names, values)}

    # ------------------------------------------------------------------ judging
    def _frame(self, index: int, decl: Any, pre: dict[str, Any],
               post: dict[str, Any]) -> list[Violation]:
        clauses = getattr(decl, "clauses", ())
        allowed = {n.text for c in clauses if isinstance(c, A.Modifies) for n in c.names}
        return [Violation(index, "frame", f"modifies {', '.join(sorted(allowed)) or 'nothing'}",
                          f"changed `{name}`: {show(pre[name])} -> {show(post[name])}")
                for name in pre if name not in allowed and pre[name] != post[name]]

    def _throw_violations(self, index: int, expected: list[tuple[str, Any, str]],
                          raised: BaseException | None, env: dict[str, Any],
                          pre: dict[str, Any]) -> list[Violation]:
        if raised is None:
            return [Violation(index, "checked requires", text, "is false but nothing was raised")
                    if clause is None else
                    Violation(index, "throws", text, "holds but nothing was raised")
                    for _, clause, text in expected]
        matching = [(n, c, t) for n, c, t in expected if raised_name_matches(raised, n)]
        if not matching:
            texts = "; ".join(t for _, _, t in expected) or "no throws condition holds"
            return [Violation(index, "throws", texts,
                              f"raised {type(raised).__name__}: {raised}")]
        _, clause, text = matching[0]
        if clause is not None and clause.ensures is not None:
            verdict = self._judge(clause.ensures, env, pre)
            if verdict is not True:
                return [Violation(index, "throws", f"{text} ensures "
                                  f"{format_expr(clause.ensures)}", verdict)]
        elif any(env[name] != pre[name] for name in pre):
            return [Violation(index, "throws", text, "the model changed although it threw")]
        return []

    def _post_violations(self, index: int, decl: Any, env: dict[str, Any],
                         pre: dict[str, Any], single: str | None) -> list[Violation]:
        found = []
        for clause in getattr(decl, "clauses", ()):
            if isinstance(clause, A.Ensures):
                found += self._expect(index, "ensures", clause.expr, env, pre)
            elif isinstance(clause, A.Returns):
                found += self._expect_result(index, clause.expr, env, pre, single, "returns")
            elif isinstance(clause, A.Cases):
                for arm in clause.arms:
                    if self._judge(arm.when, env, pre) is not True:
                        continue
                    for effect in arm.effects:
                        if isinstance(effect, A.Ensures):
                            found += self._expect(index, "case", effect.expr, env, pre)
                        else:
                            found += self._expect_result(index, effect.expr, env, pre, single,
                                                         "case")
        return found

    def _expect(self, index: int, kind: str, expr: A.Expr, env: dict[str, Any],
                pre: dict[str, Any]) -> list[Violation]:
        verdict = self._judge(expr, env, pre)
        return [] if verdict is True else [Violation(index, kind, format_expr(expr), verdict)]

    def _expect_result(self, index: int, expr: A.Expr, env: dict[str, Any],
                       pre: dict[str, Any], single: str | None, kind: str) -> list[Violation]:
        text = format_expr(expr)
        try:
            wanted = self.eval(expr, env, pre)
        except Undefined as undefined:
            return [Violation(index, kind, text, f"has no value ({undefined})")]
        assert single is not None, "`returns` needs a single result (the checker ensures it)"
        got = env[single]
        if got != wanted or type(got) is not type(wanted):  # True is not the nat 1
            return [Violation(index, kind, text,
                              f"returned {show(got)}, expected {show(wanted)}")]
        return []
