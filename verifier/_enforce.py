"""`enforce(cls, mode)`: a subclass whose op and event methods check the spec's contract.

Each method becomes one generated Python function with the clause code inlined (the
statements of `_compile_clauses.Sections`): the checks run as plain expressions over locals in
the hot path, and only a failure calls out to the cold reporting helpers. The model is read
through the binding's abstraction only when a clause reads it (or the frame or an invariant
needs it), once before the call and once after. The checks read the wrapper's own parameters
(named as the implementation names them), so for an op whose contract reads only parameters and
results the wrapper is the inlined conditions around the call and nothing else.

    def start(_self, hook, timeout, repeat):            # FULL, roughly
        _cx = _self.context; v_now = _cx.now; v_this_core = _cx.this_core
        _m = _model(_self); o_armed = _m["armed"]
        try:
            if not (hook not in o_armed): _fail(...)    # requires
        except ...: _fail(..., error)                   # a clause with no value
        _r = _orig(_self, hook, timeout, repeat)
        _m = _model(_self); v_armed = _m["armed"]
        ... ensures, frame, invariants ...
        return _r

Where the context (`now`, `this_core`, `ncores`) comes from: `enforce(..., context=ctx)`, else
the instance's `context` attribute (the one `Binding.create` passes to `__init__`).
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
from typing import Any, Callable
from weakref import WeakKeyDictionary

from ._binding import Binding, BindingError, Context, binding_of, py_name
from ._compile import CompiledEbb, Locals, match_exception, unpack
from ._compile_clauses import Section, Sections
from ._compile_plan import OpPlan
from ._compile_code import (GENERATED_NAME, attr, call, const, function_def, name, store,
                            tuple_)
from ._compile_expr import ExprCompiler
from ._contract_error import Mode
from ._enforce_inline import inline as inline_checks

ENFORCED_ATTRIBUTE = "__ebb_enforced__"
CHECK_LINE, OTHER_LINE = 1, 2  # generated line numbers: a check's, everything else's


def enforce(cls_or_instance: Any, mode: Mode = Mode.FULL, *, context: Context | None = None,
            invariants_before: bool = False, inline: bool = True) -> Any:
    """A subclass of the bound class whose op and event methods check the contract in `mode`
    (`Mode.OFF`: the class itself). Given an instance, switches it to that subclass and
    returns it. `invariants_before` also checks the invariants before each call. `inline`
    puts the checks into a copy of each method where it can (`_enforce_inline`), instead of a
    wrapper calling it: the same checks, one Python frame fewer per call."""
    if not isinstance(mode, Mode):
        raise TypeError(f"mode must be a Mode (Mode.FULL, Mode.SAMPLED(10), ...), not {mode!r}")
    if isinstance(cls_or_instance, type):
        return _enforced_class(cls_or_instance, mode, context, invariants_before, inline)
    instance = cls_or_instance
    instance.__class__ = _enforced_class(type(instance), mode, context, invariants_before,
                                         inline)
    return instance


_CACHE: "WeakKeyDictionary[type, dict[tuple[Any, ...], type]]" = WeakKeyDictionary()


def _enforced_class(cls: type, mode: Mode, context: Context | None,
                    invariants_before: bool, inline: bool) -> type:
    base = getattr(cls, ENFORCED_ATTRIBUTE, None)
    if base is not None:  # re-enforcing: start from the unchecked class
        cls = base[0]
    if mode.kind == "off":
        return cls
    key = (mode, invariants_before, inline)
    cached = _CACHE.setdefault(cls, {})
    if context is None and key in cached:  # a class made for a given context is not shared
        return cached[key]
    binding = binding_of(cls)
    generator = _Generator(binding, cls, mode, context, invariants_before)
    namespace = generator.methods(inline)
    namespace[ENFORCED_ATTRIBUTE] = (cls, mode, context)
    namespace["__ebb_source__"] = generator.module.source()
    namespace["__ebb_inlined__"] = frozenset(generator.inlined)
    namespace["__module__"] = cls.__module__
    namespace["__qualname__"] = f"{cls.__qualname__}[{mode!r}]"
    enforced = type(f"{cls.__name__}[{mode!r}]", (cls,), namespace)
    if context is None:
        cached[key] = enforced
    return enforced


def _context_of(instance: Any) -> Any:
    try:
        return instance.context
    except AttributeError:
        raise BindingError(f"{type(instance).__qualname__} has no `context` attribute, and the "
                           "contract reads now, this_core or ncores; pass enforce(..., "
                           "context=ctx) or keep the Context given to __init__ in "
                           "self.context") from None


def _uninterpreted(instance: Any, spec_name: str) -> Any:
    function = getattr(instance, py_name(spec_name), None)
    if not callable(function):
        raise BindingError(f"the contract calls `{spec_name}`, a function without a body; "
                           f"{type(instance).__qualname__} must provide a method "
                           f"`{py_name(spec_name)}` that computes it")
    return function


class _Generator:
    def __init__(self, binding: Binding, cls: type, mode: Mode, context: Context | None,
                 invariants_before: bool) -> None:
        self.binding = binding
        self.cls = cls
        self.mode = mode
        self.context = context
        self.invariants_before = invariants_before
        self.compiled: CompiledEbb = binding.compiled
        self.module = self.compiled.new_module(f"{binding.ebb.name} enforced {mode!r}")
        self.module.add_global("_model", binding.model)
        self.module.add_global("_ctx", context)
        self.module.add_global("_h_context", _context_of)
        self.module.add_global("_h_AttributeError", AttributeError)
        self.module.add_global("_h_uninterpreted", _uninterpreted)
        compiler = ExprCompiler(binding.checked, self.module)
        self.sections = Sections(self.compiled.plan, self.compiled.index, compiler)
        self.hot = Sections(self.compiled.plan, self.compiled.index, compiler, protected=False)
        self.renames: dict[int, dict[str, str]] = {}  # op key -> wrapper parameter -> spec name
        self.inlinable: dict[int, list[str]] = {}  # op key -> its parameters, if inlinable
        self.inlined: set[str] = set()  # the methods whose checks were inlined
        self.module.add_global("_diagnose", self._diagnose)
        self.module.add_global("_h_locals", locals)  # the wrapper's own locals, on the cold path

    def methods(self, inline: bool = True) -> dict[str, Callable[..., Any]]:
        names: dict[str, tuple[OpPlan, Callable[..., Any], ast.FunctionDef]] = {}
        for p in self.compiled.plan.members:
            py = py_name(p.name)
            original = inspect.getattr_static(self.cls, py)
            names[py] = (p, original, self.wrapper(p, py, original))
        for _, _, definition in names.values():
            self.module.defs.append(definition)
        built = self.module.build()
        methods = {}
        for py, (p, original, definition) in names.items():
            function = built[definition.name]
            if inline and p.key in self.inlinable:
                inlined = inline_checks(definition, original, self.inlinable[p.key],
                                        self.module.globals, CHECK_LINE, OTHER_LINE)
                if inlined is not None:
                    function = inlined
                    self.inlined.add(py)
            target = getattr(original, "__func__", original)
            if inspect.isfunction(target):
                functools.update_wrapper(function, target)
            function.__name__ = py
            methods[py] = function
        return methods

    # ------------------------------------------------------------------ one wrapper
    def wrapper(self, p: OpPlan, py: str, original: Any) -> ast.FunctionDef:
        key = p.key
        orig = self.module.add_global(f"_orig_{key}", getattr(original, "__func__", original))
        call_orig = self._call_original(p, orig, original)
        params = [py_name(n) for n in p.params]
        underscore = any(n.startswith("_") for n in params)
        if not underscore:
            for n in params:
                self.module.allow_argument(n)
        # the checks read the wrapper's own parameters unless a name could meet a generated one
        self.direct = not underscore and not any(GENERATED_NAME.match(n) for n in params)
        self.sections.compiler.renames = dict(zip(p.params, params)) if self.direct else {}
        self.renames[key] = {py: spec for spec, py in self.sections.compiler.renames.items()}
        self.locals = {f"v_{n}" if not self.direct else py for n, py in zip(p.params, params)}
        if self.direct and self.mode.kind in ("full", "requires") and \
                inspect.isfunction(original):
            self.inlinable[key] = params
        args = ["_self", *params] if not underscore else ["_self", "_args"]
        body: list[ast.stmt] = []
        if self.mode.kind == "sampled":
            body += self._sampling(key, call_orig(params if not underscore else None))
        checked = self._bind_params(p, params, underscore)
        if self.mode.kind == "requires":
            checked += self._requires_only(p, call_orig)
        else:
            checked += self._full(p, call_orig)
        body += self._guard(p, checked)
        if underscore:  # a spec parameter named `_x` would shadow the generated names
            definition = function_def(f"_w{key}", ["_self"], body)
            definition.args.vararg = ast.arg(arg="_args")
        else:
            definition = function_def(f"_w{key}", args, body)
        return definition

    def _call_original(self, p: OpPlan, orig: ast.Name,
                       original: Any) -> Callable[[list[str] | None], ast.expr]:
        if isinstance(original, staticmethod):
            receiver: list[ast.expr] = []
        elif isinstance(original, classmethod):
            receiver = [attr(name("_self"), "__class__")]
        elif inspect.isfunction(original):
            receiver = [name("_self")]
        else:
            receiver = []  # a callable object stored on the class: called as it is

        def make(params: list[str] | None) -> ast.expr:
            if params is None:
                return ast.Call(func=orig, args=[*receiver, ast.Starred(
                    value=name("_args"), ctx=ast.Load())], keywords=[])
            return call(orig, *receiver, *(name(a) for a in params))
        return make

    def _sampling(self, key: int, plain_call: ast.expr) -> list[ast.stmt]:
        """Every `every`-th call is checked: a cycle of flags, one C call per call."""
        every = self.mode.every
        tick = self.module.add_global(f"_tick_{key}",
                                      itertools.cycle([False] * (every - 1) + [True]).__next__)
        return [ast.If(test=ast.UnaryOp(op=ast.Not(), operand=call(tick)),
                       body=[ast.Return(value=plain_call)], orelse=[])]

    def _bind_params(self, p: OpPlan, params: list[str], underscore: bool) -> list[ast.stmt]:
        if not p.params or self.direct:
            return []
        targets = tuple_([store(f"v_{n}") for n in p.params])
        targets.ctx = ast.Store()
        if underscore:
            if len(p.params) == 1:
                return [ast.Assign(targets=[store(f"v_{p.params[0]}")], value=ast.Subscript(
                    value=name("_args"), slice=const(0), ctx=ast.Load()))]
            return [ast.Assign(targets=[targets], value=name("_args"))]
        if len(p.params) == 1:
            return [ast.Assign(targets=[store(f"v_{p.params[0]}")], value=name(params[0]))]
        return [ast.Assign(targets=[targets], value=tuple_([name(n) for n in params]))]

    def _kinds(self, p: OpPlan) -> Locals:
        return Locals(frozenset(p.params), frozenset(p.results),
                      frozenset(self.compiled.plan.model), frozenset(self.locals))

    def _source(self, kind: str, key: str) -> ast.expr:
        if kind in ("pre", "model"):
            return ast.Subscript(value=name("_m"), slice=const(key), ctx=ast.Load())
        if kind == "context":
            return attr(name("_cx"), key)
        assert kind == "func"
        return call("_h_uninterpreted", name("_self"), const(key))

    def _prologue(self, p: OpPlan, reads: dict[str, str], bound: set[str]) -> list[ast.stmt]:
        """Bind the context values, functions and pre-state model fields `reads` uses."""
        kinds = self._kinds(p)
        stmts: list[ast.stmt] = []
        if any(kinds.kind(r) == "context" for r in reads):
            if self.context is not None:
                stmts.append(ast.Assign(targets=[store("_cx")], value=name("_ctx")))
            else:  # `_self.context`; without one, `_h_context` explains what is missing
                stmts.append(ast.Try(
                    body=[ast.Assign(targets=[store("_cx")], value=attr(name("_self"),
                                                                        "context"))],
                    handlers=[ast.ExceptHandler(type=name("_h_AttributeError"), name=None,
                                                body=[ast.Assign(targets=[store("_cx")],
                                                                 value=call("_h_context",
                                                                            name("_self")))])],
                    orelse=[], finalbody=[]))
        if any(kinds.kind(r) == "pre" for r in reads):
            stmts.append(ast.Assign(targets=[store("_m")], value=call("_model", name("_self"))))
        stmts += unpack(reads, kinds, {"context", "func", "pre"}, self._source, bound)
        return stmts

    def _post_model(self, p: OpPlan, reads: dict[str, str], bound: set[str]
                    ) -> tuple[list[ast.stmt], set[str]]:
        """Read the model after the call (if `reads` needs it); also the locals it binds."""
        kinds = self._kinds(p)
        if not any(kinds.kind(r) == "model" for r in reads):
            return [], set()
        newly: set[str] = set(bound)
        stmts = [ast.Assign(targets=[store("_m")], value=call("_model", name("_self")))] + \
            unpack(reads, kinds, {"model"}, self._source, newly)
        return stmts, newly - bound

    def _result_local(self, p: OpPlan) -> str:
        """Where the call's value goes: straight into the result's local when it needs no
        conversion, else `_r`."""
        if len(p.results) == 1 and self.compiled.member(p.name)._converters[0] is None:
            return f"v_{p.results[0]}"
        return "_r"

    def _results(self, p: OpPlan) -> list[ast.stmt]:
        if not p.results or self._result_local(p) != "_r":
            return []
        compiled_op = self.compiled.member(p.name)
        helper = self.module.add_global(f"_results_{p.key}", _result_tuple(compiled_op))
        targets = tuple_([store(f"v_{r}") for r in p.results])
        targets.ctx = ast.Store()
        assign = ast.Assign(targets=[targets], value=call(helper, name("_r")))
        assert p.results_clause is not None
        return [self.sections.protect([assign], p.results_clause, const(p.name),
                                      {"_r": "result"})]

    def _attempt(self, p: OpPlan, call_orig: Callable[[list[str] | None], ast.expr],
                 on_raise: list[ast.stmt]) -> list[ast.stmt]:
        """`_r = original(...)`, with `on_raise` run for a non-contract exception."""
        invoke = ast.Assign(targets=[store(self._result_local(p))],
                            value=call_orig(self._args(p)))
        if not p.exceptions:
            return [invoke]
        return [ast.Try(body=[invoke], handlers=[
            ast.ExceptHandler(type=name("_h_ContractViolation"), name=None,
                              body=[ast.Raise(exc=None, cause=None)]),
            ast.ExceptHandler(type=name("_h_Exception"), name="_e",
                              body=on_raise + [ast.Raise(exc=None, cause=None)]),
        ], orelse=[], finalbody=[])]

    def _judge_raise(self, p: OpPlan, reads: dict[str, str], *, with_throws: bool
                     ) -> list[ast.stmt]:
        matcher = self.module.add_global(f"_match_{p.key}",
                                         functools.partial(match_exception,
                                                           names=p.exceptions))
        return [
            ast.Assign(targets=[store("_raised")], value=call(matcher, name("_e"))),
            ast.If(test=self.sections.judge(p, name("_raised"), name("_e"), reads,
                                            with_throws=with_throws),
                   body=[ast.Raise(exc=None, cause=None)], orelse=[]),
        ]

    @staticmethod
    def _phase(p: OpPlan, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """Mark `stmts` as checks: they run unprotected on line CHECK_LINE of the wrapper,
        whose one `try` sends an error raised there to `_diagnose` (see `_guard`)."""
        for stmt in stmts:
            for node in ast.walk(stmt):
                if "lineno" in node._attributes:
                    node.lineno = node.end_lineno = CHECK_LINE  # type: ignore[attr-defined]
                    node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        return stmts

    @staticmethod
    def _guard(p: OpPlan, body: list[ast.stmt]) -> list[ast.stmt]:
        """The whole wrapper in one `try` (free in CPython 3.11 until something raises). An
        error raised on a check's line is a clause without a value: `_diagnose` finds which;
        anything else (the implementation's own exceptions, a broken abstraction) goes on."""
        came_from_a_check = ast.Compare(
            left=attr(attr(name("_u"), "__traceback__"), "tb_lineno"), ops=[ast.Eq()],
            comparators=[const(CHECK_LINE)])
        guard = ast.Try(body=body, handlers=[
            ast.ExceptHandler(type=name("_h_ContractViolation"), name=None,
                              body=[ast.Raise(exc=None, cause=None)]),
            ast.ExceptHandler(type=name("_h_Exception"), name="_u", body=[
                ast.If(test=came_from_a_check, body=[ast.Expr(call(
                    "_diagnose", const(p.key), name("_u"), call("_h_locals")))], orelse=[]),
                ast.Raise(exc=None, cause=None)]),
        ], orelse=[], finalbody=[])
        guard.lineno = guard.end_lineno = OTHER_LINE  # the rest of the wrapper inherits it
        guard.col_offset = guard.end_col_offset = 0
        return [guard]

    def _diagnose(self, key: int, error: Exception, bound: dict[str, Any]) -> None:
        """A check raised `error` (before or after the call): replay the checks over the same
        values with the environment API, whose checks each say when their clause has no
        value. Not reproduced would be a bug of the compiler: the error is raised as it is."""
        p = next(m for m in self.compiled.plan.members if m.key == key)
        op = self.compiled.member(p.name)
        env: dict[str, Any] = {}
        pre: dict[str, Any] = {}
        for local, value in bound.items():
            if local in self.renames[key]:
                env[self.renames[key][local]] = value
            elif local.startswith("o_"):
                pre[local[2:]] = value
            elif local[:2] in ("v_", "u_"):
                env[local[2:]] = value
        before = {**env, **pre}
        if self.invariants_before:
            self.compiled.check_invariants_before(before, p.name)
        op.check_requires(before)
        op.check_conditions(before)
        if self.mode.kind != "requires":
            try:
                op.check_post(env, pre)
                self.compiled.check_invariants(env, p.name)
            except KeyError:  # no post-state yet: the error came before the call
                pass
        raise error

    def _requires_only(self, p: OpPlan, call_orig: Callable[[list[str] | None], ast.expr]
                       ) -> list[ast.stmt]:
        op = const(p.name)
        pre = self.hot.pre(p, op)
        conditions = self.hot.conditions(p, op, with_throws=False)
        reads = Section()
        for s in (pre, conditions):
            reads.add([], s.reads)
        bound: set[str] = set(self.locals)
        body = self._prologue(p, reads.reads, bound)
        body += self._phase(p, pre.stmts + conditions.stmts)
        if not p.checked:
            return body + [ast.Return(value=call_orig(self._args(p)))]
        normal = self.hot.normal(p, op, conditions.reads, with_throws=False)
        on_raise = self._judge_raise(p, conditions.reads, with_throws=False)
        return body + self._attempt(p, call_orig, on_raise) + normal.stmts + \
            [ast.Return(value=name(self._result_local(p)))]

    def _full(self, p: OpPlan, call_orig: Callable[[list[str] | None], ast.expr]
              ) -> list[ast.stmt]:
        op = const(p.name)
        hot, cold = self.hot, self.sections
        before = hot.invariants(op, pre_state=True) if self.invariants_before else Section()
        pre = hot.pre(p, op)
        conditions = hot.conditions(p, op, with_throws=True)
        normal = hot.normal(p, op, conditions.reads)
        for part in (hot.frame(p, op), hot.invariants(op)):
            normal.add(part.stmts, part.reads)
        raised = cold.raised(p, op)  # the exception path is cold: each check guards itself
        for part in (cold.frame(p, op), cold.invariants(op)):
            raised.add(part.stmts, part.reads)
        everything = Section()
        for part in (before, pre, conditions, normal, raised):
            everything.add([], part.reads)
        bound: set[str] = set(self.locals)
        body = self._prologue(p, everything.reads, bound)
        body += self._phase(p, before.stmts + pre.stmts + conditions.stmts)
        raised_model, _ = self._post_model(p, raised.reads, bound)
        on_raise = self._judge_raise(p, conditions.reads, with_throws=True) + raised_model + \
            raised.stmts
        body += self._attempt(p, call_orig, on_raise)
        body += self._results(p)
        normal_model, _ = self._post_model(p, normal.reads, bound)
        body += normal_model
        body += self._phase(p, normal.stmts)
        body.append(ast.Return(value=name(self._result_local(p))))
        return body

    def _args(self, p: OpPlan) -> list[str]:
        return [py_name(n) if self.direct else f"v_{n}" for n in p.params]


def _result_tuple(compiled_op: Any) -> Callable[[Any], tuple[Any, ...]]:
    results = compiled_op.results

    def convert(raw: Any) -> tuple[Any, ...]:
        values = compiled_op.result_values(raw)
        return tuple(values[r] for r in results)
    return convert


__all__ = ["ENFORCED_ATTRIBUTE", "enforce"]
