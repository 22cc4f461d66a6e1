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

__all__ = ["Counterexample", "Result", "Verdict", "combine", "Undefined", "evaluate",
           "ProveReport", "ProverError", "ResultCache", "prove", "render_json", "render_junit",
           "render_sarif", "render_text",
           "DEFAULT_BUDGET", "Env", "ExprEncoder", "KINDS", "Obligation", "Unsupported",
           "collect_obligations", "discharge"]
