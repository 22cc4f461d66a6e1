"""The z3 prover, contract compiler and CrossHair/Hypothesis engines (issues 3 and 4)."""

__all__: list[str] = []
