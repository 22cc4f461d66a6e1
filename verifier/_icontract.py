"""`to_icontract(binding)`: the contract as icontract decorators, the form CrossHair reads.

The result is a subclass of the bound class whose op and event methods carry
- one `icontract.require` per `requires` (and an event's guard and core),
- an `icontract.snapshot` named `model` (the abstraction before the call) when a postcondition
  reads the pre-state,
- one `icontract.ensure` per postcondition: each `ensures` and `returns`, each case arm
  (`not when or effect`), `complete` and `disjoint`, "no throw was demanded" (a false
  `checked requires` or a true `throws` condition forbids a normal return), the frame (one per
  field not in `modifies`), and EVERY INVARIANT: CrossHair reports "Confirmed over all paths"
  for a method that breaks an icontract class invariant when the method has contracts of its
  own, so invariants are never left to icontract's class invariants.

Each condition is a generated function (from the checked AST, like every compiled contract)
whose parameters are named as icontract expects: `self`, the op's parameters, `result`, `OLD`.
A condition that has no value (a partial operation) is false.

Throws: icontract checks postconditions on normal return only, so an op that declares
exceptions is first wrapped in a small function that, when the implementation throws, judges
the throw against the spec (`CompiledOp.check_post`: the exception must be one a condition
allows, and `throws ... ensures Q` must hold) and raises `ContractViolation` if it is wrong;
the declared exceptions found in the implementation's module are listed as `:raises E:` in its
docstring, which is how CrossHair learns which exceptions are expected.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any, Callable

import icontract

from ._binding import Binding, BindingError, Context, py_name
from ._compile import CompiledEbb, Locals, unpack
from ._compile_plan import OpPlan
from ._compile_code import (GENERATED_NAME, attr, call, const, function_def, name, store,
                            tuple_)
from ._compile_expr import ExprCompiler
from ._contract_error import Clause, ContractViolation

RESERVED = ("self", "result", "OLD")


def to_icontract(binding: Binding, *, context: Context | None = None) -> type:
    """A subclass of `binding.cls` with the spec's contract as icontract decorators (see the
    module docs). `context` gives `now`/`this_core`/`ncores`, else `self.context` is read."""
    return _Builder(binding, context).build()


class _Builder:
    def __init__(self, binding: Binding, context: Context | None) -> None:
        self.binding = binding
        self.context = context
        self.compiled: CompiledEbb = binding.compiled
        self.module = self.compiled.new_module(f"{binding.ebb.name} icontract conditions")
        self.module.add_global("_model", binding.model)
        self.module.add_global("_ctx", context)
        self.module.add_global("_h_context", _context_of)
        self.module.add_global("_h_BindingError", BindingError)
        self.compiler = ExprCompiler(binding.checked, self.module)
        self.count = 0

    def build(self) -> type:
        pending: list[tuple[OpPlan, list[tuple[str, Clause, str]]]] = []
        for p in self.compiled.plan.members:
            pending.append((p, self.conditions(p)))
        functions = self.module.build()
        namespace: dict[str, Any] = {"__module__": self.binding.cls.__module__,
                                     "__qualname__": f"{self.binding.cls.__qualname__}"
                                                     "[icontract]"}
        for p, conditions in pending:
            namespace[py_name(p.name)] = self.decorate(p, conditions, functions)
        return type(f"{self.binding.cls.__name__}[icontract]", (self.binding.cls,), namespace)

    # ------------------------------------------------------------------ conditions
    def conditions(self, p: OpPlan) -> list[tuple[str, Clause, str]]:
        """Generate every condition function of `p`: (kind, clause, function name)."""
        params = [py_name(n) for n in p.params]
        clash = [n for n in params if n in RESERVED or n.startswith("_")
                 or GENERATED_NAME.match(n)]
        if clash:
            raise BindingError(f"`{p.name}`'s parameter {', '.join(clash)} cannot be named in "
                               "an icontract condition (self, result and OLD are icontract's, "
                               "and generated names look like v_x); rename it in the spec")
        for n in (*params, *RESERVED):
            self.module.allow_argument(n)
        self.compiler.renames = dict(zip(p.params, params))
        made: list[tuple[str, Clause, str]] = []
        for clause, e in p.requires:
            made.append(("require", clause, self.function(p, params, [], e, pre_state=True)))
        if p.core is not None:
            clause, e = p.core
            made.append(("require", clause, self.function(
                p, params, [], e, pre_state=True,
                wrap=lambda node: ast.Compare(left=node, ops=[ast.Eq()],
                                              comparators=[name("v_this_core")]),
                extra={"v_this_core": "this_core"})))
        if p.judged:
            made.append(("ensure", p.judged[0], self.not_demanded(p, params)))
        for clause, e in p.returns:
            made.append(("ensure", clause, self.function(p, params, ["post"], e,
                                                         wrap=self._equals_result(p))))
        for clause, e in p.ensures:
            made.append(("ensure", clause, self.function(p, params, ["post"], e)))
        made += self.cases(p, params)
        for f, clause in p.frame.items():
            made.append(("ensure", clause, self.raw(p, params, ["post"], ast.Compare(
                left=name(f"v_{f}"), ops=[ast.Eq()], comparators=[name(f"o_{f}")]),
                {f"v_{f}": f, f"o_{f}": f"old({f})"})))
        for clause, e in self.compiled.plan.invariants:
            made.append(("ensure", clause, self.function(p, params, ["post"], e)))
        return made

    def function(self, p: OpPlan, params: list[str], phase: list[str], e: Any, *,
                 pre_state: bool = False, wrap: Callable[[ast.expr], ast.expr] | None = None,
                 extra: dict[str, str] | None = None) -> str:
        compiled = self.compiler.compile(e, pre_state=pre_state)
        node = wrap(compiled.node) if wrap else compiled.node
        return self.raw(p, params, phase, node, {**compiled.reads, **(extra or {})})

    def raw(self, p: OpPlan, params: list[str], phase: list[str], test: ast.expr,
            reads: dict[str, str], prefix: list[ast.stmt] | None = None) -> str:
        """A condition function: binds what `reads` needs, then `return bool(test)`; any
        error while evaluating (no value, a value of the wrong shape) makes it false."""
        post = "post" in phase
        reads = {**reads, **_names_in(test, prefix or [])}
        args = ["self", *params] + (["result", "OLD"] if post else [])
        kinds = Locals(frozenset(p.params), frozenset(p.results),
                       frozenset(self.compiled.plan.model), frozenset(params))
        body: list[ast.stmt] = []
        if any(kinds.kind(r) == "context" for r in reads):
            source = name("_ctx") if self.context is not None else call("_h_context",
                                                                        name("self"))
            body.append(ast.Assign(targets=[store("_cx")], value=source))
        model_kinds = {"model"} if post else {"model", "pre"}
        if any(kinds.kind(r) in model_kinds for r in reads):
            body.append(ast.Assign(targets=[store("_m")], value=call("_model", name("self"))))
        if post and any(kinds.kind(r) == "result" for r in reads):
            body += self._bind_results(p)
        body += unpack(reads, kinds, {"context", "func", "pre", "model"},
                       self._source(post), set())
        body += prefix or []
        body.append(ast.Return(value=call("_h_bool", test)))
        self.count += 1
        function = f"_cond{self.count}_{p.name}"
        guarded = ast.Try(body=body, handlers=[
            ast.ExceptHandler(type=name("_h_BindingError"), name=None,
                              body=[ast.Raise(exc=None, cause=None)]),
            ast.ExceptHandler(type=name("_h_Exception"), name=None,
                              body=[ast.Return(value=const(False))])],
            orelse=[], finalbody=[])
        self.module.defs.append(function_def(function, args, [guarded]))
        return function

    def _source(self, post: bool) -> Callable[[str, str], ast.expr]:
        def source(kind: str, key: str) -> ast.expr:
            if kind == "pre" and post:
                return ast.Subscript(value=attr(name("OLD"), "model"), slice=const(key),
                                     ctx=ast.Load())
            if kind in ("pre", "model"):
                return ast.Subscript(value=name("_m"), slice=const(key), ctx=ast.Load())
            if kind == "context":
                return attr(name("_cx"), key)
            return call(attr(name("self"), py_name(key)))  # an uninterpreted function
        return source

    def _bind_results(self, p: OpPlan) -> list[ast.stmt]:
        compiled_op = self.compiled.member(p.name)
        if len(p.results) == 1 and compiled_op._converters[0] is None:
            return [ast.Assign(targets=[store(f"v_{p.results[0]}")], value=name("result"))]
        key = f"_results_{p.key}"
        helper = name(key) if key in self.module.globals else self.module.add_global(
            key, lambda raw, op=compiled_op: tuple(op.result_values(raw)[r] for r in op.results))
        targets = tuple_([store(f"v_{r}") for r in p.results])
        targets.ctx = ast.Store()
        return [ast.Assign(targets=[targets], value=call(helper, name("result")))]

    def _equals_result(self, p: OpPlan) -> Callable[[ast.expr], ast.expr]:
        result = f"v_{p.results[0]}"
        return lambda node: ast.Compare(left=name(result), ops=[ast.Eq()], comparators=[node])

    def not_demanded(self, p: OpPlan, params: list[str]) -> str:
        """On normal return every `checked requires` held and no `throws` condition did."""
        prefix: list[ast.stmt] = []
        reads: dict[str, str] = {}
        tests: list[ast.expr] = []
        for i, (clause, e) in enumerate(p.checked):
            compiled = self.compiler.compile(e, pre_state=True)
            tests.append(compiled.node)
            reads.update(compiled.reads)
        for t in p.throws:
            compiled = self.compiler.compile(t.when, pre_state=True)
            tests.append(ast.UnaryOp(op=ast.Not(), operand=compiled.node))
            reads.update(compiled.reads)
        test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests)
        return self.raw(p, params, ["post"], test, reads, prefix)

    def cases(self, p: OpPlan, params: list[str]) -> list[tuple[str, Clause, str]]:
        made = []
        whens = [self.compiler.compile(arm.when) for arm in p.arms]
        for arm, when in zip(p.arms, whens):
            for clause, e, is_returns in arm.effects:
                effect = self.compiler.compile(e)
                node = effect.node if not is_returns else \
                    self._equals_result(p)(effect.node)
                test = ast.BoolOp(op=ast.Or(), values=[
                    ast.UnaryOp(op=ast.Not(), operand=when.node), node])
                made.append(("ensure", clause, self.raw(
                    p, params, ["post"], test, {**when.reads, **effect.reads})))
        reads: dict[str, str] = {}
        for when in whens:
            reads.update(when.reads)
        if p.complete is not None:
            test = ast.BoolOp(op=ast.Or(), values=[w.node for w in whens]) \
                if len(whens) > 1 else whens[0].node
            made.append(("ensure", p.complete, self.raw(p, params, ["post"], test, reads)))
        if p.disjoint is not None and len(whens) > 1:
            test = ast.Compare(left=call("_h_count", tuple_([w.node for w in whens])),
                               ops=[ast.LtE()], comparators=[const(1)])
            made.append(("ensure", p.disjoint, self.raw(p, params, ["post"], test, reads)))
        return made

    # ------------------------------------------------------------------ decorating
    def decorate(self, p: OpPlan, conditions: list[tuple[str, Clause, str]],
                 functions: dict[str, Callable[..., Any]]) -> Callable[..., Any]:
        original = getattr(self.binding.cls, py_name(p.name))
        target = self._throws_wrapper(p, original) if p.exceptions else original
        posts = [(c, functions[f]) for kind, c, f in conditions if kind == "ensure"]
        reads_pre = any("OLD" in inspect.signature(fn).parameters for _, fn in posts)
        decorated = target
        # icontract checks conditions in the order the decorators are applied (innermost
        # first), so the spec's order is kept by applying them in it
        for clause, fn in posts:
            decorated = icontract.ensure(fn, description=_describe(clause))(decorated)
        if reads_pre:  # icontract wants the snapshot above the postconditions that read it
            decorated = icontract.snapshot(_snapshot(self.binding), name="model")(decorated)
        for kind, clause, f in conditions:
            if kind == "require":
                decorated = icontract.require(functions[f],
                                              description=_describe(clause))(decorated)
        return decorated

    def _throws_wrapper(self, p: OpPlan, original: Callable[..., Any]) -> Callable[..., Any]:
        """Judge a throw against the spec before letting it through (see the module docs)."""
        compiled_op = self.compiled.member(p.name)
        binding, context = self.binding, self.context
        params = [py_name(n) for n in p.params]

        @functools.wraps(original)
        def judged(self: Any, *args: Any, **kwargs: Any) -> Any:
            pre_model = binding.model(self)
            try:
                return original(self, *args, **kwargs)
            except ContractViolation:
                raise
            except Exception as exc:
                raised = compiled_op.match_exception(exc)
                bound = inspect.signature(original).bind(self, *args, **kwargs)
                env = {spec: bound.arguments[py] for spec, py in zip(p.params, params)
                       if py in bound.arguments}
                ctx = context if context is not None else getattr(self, "context", None)
                if ctx is not None:
                    env.update(now=ctx.now, this_core=ctx.this_core, ncores=ctx.ncores)
                env.update(binding.model(self))
                try:
                    compiled_op.check_post(env, compiled_op.snapshot(pre_model),
                                           raised if raised is not None else type(exc).__name__)
                except KeyError as missing:
                    raise BindingError(f"judging {type(exc).__name__} from `{p.name}` needs "
                                       f"{missing}: pass to_icontract(binding, context=ctx)"
                                       ) from exc
                raise

        del judged.__wrapped__  # CrossHair reads the `:raises:` names in this function's globals
        found = _exception_classes(self.binding.cls, p.exceptions)
        judged.__doc__ = (original.__doc__ or "") + "".join(
            f"\n:raises {cls.__name__}:" for cls in found)
        judged.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
        return _with_globals(judged, {cls.__name__: cls for cls in found})


def _names_in(test: ast.expr, stmts: list[ast.stmt]) -> dict[str, str]:
    """The generated locals (`v_x`, `o_x`) that `test` and `stmts` read, as violations show
    them: what a wrapped test adds to the reads of the expression it wraps."""
    found: dict[str, str] = {}
    for root in [test, *stmts]:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and node.id[:2] in ("v_", "o_"):
                shown = node.id[2:] if node.id[0] == "v" else f"old({node.id[2:]})"
                found.setdefault(node.id, shown)
    return found


def _snapshot(binding: Binding) -> Callable[..., Any]:
    def model(self: Any) -> dict[str, Any]:
        return binding.model(self)
    return model


def _describe(clause: Clause) -> str:
    where = f"{clause.ebb}.{clause.op}" if clause.op else clause.ebb
    label = f" ({clause.label})" if clause.label else ""
    return f"{clause.span}: {where}: {clause.title} `{clause.text}`{label}"


def _context_of(instance: Any) -> Any:
    context = getattr(instance, "context", None)
    if context is None:
        raise BindingError(f"{type(instance).__qualname__} has no `context`; pass "
                           "to_icontract(binding, context=ctx)")
    return context


def _exception_classes(cls: type, names: tuple[str, ...]) -> list[type]:
    """The classes the implementation raises for the declared spec exceptions, found by
    name in its module (as `match_exception` matches them)."""
    module = vars(sys.modules.get(cls.__module__, object()))
    return [module[n] for n in names
            if isinstance(module.get(n), type) and issubclass(module[n], BaseException)]


def _with_globals(function: Any, extra: dict[str, Any]) -> Any:
    """`function` with `extra` names added to a copy of its globals."""
    import types
    clone = types.FunctionType(function.__code__, {**function.__globals__, **extra},
                               function.__name__, function.__defaults__, function.__closure__)
    clone.__doc__ = function.__doc__
    clone.__qualname__ = function.__qualname__
    clone.__signature__ = function.__signature__  # type: ignore[attr-defined]
    clone.__dict__.update({k: v for k, v in function.__dict__.items() if k != "__wrapped__"})
    return clone


__all__ = ["to_icontract"]
