"""The binding protocol: a Python class declares the Ebb it implements.

    @implements("timer.ebb", "Timer")
    class ModelTimer:
        def __init__(self, context: Context): ...
        def abstraction(self) -> dict[str, object]: ...   # every model field -> its value
        def start(self, hook, timeout, repeat): ...       # one method per op and event

The class is checked when it is defined: the spec loads without errors, the Ebb exists, every
operation and event has a method with the spec's parameter names in order (extra parameters
need defaults), and the abstraction method exists. Anything wrong is one `BindingError` that
lists every problem with the spec location it comes from. A spec name that is a Python keyword
(`from`) is spelled with a trailing underscore in Python (`from_`).

Spec files are loaded once per absolute path (and reloaded if the file changes), so many
classes binding one file share one `Checked`.
"""

from __future__ import annotations

import inspect
import keyword
import os
import sys
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar
from weakref import WeakKeyDictionary

from ..errors import EbbrtError
from ..spec import ast as A
from ..spec._builtins import builtin_scope
from ..spec._loader import CheckResult, check_paths
from ..spec._parser import parse_text
from ..spec._report import Reporter, did_you_mean
from ..spec._resolve import Resolver
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ..spec._typecheck import Checked
from ..spec._types import ErrorType, Type, TypeParam, map_type, substitute
from ._binding_convert import Converter, converter, to_spec

if TYPE_CHECKING:
    from ._compile import CompiledEbb

BINDING_ATTRIBUTE = "__ebb_binding__"
T = TypeVar("T", bound=type)


class BindingError(EbbrtError, TypeError):
    """A class does not match the spec it claims to implement (or the spec cannot be loaded)."""


class Context:
    """What the harness (the Hypothesis engine, later the runtime) tells an implementation:
    the time in nanoseconds, the core it runs on and how many cores there are. The harness
    owns and advances it; implementations only read it (`self.context.now`)."""

    __slots__ = ("now", "this_core", "ncores")

    def __init__(self, now: int = 0, this_core: int = 0, ncores: int = 1) -> None:
        self.now = now
        self.this_core = this_core
        self.ncores = ncores

    def __repr__(self) -> str:
        return f"Context(now={self.now}, this_core={self.this_core}, ncores={self.ncores})"


def py_name(name: str) -> str:
    """The Python spelling of a spec name: keywords get a trailing underscore."""
    return name + "_" if keyword.iskeyword(name) else name


# ---------------------------------------------------------------------------- the binding

@dataclass(eq=False)
class Binding:
    """What `@implements` learned about a class: its spec, and how to talk to it."""
    spec_path: str                 # absolute path of the spec file
    ebb: EbbSymbol
    result: CheckResult = field(repr=False)  # keeps the AST alive (node ids key `checked`)
    cls: type
    types: dict[str, Type]         # every type parameter -> its type (a TypeParam if unmapped)
    type_text: dict[str, str]      # the `types=` argument as given
    abstraction: str               # the name of the abstraction method
    takes_context: bool
    methods: dict[str, str]        # op or event name -> Python method name

    @property
    def checked(self) -> Checked:
        return self.result.checked

    # -- types and values
    def instantiate(self, t: Type) -> Type:
        """`t` with the Ebb's type parameters replaced by the bound types."""
        return substitute(t, self._substitution)

    @cached_property
    def _substitution(self) -> dict[TypeParam, Type]:
        return {p: self.types[p.name] for p in self.ebb.type_params
                if not isinstance(self.types[p.name], TypeParam)}

    def to_spec(self, value: Any, t: Type) -> Any:
        """`value` (as the implementation gave it) as a spec value of type `t`."""
        return to_spec(value, self.instantiate(t))

    def converter(self, t: Type) -> Converter | None:
        """The conversion `to_spec` applies for `t`, built once; None when there is none."""
        return converter(self.instantiate(t))

    @cached_property
    def _model_converters(self) -> dict[str, Converter | None]:
        return {name: self.converter(var.type) for name, var in self.ebb.model.items()}

    # -- instances
    def create(self, context: Context | None = None) -> Any:
        """A fresh instance: `cls(context)` when `__init__` takes one, else `cls()`."""
        if self.takes_context:
            return self.cls(context if context is not None else Context())
        return self.cls()

    def model(self, instance: Any) -> dict[str, Any]:
        """The abstraction of `instance`: every model field as a spec value."""
        converters = self._model_converters
        if not converters:
            return {}  # an Ebb without model state needs no abstraction
        raw = getattr(instance, self.abstraction)()
        if not isinstance(raw, Mapping) or raw.keys() != converters.keys():
            raise BindingError(self._abstraction_problem(raw))
        return {name: (convert(raw[name]) if convert is not None else raw[name])
                for name, convert in converters.items()}

    def _abstraction_problem(self, raw: object) -> str:
        where = f"{self.cls.__qualname__}.{self.abstraction}()"
        if not isinstance(raw, Mapping):
            return (f"{where} returned {type(raw).__name__}; it must return a dict of every "
                    f"model field of {self.ebb.name}: {_listing(self.ebb.model)}")
        missing = [n for n in self.ebb.model if n not in raw]
        extra = [str(n) for n in raw if n not in self.ebb.model]
        parts = []
        if missing:
            parts.append(f"lacks {_listing(missing)}")
        if extra:
            parts.append(f"has {_listing(extra)}, which {self.ebb.name} does not declare")
        return f"{where} " + " and ".join(parts) + f" (model fields: {_listing(self.ebb.model)})"

    def method(self, instance: Any, name: str) -> Callable[..., Any]:
        """The bound method implementing op or event `name`."""
        return getattr(instance, self.methods[name])

    # -- contracts
    @cached_property
    def compiled(self) -> "CompiledEbb":
        """The Ebb's contracts compiled for these types (built on first use)."""
        from ._compile import compile_ebb
        return compile_ebb(self.checked, self.ebb, self.types)

    def for_class(self, cls: type) -> "Binding":
        """This binding for a subclass (a variant that overrides some methods)."""
        problems = _method_problems(cls, self.ebb)
        if problems:
            raise BindingError(_headline(cls, self.ebb, self.spec_path) + "\n"
                               + "\n".join(problems))
        return replace(self, cls=cls, takes_context=_takes_context(cls))


_SUBCLASS_BINDINGS: "WeakKeyDictionary[type, Binding]" = WeakKeyDictionary()


def binding_of(cls_or_instance: Any) -> Binding:
    """The binding of a class decorated with `@implements` (or of a subclass or an instance)."""
    cls = cls_or_instance if isinstance(cls_or_instance, type) else type(cls_or_instance)
    own = cls.__dict__.get(BINDING_ATTRIBUTE)
    if own is not None:
        return own
    if cls in _SUBCLASS_BINDINGS:
        return _SUBCLASS_BINDINGS[cls]
    inherited = getattr(cls, BINDING_ATTRIBUTE, None)
    if not isinstance(inherited, Binding):
        raise BindingError(f"{cls.__qualname__} is not bound to a spec; decorate it with "
                           "@implements(\"file.ebb\", \"EbbName\")")
    binding = inherited.for_class(cls)
    _SUBCLASS_BINDINGS[cls] = binding
    return binding


# ---------------------------------------------------------------------------- @implements

def implements(spec: str | os.PathLike[str], ebb: str, *, types: Mapping[str, str] | None = None,
               abstraction: str = "abstraction") -> Callable[[T], T]:
    """Declare that the decorated class implements Ebb `ebb` of spec file `spec` (relative to
    the file of the module defining the class, or absolute). `types` maps the Ebb's type
    parameters to spec type text (`{"K": "int"}`); unmapped parameters take opaque values."""

    def bind(cls: T) -> T:
        path = _spec_path(spec, cls)
        result = load_spec(path)
        symbol = _find_ebb(result, path, ebb, cls)
        bound_types = _bind_types(symbol, dict(types or {}), cls)
        problems = _method_problems(cls, symbol)
        if symbol.model and not callable(getattr(cls, abstraction, None)):
            problems.append(f"  {symbol.span}: missing abstraction method `{abstraction}(self)`"
                            f" returning every model field: {_listing(symbol.model)}")
        if problems:
            raise BindingError(_headline(cls, symbol, path) + "\n" + "\n".join(problems))
        binding = Binding(
            spec_path=path, ebb=symbol, result=result, cls=cls, types=bound_types,
            type_text=dict(types or {}), abstraction=abstraction,
            takes_context=_takes_context(cls),
            methods={name: py_name(name) for name in (*symbol.ops, *symbol.events)})
        setattr(cls, BINDING_ATTRIBUTE, binding)
        return cls

    return bind


def _spec_path(spec: str | os.PathLike[str], cls: type) -> str:
    path = Path(spec)
    if not path.is_absolute():
        module = sys.modules.get(cls.__module__)
        module_file = getattr(module, "__file__", None)
        base = Path(module_file).resolve().parent if module_file else Path.cwd()
        path = base / path
    return str(path.resolve())


_SPECS: dict[str, tuple[int, CheckResult]] = {}  # absolute path -> (mtime_ns, result)


def load_spec(path: str) -> CheckResult:
    """The checked spec at absolute `path`, loaded once (again if the file changed)."""
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise BindingError(f"cannot read the spec `{path}`: {exc.strerror or exc}; hint: a "
                           "relative path is relative to the file of the module defining the "
                           "class") from None
    cached = _SPECS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    result = check_paths([path])
    _SPECS[path] = (stamp, result)
    return result


def _find_ebb(result: CheckResult, path: str, name: str, cls: type) -> EbbSymbol:
    if not result.ok:
        raise BindingError(f"{cls.__qualname__} implements `{name}` from `{path}`, but the spec "
                           f"has errors:\n{result.render()}")
    roots = [m for key, m in result.checked.modules.items() if key in result.roots]
    for msyms in [*roots, *result.checked.modules.values()]:
        if name in msyms.ebbs:
            return msyms.ebbs[name]
    known = [e for m in roots for e in m.ebbs]
    hint = did_you_mean(name, known, f"it declares {_listing(known)}")
    raise BindingError(f"{cls.__qualname__}: `{path}` declares no Ebb `{name}`; {hint}")


def _bind_types(ebb: EbbSymbol, given: dict[str, str], cls: type) -> dict[str, Type]:
    params = {p.name: p for p in ebb.type_params}
    unknown = [n for n in given if n not in params]
    if unknown:
        expected = _listing(params) if params else "none"
        raise BindingError(f"{cls.__qualname__}: types={given!r} names {_listing(unknown)}, "
                           f"which {ebb.name} does not declare (its type parameters: {expected})")
    bound: dict[str, Type] = {}
    for name, param in params.items():
        bound[name] = (_resolve_type_text(ebb, name, given[name], cls) if name in given
                       else param)
    return bound


def _resolve_type_text(ebb: EbbSymbol, param: str, text: str, cls: type) -> Type:
    """Spec type text -> a Type, resolved in the scope of the Ebb's file (so the file's records,
    enums and handles may be named). Parsed as the right-hand side of a type alias."""
    where = f"{cls.__qualname__}: types[{param!r}] = {text!r}"
    if not isinstance(text, str) or not text.strip():
        raise BindingError(f"{where} is not a spec type; hint: give type text such as \"int\" "
                           "or \"map<int, bool>\"")
    module, diagnostics = parse_text(f"type __bound__ = {text}\n", f"<types[{param!r}]>")
    items = module.items if module is not None else ()
    if (diagnostics or len(items) != 1 or not isinstance(items[0], A.AliasDecl)
            or items[0].doc is not None):
        detail = diagnostics[0].message if diagnostics else "more than one type"
        raise BindingError(f"{where} is not a spec type ({detail}); hint: give one type, such "
                           "as \"int\", \"nat[0..9]\" or \"map<int, bool>\"")
    reporter = Reporter()
    assert ebb.scope is not None and ebb.scope.parent is not None
    resolved = Resolver(reporter, builtin_scope(), {}).resolve_type(items[0].type,
                                                                    ebb.scope.parent)
    if reporter.diagnostics or isinstance(resolved, ErrorType):
        d = reporter.diagnostics[0] if reporter.diagnostics else None
        message = d.message if d else "not a type"
        hint = (d.hint if d and d.hint else "use a built-in type or one declared in the spec")
        raise BindingError(f"{where}: {message}; hint: {hint}")
    if _mentions_type_param(resolved):
        raise BindingError(f"{where} mentions a type parameter; hint: bind it to a concrete "
                           "type such as \"int\"")
    return resolved


def _mentions_type_param(t: Type) -> bool:
    found: list[Type] = []
    map_type(t, lambda x: found.append(x) if isinstance(x, TypeParam) else None)
    return bool(found)


# ---------------------------------------------------------------------------- signatures

def _headline(cls: type, ebb: EbbSymbol, path: str) -> str:
    return (f"{cls.__qualname__} does not implement {ebb.name} ({path}) as declared; "
            "each op and event needs a method with the spec's parameter names, in order:")


def _method_problems(cls: type, ebb: EbbSymbol) -> list[str]:
    members: list[OpSymbol | EventSymbol] = [*ebb.ops.values(), *ebb.events.values()]
    problems = []
    for member in members:
        problem = _signature_problem(cls, member)
        if problem:
            kind = "op" if isinstance(member, OpSymbol) else "event"
            spec_sig = f"{kind} {member.name}({', '.join(p.name for p in member.params)})"
            problems.append(f"  {member.span}: {spec_sig}: {problem}")
    return problems


def _signature_problem(cls: type, member: OpSymbol | EventSymbol) -> str | None:
    name = py_name(member.name)
    expected = [py_name(p.name) for p in member.params]
    wanted = f"def {name}(self{''.join(', ' + p for p in expected)})"
    raw = inspect.getattr_static(cls, name, None)
    if raw is None:
        return f"missing method `{name}`; add `{wanted}`"
    if isinstance(raw, staticmethod):
        function, drop = raw.__func__, 0
    elif isinstance(raw, classmethod):
        function, drop = raw.__func__, 1
    elif inspect.isfunction(raw):
        function, drop = raw, 1
    elif callable(raw):
        return None  # a callable object (say, a wrapper): its signature is its own business
    else:
        return f"`{name}` is not a method (a {type(raw).__name__} value); add `{wanted}`"
    try:
        params = list(inspect.signature(function).parameters.values())[drop:]
    except (TypeError, ValueError):  # pragma: no cover - signatures of builtins
        return None
    positional = [p for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = [p.name for p in positional[:len(expected)]]
    extra = [p for p in params[len(names):]
             if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    shown = f"`{name}({', '.join(p.name for p in params)})`"
    if names != expected:
        return (f"{shown} takes ({', '.join(names)}); the spec's parameters are "
                f"({', '.join(expected)}); write `{wanted}`")
    if extra:
        return (f"{shown} has extra required parameters {_listing(p.name for p in extra)}; "
                "give them defaults")
    return None


def _takes_context(cls: type) -> bool:
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):  # pragma: no cover - classes with C constructors
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in params)


def _listing(names: Any) -> str:
    items = [f"`{n}`" for n in names]
    return ", ".join(items) if items else "none"


__all__ = ["Binding", "BindingError", "Context", "binding_of", "implements", "load_spec",
           "py_name"]
