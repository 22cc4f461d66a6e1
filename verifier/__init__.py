"""Everything that judges specs: the z3 prover of spec obligations (issue 3), and later the
contract compiler and the CrossHair and Hypothesis engines (issue 4)."""

from ._result import Counterexample, Result, Verdict, combine
from ._z3_sorts import Unsupported
from ._z3_expr import Env, ExprEncoder
from ._obligations import KINDS, Obligation, collect_obligations
from ._discharge import DEFAULT_BUDGET, discharge
from ._reference import Undefined, evaluate
from ._cache import ResultCache
from ._runner import ProveReport, ProverError, prove
from ._report_json import render_json
from ._report_junit import render_junit
from ._report_sarif import render_sarif
from ._report_text import render_text
from ._binding import Binding, BindingError, Context, binding_of, implements
from ._contract_error import Clause, ContractViolation, Mode
from ._compile_expr import compile_expression
from ._compile import CompiledEbb, CompiledOp, compile_ebb
from ._enforce import enforce
from ._icontract import to_icontract
from ._strategies import strategy_for
from ._hyp_monitor import SpecViolation, monitored
from ._hypothesis_engine import run_hypothesis

__all__ = ["Counterexample", "Result", "Verdict", "combine", "Undefined", "evaluate",
           "ProveReport", "ProverError", "ResultCache", "prove", "render_json", "render_junit",
           "render_sarif", "render_text",
           "DEFAULT_BUDGET", "Env", "ExprEncoder", "KINDS", "Obligation", "Unsupported",
           "collect_obligations", "discharge",
           "Binding", "BindingError", "Context", "binding_of", "implements",
           "Clause", "CompiledEbb", "CompiledOp", "ContractViolation", "Mode", "compile_ebb",
           "compile_expression", "enforce", "to_icontract",
           "SpecViolation", "monitored", "run_hypothesis", "strategy_for",
           "run_crosshair"]


def __getattr__(name: str) -> object:
    # CrossHair is imported only when used: importing it switches icontract's and deal's own
    # checks off for the whole process, and it is slow to import.
    if name == "run_crosshair":
        from ._crosshair_isolation import run_crosshair
        return run_crosshair
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
