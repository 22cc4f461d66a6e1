"""Everything that judges specs: the z3 prover of spec obligations (issue 3), and later the
contract compiler and the CrossHair and Hypothesis engines (issue 4)."""

from ._result import Counterexample, Result, Verdict, combine

__all__ = ["Counterexample", "Result", "Verdict", "combine"]
