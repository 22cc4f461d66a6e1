"""`compile_ebb`: an Ebb's contract as Python functions over environment dicts.

    compiled = compile_ebb(checked, checked.ebb("Timer"))
    op = compiled.ops["start"]
    op.check_requires(env)                 # env: model fields, params, now, this_core, ncores
    pre = op.snapshot(model)               # only the model fields the post-state checks read
    ... call the implementation, add its results (by result name) and new model to env ...
    op.check_post(env, pre, raised=None)   # or the name of the exception it threw
    compiled.check_invariants(env, op="start")

Every check raises `ContractViolation`. This is the API of the test engines (Hypothesis, the
pytest plugin); `enforce` inlines the same generated statements into per-op wrappers.

Partial operations: a clause that has no value where it is checked (say `armed[h].core` for a
hook not in `armed`) is violated, and the violation's `undefined` says which operation and
where. For a `requires` it is the caller's bug, for a postcondition the implementation's (the
spec promised a value). `requires_hold(env)` answers False instead of raising.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..spec import ast as A
from ..spec._symbols import EbbSymbol
from ..spec._typecheck import Checked
from ..spec._types import Type, TypeParam, substitute
from ._binding_convert import Converter, converter
from ._compile_clauses import Section, Sections
from ._compile_plan import EbbPlan, OpPlan, plan_ebb
from ._compile_code import CodeModule, const, function_def, name, store
from ._compile_expr import ExprCompiler
from ._contract_display import name_types, typed_values
from ._contract_error import Clause, ContractViolation
from ._reference import Undefined

BUILTIN_VALUES = ("now", "this_core", "ncores")


# ---------------------------------------------------------------------------- reporting

def describe_error(error: BaseException | None) -> str | None:
    """What a clause's evaluation ran into, for `ContractViolation.undefined`."""
    if error is None:
        return None
    if isinstance(error, Undefined):
        where = f" (at {error.span})" if error.span is not None else ""
        return f"{error}{where}"
    return f"evaluating it raised {type(error).__name__}: {error}"


def make_fail(clauses: list[Clause], types: Mapping[str, Mapping[str, Type]] | None = None
              ) -> Callable[..., None]:
    """The cold path of a failed check; `types` (op -> name -> spec type, see
    `_contract_display`) lets the violation show times and durations with their units."""
    types = types or {}

    def fail(index: int, op: str, values: Mapping[str, Any], detail: str = "",
             error: BaseException | None = None) -> None:
        clause = clauses[index]
        shown = typed_values(values, types.get(op or clause.op, types.get("", {})))
        raise ContractViolation(clause, shown, op=op or None, detail=detail,
                                undefined=describe_error(error))
    return fail


def make_judge(members: Mapping[int, OpPlan],
               types: Mapping[str, Mapping[str, Type]] | None = None) -> Callable[..., bool]:
    """The cold path of exceptions (see `Sections.judge`)."""
    types = types or {}

    def judge(key: int, raised: str | None, threw: object, outcomes: tuple[Any, ...],
              values: Mapping[str, Any]) -> bool:
        p = members[key]
        values = typed_values(values, types.get(p.name, {}))
        demanding: list[Clause] = []
        allowed: set[str | None] = set()
        for clause, outcome in zip(p.judged, outcomes):
            if outcome is None:  # not evaluated (requires-only mode): it may allow a throw
                allowed.add(clause.exception)
                continue
            demands = not outcome if clause.kind == "checked requires" else bool(outcome)
            if demands:
                demanding.append(clause)
                allowed.add(clause.exception)
        wanted = " or ".join(dict.fromkeys(str(c.exception) for c in demanding))
        if threw is None:
            if demanding:
                raise ContractViolation(demanding[0], values, detail="returned normally, but "
                                        f"must throw {wanted}")
            return False
        if raised is not None and raised in allowed:
            return False
        thrown = threw if isinstance(threw, str) else type(threw).__name__
        if demanding:
            raise ContractViolation(demanding[0], values, detail=f"threw {thrown}, but must "
                                    f"throw {wanted}")
        if raised is not None:
            clause = next(c for c in p.judged if c.exception == raised)
            state = "holds" if clause.kind == "checked requires" else "is false"
            raise ContractViolation(clause, values, detail=f"threw {raised}, but the condition "
                                    f"{state}")
        return True
    return judge


def match_exception(exc: BaseException, names: tuple[str, ...]) -> str | None:
    """The spec exception `exc` stands for: its class, or a class in its MRO, is named so."""
    for cls in type(exc).__mro__:
        if cls.__name__ in names:
            return cls.__name__
    return None


# ---------------------------------------------------------------------------- unpacking

@dataclass(frozen=True)
class Locals:
    """Where each kind of generated local comes from, for one op (or none)."""
    params: frozenset[str]
    results: frozenset[str]
    model: frozenset[str]
    direct: frozenset[str] = frozenset()  # wrapper parameters used as they are

    def kind(self, local: str) -> str:
        if local in self.direct:
            return "param"
        prefix, spec_name = local[:2], local[2:]
        if prefix == "o_":
            return "pre"
        if prefix == "u_":
            return "func"
        if spec_name in self.params:
            return "param"
        if spec_name in self.results:
            return "result"
        if spec_name in BUILTIN_VALUES:
            return "context"
        if spec_name in self.model:
            return "model"
        return "param"


def unpack(reads: Mapping[str, str], kinds: Locals, wanted: set[str],
           source: Callable[[str, str], ast.expr], bound: set[str]) -> list[ast.stmt]:
    """Assignments binding each local of `reads` whose kind is in `wanted` (once)."""
    stmts: list[ast.stmt] = []
    for local in reads:
        kind = kinds.kind(local)
        if kind in wanted and local not in bound:
            bound.add(local)
            stmts.append(ast.Assign(targets=[store(local)], value=source(kind, local[2:])))
    return stmts


def _lookup(mapping: str) -> Callable[[str, str], ast.expr]:
    return lambda kind, key: ast.Subscript(value=name(mapping), slice=const(key), ctx=ast.Load())


# ---------------------------------------------------------------------------- compiled ops

class CompiledOp:
    """The checks of one op or event over environment dicts (see the module docs)."""

    def __init__(self, plan: OpPlan, functions: Mapping[str, Callable[..., Any]],
                 pre_fields: tuple[str, ...], result_converters: tuple[Converter | None, ...]
                 ) -> None:
        self.plan = plan
        self.name = plan.name
        self.symbol = plan.symbol
        self.is_event = plan.is_event
        self.clauses: list[Clause] = plan.clauses
        self.params = plan.params
        self.results = plan.results
        self.exceptions = plan.exceptions
        self.pre_fields = pre_fields
        self.frame = tuple(plan.frame)  # the model fields it must leave unchanged
        self._pre = functions[f"_pre_{plan.key}"]
        self._crf = functions[f"_crf_{plan.key}"]
        self._post = functions[f"_post_{plan.key}"]
        self._conditions = functions[f"_cond_{plan.key}"]
        self._converters = result_converters

    def __repr__(self) -> str:
        return f"<CompiledOp {self.plan.symbol.ebb.name if self.plan.symbol.ebb else ''}." \
               f"{self.name}>"

    def check_requires(self, env: Mapping[str, Any]) -> None:
        """Every `requires` (an event's guard and core) in the pre-state `env`."""
        self._pre(env)

    def requires_hold(self, env: Mapping[str, Any]) -> bool:
        """Whether the call is allowed: False when a `requires` is false or has no value."""
        try:
            self._pre(env)
        except ContractViolation:
            return False
        return True

    def checked_requires_failure(self, env: Mapping[str, Any]) -> str | None:
        """The exception the first false `checked requires` demands, or None."""
        return self._crf(env)

    def check_conditions(self, env: Mapping[str, Any]) -> None:
        """Evaluate every `checked requires` and `throws` condition in the pre-state `env`:
        a condition without a value is a violation (the op's outcome is then unknowable)."""
        self._conditions(env)

    def snapshot(self, model: Mapping[str, Any]) -> dict[str, Any]:
        """The pre-state the post checks need: what `old(...)` reads, the fields the frame
        keeps, and (for ops that may throw) the whole model. Values are immutable."""
        return {f: model[f] for f in self.pre_fields}

    def check_post(self, env: Mapping[str, Any], pre: Mapping[str, Any],
                   raised: str | None = None) -> None:
        """The post-state checks. `env` holds the post-state model, the params, the results
        (on normal return) and `now`/`this_core`/`ncores`; `raised` is None for a normal
        return, else the name of the exception thrown (`match_exception`'s answer, or the
        Python class name of an exception the op does not declare: then, if no condition
        demanded a throw, nothing is checked and the caller should report the exception)."""
        declared = raised if raised in self.exceptions else None
        self._post(env, pre, raised, declared)

    def match_exception(self, exc: BaseException) -> str | None:
        """The declared spec exception `exc` stands for, or None."""
        return match_exception(exc, self.exceptions)

    def result_values(self, raw: Any) -> dict[str, Any]:
        """The implementation's return value as spec values by result name (a tuple in
        declaration order when there are several results)."""
        if not self.results:
            return {}
        parts = (raw,) if len(self.results) == 1 else tuple(raw)
        if len(parts) != len(self.results):
            raise TypeError(f"`{self.name}` returns ({', '.join(self.results)}): expected "
                            f"a tuple of {len(self.results)}, got {raw!r}")
        return {r: (c(v) if c is not None else v)
                for r, c, v in zip(self.results, self._converters, parts)}


class CompiledEbb:
    """An Ebb's compiled contract: `ops` and `events` by name, and the invariants."""

    def __init__(self, checked: Checked, ebb: EbbSymbol, types: Mapping[str, Type]) -> None:
        self.checked = checked
        self.ebb = ebb
        self.name = ebb.name
        self.types = dict(types)
        self.plan, self.index = plan_ebb(ebb)
        self.clauses = self.plan.clauses
        self.model_fields = self.plan.model
        self.invariants = [c for c, _ in self.plan.invariants]
        shown_types = name_types(ebb, self.types)
        self.fail = make_fail(self.clauses, shown_types)
        self.judge = make_judge({p.key: p for p in self.plan.members}, shown_types)
        module = self.new_module(f"{ebb.name} (environment checks)")
        compiler = ExprCompiler(checked, module)
        sections = Sections(self.plan, self.index, compiler)
        pre_fields = {p.name: _env_functions(p, sections, module) for p in self.plan.members}
        _invariant_function(self.plan, sections, module)
        _initial_function(ebb, compiler, module)
        functions = module.build()
        mapping = {p: t for p in ebb.type_params
                   if not isinstance(t := self.types.get(p.name, p), TypeParam)}
        self.ops: dict[str, CompiledOp] = {}
        self.events: dict[str, CompiledOp] = {}
        for p in self.plan.members:
            convert = tuple(converter(substitute(r.type, mapping))
                            for r in getattr(p.symbol, "results", ()))
            target = self.events if p.is_event else self.ops
            target[p.name] = CompiledOp(p, functions, pre_fields[p.name], convert)
        self._invariants = functions["_inv"]
        self._invariants_before = functions["_inv_before"]
        self._initial = functions["_init"]

    def __repr__(self) -> str:
        return f"<CompiledEbb {self.name}: {len(self.ops)} ops, {len(self.events)} events>"

    def new_module(self, label: str) -> CodeModule:
        """A code module whose `_fail` and `_judge` report against this Ebb's clauses."""
        module = CodeModule(label)
        module.add_global("_fail", self.fail)
        module.add_global("_judge", self.judge)
        return module

    def member(self, name: str) -> CompiledOp:
        return self.ops[name] if name in self.ops else self.events[name]

    def check_invariants(self, env: Mapping[str, Any], op: str = "") -> None:
        """Every invariant over the model fields in `env` (`op` names the step, in messages)."""
        self._invariants(env, op)

    def check_invariants_before(self, env: Mapping[str, Any], op: str = "") -> None:
        """The invariants in the pre-state of `op` (violations say "before the call")."""
        self._invariants_before(env, op)

    def invariants_hold(self, env: Mapping[str, Any]) -> bool:
        try:
            self._invariants(env, "")
        except ContractViolation:
            return False
        return True

    def initial_model(self, env: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The value of each model field's initializer (`model x: T = e`); fields without one
        are left out. `env` gives `ncores` and the like if an initializer reads them."""
        return self._initial(env or {})


def compile_ebb(checked: Checked, ebb: EbbSymbol,
                types: Mapping[str, Type] | None = None) -> CompiledEbb:
    """Compile every clause of `ebb` (from a checked spec). `types` binds type parameters to
    spec types (as `Binding.types` does); they only decide how results are converted."""
    return CompiledEbb(checked, ebb, types or {})


# ---------------------------------------------------------------------------- generation

def _env_functions(p: OpPlan, sections: Sections, module: CodeModule) -> tuple[str, ...]:
    """`_pre_<k>(env)`, `_crf_<k>(env)`, `_cond_<k>(env)`, `_post_<k>(env, pre, threw, raised)`
    for one op;
    returns the model fields `_post` reads from the pre-state."""
    op = const(p.name)
    kinds = Locals(frozenset(p.params), frozenset(p.results), frozenset(sections.plan.model))
    from_env = _lookup("_env")  # before the call the environment IS the pre-state (`o_x`)

    pre = sections.pre(p, op)
    body = unpack(pre.reads, kinds, {"pre", "param", "context", "func", "model"}, from_env,
                  set()) + pre.stmts
    module.defs.append(function_def(f"_pre_{p.key}", ["_env"], body or [ast.Pass()]))

    conditions = sections.conditions(p, op, with_throws=False)
    body = unpack(conditions.reads, kinds, {"pre", "param", "context", "func"}, from_env,
                  set()) + conditions.stmts
    for i, (clause, _) in enumerate(p.checked):
        body.append(ast.If(test=ast.UnaryOp(op=ast.Not(), operand=name(f"_c{i}")),
                           body=[ast.Return(value=const(clause.exception))], orelse=[]))
    body.append(ast.Return(value=const(None)))
    module.defs.append(function_def(f"_crf_{p.key}", ["_env"], body))

    conditions = sections.conditions(p, op, with_throws=True)
    body = unpack(conditions.reads, kinds, {"pre", "param", "context", "func"}, from_env,
                  set()) + conditions.stmts
    module.defs.append(function_def(f"_cond_{p.key}", ["_env"], body or [ast.Pass()]))

    normal = sections.normal(p, op, conditions.reads)
    frame = sections.frame(p, op)
    normal.add(frame.stmts, frame.reads)
    raised = sections.raised(p, op)
    raised.add(frame.stmts, frame.reads)
    everything = Section()
    for s in (conditions, normal, raised):
        everything.add([], s.reads)
    bound: set[str] = set()
    top = unpack(everything.reads, kinds, {"pre", "param", "context", "func"}, _post_source,
                 bound)
    normal_body = unpack(normal.reads, kinds, {"result", "model"}, from_env, set(bound)) \
        + normal.stmts
    raised_body = [ast.If(test=sections.judge(p, name("_raised"), name("_threw"),
                                              conditions.reads, with_throws=True),
                          body=[ast.Return(value=None)], orelse=[])]
    raised_body += unpack(raised.reads, kinds, {"model"}, from_env, set(bound)) + raised.stmts
    body = top + conditions.stmts + [ast.If(
        test=ast.Compare(left=name("_threw"), ops=[ast.Is()], comparators=[const(None)]),
        body=normal_body or [ast.Pass()], orelse=raised_body)]
    module.defs.append(function_def(f"_post_{p.key}", ["_env", "_pre", "_threw", "_raised"],
                                    body))
    return tuple(local[2:] for local in everything.reads if kinds.kind(local) == "pre")


def _post_source(kind: str, key: str) -> ast.expr:
    mapping = "_pre" if kind == "pre" else "_env"
    return ast.Subscript(value=name(mapping), slice=const(key), ctx=ast.Load())


def _invariant_function(plan: EbbPlan, sections: Sections, module: CodeModule) -> None:
    checks = sections.invariants(name("_op"))
    kinds = Locals(frozenset(), frozenset(), frozenset(plan.model))
    body = unpack(checks.reads, kinds, {"model", "context", "param", "func"}, _lookup("_env"),
                  set()) + checks.stmts
    module.defs.append(function_def("_inv", ["_env", "_op"], body or [ast.Pass()]))
    before = sections.invariants(name("_op"), pre_state=True)
    body = unpack(before.reads, kinds, {"pre", "context", "param", "func"}, _lookup("_env"),
                  set()) + before.stmts
    module.defs.append(function_def("_inv_before", ["_env", "_op"], body or [ast.Pass()]))


def _initial_function(ebb: EbbSymbol, compiler: ExprCompiler, module: CodeModule) -> None:
    keys: list[ast.expr] = []
    values: list[ast.expr] = []
    reads: dict[str, str] = {}
    for member in ebb.decl.members:
        if isinstance(member, A.ModelDecl) and member.init is not None:
            compiled = compiler.compile(member.init)
            keys.append(const(member.name.text))
            values.append(compiled.node)
            reads.update(compiled.reads)
    kinds = Locals(frozenset(), frozenset(), frozenset())
    body = unpack(reads, kinds, {"param", "context", "func", "model", "pre"}, _lookup("_env"),
                  set())
    body.append(ast.Return(value=ast.Dict(keys=keys, values=values)))
    module.defs.append(function_def("_init", ["_env"], body))


__all__ = ["CompiledEbb", "CompiledOp", "Locals", "compile_ebb", "describe_error",
           "make_fail", "make_judge", "match_exception", "unpack"]
