"""How the Hypothesis engine evaluates one clause: the adapter between the engine and an
expression evaluator.

Two evaluators can judge the same clause, so that neither is trusted alone:
- `compiled` (the default): the contract compiler's code for the expression
  (`_compile_expr.compile_expression`, compiled once per clause);
- `reference`: `ebbrt.verifier.evaluate`, the deliberately naive oracle.
`both` runs the two and reports a disagreement as a bug in the verifier (`EvaluatorMismatch`);
the monitor then also checks each step with the compiler's whole-operation checks
(`CompiledOp.check_post`, see `_hyp_monitor`).

Every evaluator raises `Undefined` where the language gives no value, and `Unevaluable` where
it cannot evaluate at all (an uninterpreted function with no Python callable, a construct it
lacks): the engine then reports the clause as SKIPPED with that reason, never as a verdict.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..errors import EbbrtError
from ..spec import ast as A
from ..spec._symbols import VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import Type
from ._hyp_clauses import expr_text
from ._reference import Undefined, evaluate

EVALUATORS = ("compiled", "reference", "both")

Env = Mapping[str, Any]


class Unevaluable(EbbrtError, LookupError):
    """The evaluator cannot compute this clause (not a verdict about the implementation)."""


class EvaluatorMismatch(EbbrtError, AssertionError):
    """Two evaluators disagree on a clause: a bug in the verifier, reported as such."""


class ClauseEvaluator:
    """Values of checked expressions over an `env` (and `pre` for `old(...)`)."""

    def __init__(self, checked: Checked, mode: str = "compiled") -> None:
        if mode not in EVALUATORS:
            raise ValueError(f"unknown evaluator {mode!r}; choose one of {', '.join(EVALUATORS)}")
        self.checked = checked
        self.mode = mode

    def value(self, expr: A.Expr, env: Env, pre: Env | None = None) -> Any:
        if self.mode == "reference":
            return self._reference(expr, env, pre)
        compiled = _compiled_expr(self.checked, expr)
        if self.mode == "compiled":
            return _run(compiled, env, pre)
        return self._agreeing(expr, compiled, env, pre)

    def holds(self, expr: A.Expr, env: Env, pre: Env | None = None) -> bool:
        """Whether a boolean clause is true (raises `Undefined` when it has no value)."""
        return bool(self.value(expr, env, pre))

    # ------------------------------------------------------------------ evaluators
    def _reference(self, expr: A.Expr, env: Env, pre: Env | None) -> Any:
        try:
            return evaluate(expr, env, self.checked, pre)
        except KeyError as exc:  # a name or built-in the evaluator does not have
            raise Unevaluable(f"the reference evaluator cannot evaluate it: {exc.args[0]}") \
                from None
        except RecursionError:
            raise Unevaluable("the reference evaluator ran out of stack") from None
        except Undefined:
            raise
        except Exception as exc:  # noqa: BLE001 - values of the wrong shape: no value
            raise Undefined(f"evaluating it raised {type(exc).__name__}: {exc}") from None

    def _agreeing(self, expr: A.Expr, compiled: Callable[[Env, Env | None], Any], env: Env,
                  pre: Env | None) -> Any:
        """Both evaluators' answer, which must be the same (a value, or no value). Where the
        reference cannot evaluate the clause at all, the compiled answer stands alone."""
        outcomes = []
        for run in (lambda: self._reference(expr, env, pre), lambda: _run(compiled, env, pre)):
            try:
                outcomes.append(("value", run()))
            except Undefined:
                outcomes.append(("undefined", None))
            except Unevaluable:
                if outcomes:  # the compiled contract cannot: nothing to compare with
                    raise
                outcomes.append(("unevaluable", None))
        if outcomes[0][0] == "unevaluable":
            outcomes[0] = outcomes[1]
        if outcomes[0] != outcomes[1]:
            raise EvaluatorMismatch(
                f"bug in the verifier: the reference evaluator and the compiled contract "
                f"disagree on `{expr_text(expr)}` ({_describe(outcomes[0])} vs "
                f"{_describe(outcomes[1])})")
        kind, value = outcomes[0]
        if kind == "undefined":
            raise Undefined("no value")
        return value


def _run(compiled: Callable[[Env, Env | None], Any], env: Env, pre: Env | None) -> Any:
    try:
        return compiled(env, pre)
    except KeyError as exc:
        raise Unevaluable(f"the compiled contract cannot evaluate it: {exc}") from None
    except Undefined:
        raise
    except Exception as exc:  # noqa: BLE001 - values of the wrong shape: no value
        raise Undefined(f"evaluating it raised {type(exc).__name__}: {exc}") from None


def _describe(outcome: tuple[str, Any]) -> str:
    from ._values import show
    kind, value = outcome
    return "no value" if kind == "undefined" else show(value)


_COMPILED: dict[int, tuple[A.Expr, Callable[[Env, Env | None], Any]]] = {}


def _compiled_expr(checked: Checked, expr: A.Expr) -> Callable[[Env, Env | None], Any]:
    """The contract compiler's function for one expression, compiled once per node (the node
    is kept with it, so its id stays valid)."""
    cached = _COMPILED.get(id(expr))
    if cached is not None and cached[0] is expr:
        return cached[1]
    from ._compile_expr import compile_expression
    try:
        function = compile_expression(expr, checked, label="hypothesis clause")
    except Exception as exc:  # noqa: BLE001 - a compiler bug must not pass as a verdict
        raise Unevaluable(f"bug in the contract compiler: {type(exc).__name__}: {exc}") \
            from None
    _COMPILED[id(expr)] = (expr, function)
    return function


# ---------------------------------------------------------------------------- what a clause reads

def clause_reads(checked: Checked, expr: A.Expr) -> list[tuple[str, bool, Type]]:
    """The free names `expr` reads (model fields, parameters, results, `now`, ...), each with
    whether it is read inside `old(...)` and its declared type, in order of first appearance;
    function bodies are followed (a function of an Ebb may read its model)."""
    out: list[tuple[str, bool, Type]] = []
    seen_nodes: set[tuple[int, bool]] = set()
    stack: list[tuple[object, bool]] = [(expr, False)]
    while stack:
        node, in_old = stack.pop()
        if (id(node), in_old) in seen_nodes:
            continue
        seen_nodes.add((id(node), in_old))
        if isinstance(node, A.Old):
            stack.append((node.expr, True))
            continue
        ref = checked.refs.get(id(node))
        if isinstance(node, A.Name) and isinstance(ref, VarSymbol) and ref.kind != "binder":
            entry = (ref.name, in_old and ref.kind == "model", ref.type)
            if entry not in out:
                out.append(entry)
        if isinstance(node, A.Call):
            body = getattr(getattr(ref, "decl", None), "body", None)
            if body is not None:
                stack.append((body, in_old))
        kids: list[object] = []
        for name in getattr(node, "__dataclass_fields__", {}):
            if name == "span":
                continue
            value = getattr(node, name)
            kids.extend(value if isinstance(value, tuple) else (value,))
        stack.extend((k, in_old) for k in reversed(kids) if hasattr(k, "__dataclass_fields__"))
    return out


__all__ = ["EVALUATORS", "ClauseEvaluator", "EvaluatorMismatch", "Undefined", "Unevaluable",
           "clause_reads"]
