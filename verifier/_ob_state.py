"""The states an obligation talks about, as z3 constants, and an operation's or event's clauses
as formulas over them. Every obligation builds one `Vocabulary` in a fresh z3 context.

Names of the constants (they are what the query text, and so the cache key, is made of):
`pre.f` / `post.f` for model field `f`, `arg.p` for a parameter, `res.r` for a result, and
`now`, `this_core`, `ncores`. Facts every state satisfies go into `facts`: each constant's
well-formedness (its type's ranges), `ncores >= 1` and `0 <= this_core < ncores`.

`StepSemantics` is one step of the model as the language defines it (docs/language.md, "How an
operation runs"): the step *throws* when a `checked requires` is false or a `throws` condition
holds, and then one such clause's effect holds (its `ensures`, or the model unchanged);
otherwise it returns normally and every `ensures`, `returns` and applicable case arm holds. The
frame (fields outside `modifies` unchanged) holds either way: unmodified fields simply keep
their pre-state constant in the post-state, unless the caller asks for them to be free (the
frame obligation does).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Sequence

import z3

from ..spec import ast as A
from ..spec._builtins import NCORES, NOW, THIS_CORE
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol, VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import CORE, NAT, TIME, Type, TypeParam
from ._z3_expr import Env, ExprEncoder, uses_wraparound, walk


@dataclass(frozen=True)
class Row:
    """One named value of a counterexample: where it is shown, its name, term and type."""
    section: str  # args, pre, post or env
    name: str
    term: z3.ExprRef
    type: Type


_WRAPAROUND: "weakref.WeakKeyDictionary[EbbSymbol, bool]" = weakref.WeakKeyDictionary()


def ebb_uses_wraparound(checked: Checked, ebb: EbbSymbol) -> bool:
    """The per-Ebb uN rule (see `_z3_sorts`): bitvectors when this Ebb, the Ebb it refines or a
    function either calls does uN arithmetic. Computed once per checked result and Ebb."""
    found = _WRAPAROUND.get(ebb)
    if found is None:
        found = _WRAPAROUND[ebb] = _uses_wraparound(checked, ebb)  # a symbol has one Checked
    return found


def _uses_wraparound(checked: Checked, ebb: EbbSymbol) -> bool:
    roots: list[object] = [ebb.decl]
    if ebb.refines is not None:
        roots.append(ebb.refines.target.decl)
    seen: set[int] = set()
    i = 0
    while i < len(roots):
        for node in walk(roots[i]):
            fn = checked.refs.get(id(node)) if isinstance(node, A.Call) else None
            body = getattr(getattr(fn, "decl", None), "body", None)
            if body is not None and id(body) not in seen:
                seen.add(id(body))
                roots.append(body)
        i += 1
    return uses_wraparound(checked, roots)


def invariant_label(decl: A.InvariantDecl, index: int) -> str:
    """How reports and ids name an invariant: its name, else `#n` (n counts from 1)."""
    return decl.name.text if decl.name is not None else f"#{index}"


def invariants_of(ebb: EbbSymbol) -> list[tuple[str, A.InvariantDecl]]:
    decls = [m for m in ebb.decl.members if isinstance(m, A.InvariantDecl)]
    return [(invariant_label(d, i + 1), d) for i, d in enumerate(decls)]


class Vocabulary:
    """The constants of one obligation, their facts, and the rows a counterexample shows."""

    def __init__(self, checked: Checked, ebb: EbbSymbol, ctx: z3.Context | None = None) -> None:
        self.checked = checked
        self.ebb = ebb
        self.enc = ExprEncoder(checked, ctx if ctx is not None else z3.Context(),
                               bitvectors=ebb_uses_wraparound(checked, ebb))
        self.facts: list[z3.BoolRef] = []  # about the environment: ncores, this_core
        self.typing: list[tuple[z3.ExprRef, z3.BoolRef]] = []  # each constant's ranges
        self.rows: list[Row] = []
        self.type_args: dict[TypeParam, Type] = {}
        self.strict = True  # clauses hold only where defined (the frame check reads them
        # loosely: it is about which fields change, not about definedness)
        self.now = self.const("now", TIME, "env")
        self.ncores = self.const("ncores", NAT, "env")
        self.this_core = self.const("this_core", CORE, "env")
        self.facts += [self.ncores >= 1, self.this_core < self.ncores]

    def ranges(self, terms: Sequence[z3.ExprRef]) -> list[z3.BoolRef]:
        """The ranges of just these constants."""
        want = {t.get_id() for t in terms}
        return [wf for term, wf in self.typing if term.get_id() in want]

    def const(self, name: str, t: Type, section: str | None, shown: str | None = None
              ) -> z3.ExprRef:
        """A constant of type `t` with its well-formedness added to `facts`."""
        term = self.enc.var(name, t)
        wf = self.enc.wf(term, t)
        if not z3.is_true(wf):
            self.typing.append((term, wf))
        if section is not None:
            self.rows.append(Row(section, shown or name, term, t))
        return term

    def state(self, tag: str, ebb: EbbSymbol | None = None, keep: dict[str, z3.ExprRef] | None = None
              ) -> dict[str, z3.ExprRef]:
        """Constants `tag.f` for the model fields of `ebb` (this one by default); fields in
        `keep` reuse the given term (the frame)."""
        ebb = ebb or self.ebb
        out: dict[str, z3.ExprRef] = {}
        for name, var in ebb.model.items():
            if keep is not None and name in keep:
                out[name] = keep[name]
                self.rows.append(Row(tag, name, keep[name], var.type))
            else:
                out[name] = self.const(f"{tag}.{name}", var.type, tag, name)
        return out

    def params(self, member: OpSymbol | EventSymbol, prefix: str = "arg") -> list[z3.ExprRef]:
        return [self.const(f"{prefix}.{p.name}", p.type, "args", p.name) for p in member.params]

    def results(self, op: OpSymbol, prefix: str = "res") -> list[z3.ExprRef]:
        return [self.const(f"{prefix}.{r.name}", r.type, "result", r.name) for r in op.results]

    def env(self, state: dict[str, z3.ExprRef], ebb: EbbSymbol | None = None,
            bound: Sequence[tuple[VarSymbol, z3.ExprRef]] = (),
            old: dict[str, z3.ExprRef] | None = None) -> Env:
        """The names a clause of `ebb` reads: its model in `state`, `bound` symbols (params,
        results), the built-in values, and `old` for old(...)."""
        ebb = ebb or self.ebb
        values: dict[object, z3.ExprRef] = {var: state[name] for name, var in ebb.model.items()
                                            if name in state}
        values.update({NOW: self.now, THIS_CORE: self.this_core, NCORES: self.ncores})
        values.update(dict(bound))
        old_values = None
        if old is not None:
            old_values = {var: old[name] for name, var in ebb.model.items()}
        return Env(values, old_values, dict(self.type_args))

    def encode(self, e: A.Expr, env: Env) -> z3.ExprRef:
        return self.enc.encode(e, env)

    def holds(self, e: A.Expr, env: Env) -> z3.BoolRef:
        """A clause, read strictly (defined, see `_z3_defined`, and true) unless `strict` is
        off."""
        return self.enc.holds(e, env) if self.strict else self.enc.encode(e, env)

    def value(self, e: A.Expr, env: Env) -> tuple[z3.ExprRef, z3.BoolRef]:
        """A value and where it is defined (everywhere, unless `strict`)."""
        term = self.enc.encode(e, env)
        if not self.strict:
            return term, z3.BoolVal(True, self.enc.ctx)
        return term, self.enc.defined(e, env)

    def invariants(self, state: dict[str, z3.ExprRef], ebb: EbbSymbol | None = None,
                   only: str | None = None) -> list[tuple[str, A.InvariantDecl, z3.BoolRef]]:
        """The invariants of `ebb` over `state` (just the one labelled `only`, if given)."""
        ebb = ebb or self.ebb
        env = self.env(state, ebb)
        return [(label, d, self.holds(d.expr, env)) for label, d in invariants_of(ebb)
                if only is None or label == only]

    def assumptions(self, state: dict[str, z3.ExprRef]) -> list[z3.BoolRef]:
        """`assume ...: always P` of this Ebb over `state`: taken as facts, never proved (the
        escape hatch for a fact about every state the prover cannot establish)."""
        env = self.env(state, self.ebb)
        return [self.holds(d.formula.expr, env) for d in self.ebb.decl.members
                if isinstance(d, A.TemporalDecl) and d.kind == "assume"
                and isinstance(d.formula, A.Always)]


def model_reads(checked: Checked, expr: A.Expr) -> list[tuple[str, bool]]:
    """The model fields `expr` reads, each with whether it reads it inside old(...); the
    bodies of the functions it calls are followed (a function in an Ebb may read its model)."""
    out: list[tuple[str, bool]] = []
    seen: set[tuple[int, bool]] = set()
    stack: list[tuple[object, bool]] = [(expr, False)]
    while stack:
        node, in_old = stack.pop()
        if (id(node), in_old) in seen:
            continue
        seen.add((id(node), in_old))
        if isinstance(node, A.Old):
            stack.append((node.expr, True))
            continue
        ref = checked.refs.get(id(node))
        if isinstance(node, A.Name) and isinstance(ref, VarSymbol) and ref.kind == "model":
            out.append((ref.name, in_old))
        body = getattr(getattr(ref, "decl", None), "body", None) if isinstance(node, A.Call) \
            else None
        if body is not None:
            stack.append((body, in_old))
        fields = getattr(node, "__dataclass_fields__", {})
        for name in fields:
            if name == "span":
                continue
            value = getattr(node, name)
            kids = value if isinstance(value, tuple) else (value,)
            stack.extend((k, in_old) for k in kids if hasattr(k, "__dataclass_fields__"))
    return out


@dataclass
class StepSemantics:
    """One step of an operation or event over a pre-state, arguments, results and post-state."""
    voc: Vocabulary
    member: OpSymbol | EventSymbol
    pre: dict[str, z3.ExprRef]
    post: dict[str, z3.ExprRef]
    args: list[z3.ExprRef]
    results: list[z3.ExprRef]
    ebb: EbbSymbol
    requires: list[tuple[A.Expr, z3.BoolRef]] = field(default_factory=list)
    where: list[z3.BoolRef] = field(default_factory=list)  # where it runs: this_core == ...
    throwing: z3.BoolRef | None = None
    thrown: z3.BoolRef | None = None      # the effect when throwing
    normal: list[tuple[A.Expr | None, z3.BoolRef]] = field(default_factory=list)
    arms: list[tuple[A.CaseArm, z3.BoolRef, z3.BoolRef]] = field(default_factory=list)
    outcomes: list[tuple[str, z3.BoolRef, z3.BoolRef]] = field(default_factory=list)

    @property
    def modifies(self) -> list[str]:
        return modified_fields(self.member, self.ebb)

    def pre_env(self) -> Env:
        return self.voc.env(self.pre, self.ebb, self._bound(results=False))

    def post_env(self, results: bool = True) -> Env:
        return self.voc.env(self.post, self.ebb, self._bound(results), old=self.pre)

    def _bound(self, results: bool) -> list[tuple[VarSymbol, z3.ExprRef]]:
        bound = list(zip(self.member.params, self.args))
        if results and isinstance(self.member, OpSymbol):
            bound += list(zip(self.member.results, self.results))
        return bound

    def precondition(self) -> z3.BoolRef:
        """What a caller (or the event's firing) guarantees, besides invariants and facts."""
        return _and(self.voc.enc.ctx, [t for _, t in self.requires] + self.where)

    def unchanged(self) -> z3.BoolRef:
        return _and(self.voc.enc.ctx, [self.post[f] == self.pre[f] for f in self.modifies])

    def normal_return(self) -> z3.BoolRef:
        parts = [t for _, t in self.normal] + [z3.Implies(w, e) for _, w, e in self.arms]
        return _and(self.voc.enc.ctx, parts)

    def relation(self) -> z3.BoolRef:
        """The post-state relation: throwing with one exception's effect, or returning."""
        normal = self.normal_return()
        if self.throwing is None:
            return normal
        assert self.thrown is not None
        return z3.If(self.throwing, self.thrown, normal)


def modified_fields(member: OpSymbol | EventSymbol, ebb: EbbSymbol) -> list[str]:
    """The fields `member` may change, in model order (clauses may list them in any order)."""
    named = {ident.text for c in member.decl.clauses if isinstance(c, A.Modifies)
             for ident in c.names}
    return [name for name in ebb.model if name in named]


def step(voc: Vocabulary, member: OpSymbol | EventSymbol, *, ebb: EbbSymbol | None = None,
         free_frame: bool = False, prefix: str = "", pre: dict[str, z3.ExprRef] | None = None,
         args: list[z3.ExprRef] | None = None, results: list[z3.ExprRef] | None = None,
         post: dict[str, z3.ExprRef] | None = None, with_post: bool = True) -> StepSemantics:
    """Constants and clause formulas of one step of `member` (an op or event of `ebb`).
    `free_frame` gives unmodified fields post-state constants of their own; without
    `with_post` only the preconditions are encoded (and no post-state is made)."""
    ebb = ebb or voc.ebb
    if pre is None:
        pre = voc.state(f"{prefix}pre", ebb)
    if args is None:
        args = voc.params(member, f"{prefix}arg")
    if results is None:
        results = voc.results(member, f"{prefix}res") if isinstance(member, OpSymbol) else []
    if not with_post:
        post, results = {}, []
        sem = StepSemantics(voc, member, pre, post, args, results, ebb)
        _preconditions(sem, member)
        return sem
    if post is None:
        changed = modified_fields(member, ebb)
        keep = None if free_frame else {f: t for f, t in pre.items() if f not in changed}
        post = voc.state(f"{prefix}post", ebb, keep)
    sem = StepSemantics(voc, member, pre, post, args, results, ebb)
    if isinstance(member, EventSymbol):
        _event_clauses(sem, member)
    else:
        _op_clauses(sem, member)
    return sem


def _preconditions(sem: StepSemantics, member: OpSymbol | EventSymbol) -> None:
    voc, pre_env = sem.voc, sem.pre_env()
    if isinstance(member, EventSymbol):
        sem.where.append(_runs_on(voc, member.decl.core, pre_env))
        if member.decl.guard is not None:
            sem.requires.append((member.decl.guard, voc.holds(member.decl.guard, pre_env)))
        return
    for clause in member.decl.clauses:
        if isinstance(clause, A.Requires):
            sem.requires.append((clause.expr, voc.holds(clause.expr, pre_env)))
        elif isinstance(clause, A.Sync) and clause.kind == "remote" and clause.on is not None:
            sem.where.append(_runs_on(voc, clause.on, pre_env))


def _runs_on(voc: Vocabulary, core: A.Expr, env: Env) -> z3.BoolRef:
    """`this_core` is the core `core` names (which must be defined)."""
    term, defined = voc.value(core, env)
    same = voc.this_core == term
    return same if z3.is_true(defined) else z3.And(defined, same)


def _event_clauses(sem: StepSemantics, event: EventSymbol) -> None:
    voc = sem.voc
    _preconditions(sem, event)
    post_env = sem.post_env()
    for clause in event.decl.clauses:
        if isinstance(clause, A.Ensures):
            sem.normal.append((clause.expr, voc.holds(clause.expr, post_env)))


def _op_clauses(sem: StepSemantics, op: OpSymbol) -> None:
    voc, ctx = sem.voc, sem.voc.enc.ctx
    pre_env, post_env = sem.pre_env(), sem.post_env()
    throw_conditions: list[z3.BoolRef] = []
    effects: list[z3.BoolRef] = []
    _preconditions(sem, op)
    for clause in op.decl.clauses:
        if isinstance(clause, A.CheckedRequires):
            fails = z3.Not(voc.holds(clause.expr, pre_env))
            name = clause.exception.text if clause.exception else "InvalidArgument"
            throw_conditions.append(fails)
            effects.append(z3.And(fails, sem.unchanged()))
            sem.outcomes.append((name, fails, sem.unchanged()))
        elif isinstance(clause, A.Throws):
            when = voc.holds(clause.when, pre_env)
            effect = (voc.holds(clause.ensures, sem.post_env(results=False))
                      if clause.ensures is not None else sem.unchanged())
            throw_conditions.append(when)
            effects.append(z3.And(when, effect))
            sem.outcomes.append((clause.exception.text, when, effect))
        elif isinstance(clause, A.Ensures):
            sem.normal.append((clause.expr, voc.holds(clause.expr, post_env)))
        elif isinstance(clause, A.Returns):
            sem.normal.append((clause.expr, _returns(sem, clause.expr, post_env)))
        elif isinstance(clause, A.Cases):
            for arm in clause.arms:
                when = voc.holds(arm.when, post_env)
                parts = [_returns(sem, effect.expr, post_env) if isinstance(effect, A.Returns)
                         else voc.holds(effect.expr, post_env) for effect in arm.effects]
                sem.arms.append((arm, when, _and(ctx, parts)))
    if throw_conditions:
        sem.throwing = _or(ctx, throw_conditions)
        sem.thrown = _or(ctx, effects)


def _returns(sem: StepSemantics, e: A.Expr, env: Env) -> z3.BoolRef:
    """`returns e`: the result is `e`, which must be defined."""
    term, defined = sem.voc.value(e, env)
    same = sem.results[0] == term
    return same if z3.is_true(defined) else z3.And(defined, same)


def _and(ctx: z3.Context, parts: list[z3.BoolRef]) -> z3.BoolRef:
    parts = [p for p in parts if not z3.is_true(p)]
    if not parts:
        return z3.BoolVal(True, ctx)
    return parts[0] if len(parts) == 1 else z3.And(*parts)


def _or(ctx: z3.Context, parts: list[z3.BoolRef]) -> z3.BoolRef:
    if not parts:
        return z3.BoolVal(False, ctx)
    return parts[0] if len(parts) == 1 else z3.Or(*parts)


def conj(ctx: z3.Context, parts: list[z3.BoolRef]) -> z3.BoolRef:
    return _and(ctx, parts)


def disj(ctx: z3.Context, parts: list[z3.BoolRef]) -> z3.BoolRef:
    return _or(ctx, parts)


__all__ = ["Row", "StepSemantics", "Vocabulary", "conj", "disj", "ebb_uses_wraparound",
           "invariant_label", "invariants_of", "model_reads", "modified_fields", "step"]
