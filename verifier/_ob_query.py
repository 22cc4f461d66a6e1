"""What one obligation asks the solver, in one of four modes (see `_discharge` for how each is
decided):

- `valid`: `facts` imply `goal` (PROVED when `facts and not goal` is unsatisfiable; a model is
  a counterexample);
- `satisfiable`: `facts and goal` can hold together (PROVED when satisfiable). When it cannot,
  `contrast`, if given, shows why: a model of `facts and contrast` is the counterexample, and
  if `contrast` cannot hold either the obligation holds vacuously (another obligation is to
  blame). `tracked` facts name the clauses an unsatisfiable core is reported in;
- `feasible`: for every model of `facts` some values of `unknowns` satisfy `goal` (a
  quantifier alternation; `witnesses` are candidate values tried first);
- `decided`: no solver needed; `decided` holds the verdict (structural checks such as protocol
  reachability).

A query is built in a fresh z3 context each time it is needed, so its text (z3's s-expressions
of everything asserted, in construction order) is a deterministic function of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import z3

from ._ob_state import Vocabulary
from ._result import Verdict


@dataclass
class Query:
    mode: str
    voc: Vocabulary | None = None
    facts: list[z3.BoolRef] = field(default_factory=list)
    goal: z3.BoolRef | None = None
    holds: str = ""        # the message when the obligation holds
    fails: str = ""        # the message when it does not
    explain: Callable[[Any], str] | None = None  # a sharper `fails`, given the model's Decoder
    sections: tuple[str, ...] = ("args", "pre", "post", "env")  # counterexample parts shown
    contrast: z3.BoolRef | None = None
    tracked: list[tuple[str, z3.BoolRef]] = field(default_factory=list)
    unknowns: list[z3.ExprRef] = field(default_factory=list)  # their ranges are in the goal
    witness_goals: list[z3.BoolRef] = field(default_factory=list)  # goal at candidate values
    witness_facts: list[z3.BoolRef] = field(default_factory=list)  # what the candidates need
    cases: list[tuple[str, list[z3.BoolRef]]] = field(default_factory=list)  # valid: each
    # case's own facts, proved separately (all must hold); its label sharpens `fails`
    # valid: a counterexample found is only reported when `goal` (with `unknowns` free)
    # cannot hold once the `fixed` constants take the counterexample's values
    confirm: tuple[z3.BoolRef, list[z3.ExprRef], list[z3.ExprRef]] | None = None
    prefer: list[z3.BoolRef] = field(default_factory=list)  # what a counterexample should
    # also satisfy where it can (e.g. fields that need not change stay unchanged)
    decided: tuple[Verdict, str] | None = None  # verdict and message, for `decided`
    description: str = ""  # for `decided`: the normalized input the verdict depends on

    def typing(self) -> list[z3.BoolRef]:
        """The ranges of every constant but the unknowns (the solver keeps only those of
        constants the query mentions; see `_discharge`)."""
        if self.voc is None:
            return []
        skip = {u.get_id() for u in self.unknowns}
        return [wf for term, wf in self.voc.typing if term.get_id() not in skip]

    def text(self) -> str:
        """The normalized query: everything the solver is given, in a deterministic order."""
        if self.mode == "decided" or self.voc is None:
            return f"decided\n{self.description}\n{self.holds}\n{self.fails}"
        parts = [self.mode, "facts", *(f.sexpr() for f in self.facts)]
        parts += ["typing", *(f.sexpr() for f in self.typing())]
        parts += ["tracked", *(f"{label}: {f.sexpr()}" for label, f in self.tracked)]
        for label, extra in self.cases:
            parts += [f"case {label}", *(f.sexpr() for f in extra)]
        parts += ["goal", self.goal.sexpr() if self.goal is not None else "-"]
        if self.confirm is not None:
            parts += ["confirm", self.confirm[0].sexpr(),
                      *(t.sexpr() for t in [*self.confirm[1], *self.confirm[2]])]
        parts += ["contrast", self.contrast.sexpr() if self.contrast is not None else "-"]
        parts += ["unknowns", *(u.sexpr() for u in self.unknowns)]
        parts += ["witness goals", *(g.sexpr() for g in self.witness_goals)]
        parts += ["witness facts", *(f.sexpr() for f in self.witness_facts)]
        parts += ["shown", *(f"{r.section} {r.name} {r.term.sexpr()} {r.type}"
                             for r in self.voc.rows if r.section in self.sections)]
        parts += ["prefer", *(p.sexpr() for p in self.prefer)]
        parts += ["messages", self.holds, self.fails]
        return "\n".join(parts)


__all__ = ["Query"]
