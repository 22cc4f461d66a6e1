"""The icontract form of an implementation, as the CrossHair engine reads it.

The form is a class whose op (and event) methods are decorated with icontract `require`,
`ensure` and `snapshot` (the contract compiler's `to_icontract(binding)`; a test may write one
by hand). Conditions name their arguments as icontract does: `self`, the op's parameters (Python
names), `result`, `OLD`. Class invariants (`@icontract.invariant`) are folded into every
method's postconditions here: CrossHair 0.0.113 reports "Confirmed over all paths" for a method
that breaks an icontract class invariant when the method has contracts of its own, so the
engine never leaves invariants to CrossHair's class handling.

A condition says which spec clause it checks (else it stands for the whole op) by one of:
an attribute `__ebb_clause__` on the condition function holding the compiler's `Clause`; a
description as `to_icontract` writes it (`file:line:col: Ebb.op: ensures `text``, read back
into a `ClauseRef`); or a description equal to the clause's id (`Counter.add.ensures.1`, the ids
of `_hyp_clauses`, handy in hand-written forms).

Methods are called unwrapped (`__wrapped__`), so icontract's own run-time checks never fire
inside an analysis: CrossHair treats an exception raised there as a failure of the caller.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import icontract

from ..errors import EbbrtError
from ._binding import Binding, Context, py_name


class FormUnavailable(EbbrtError, LookupError):
    """No icontract form can be had for a binding (the compiler's `to_icontract` is missing or
    failed): the engine reports every op SKIPPED with this reason."""


@dataclass(frozen=True)
class ClauseRef:
    """Where a condition says its clause is: the compiler's kind (`ensures`, `checked
    requires`, `case`, `modifies`, ...), the clause text, and the start of its span."""
    kind: str
    text: str
    line: int
    column: int
    exception: str | None = None


@dataclass(frozen=True)
class Condition:
    """One icontract condition, with what it says about its spec clause."""
    index: int                  # position among the op's postconditions (invariants last)
    contract: Any               # icontract's Contract
    is_invariant: bool
    ref: ClauseRef | None       # from `__ebb_clause__` or the description
    description: str            # icontract's description, or ""
    text: str                   # the condition as source text, for messages

    def holds(self, kwargs: dict[str, Any]) -> bool:
        condition = self.contract.condition
        return bool(condition(**{a: kwargs[a] for a in self.contract.condition_args
                                 if a in kwargs}))


@dataclass
class OpForm:
    """The contracted method for one op or event."""
    name: str                        # spec name
    function: Callable[..., Any]     # the method without icontract's wrappers
    preconditions: list[list[Any]]   # icontract's disjunction of conjunctions
    postconditions: list[Condition]
    snapshots: list[Any] = field(default_factory=list)

    @property
    def contracted(self) -> bool:
        return bool(self.preconditions or self.postconditions)

    def kwargs(self, instance: Any, params: Sequence[str], args: Sequence[Any]) -> dict[str, Any]:
        return {"self": instance, **{py_name(p): a for p, a in zip(params, args)}}

    def requires(self, kwargs: dict[str, Any]) -> bool:
        """Whether the preconditions hold (some group of them all hold; none: true)."""
        if not self.preconditions:
            return True
        for group in self.preconditions:
            if all(_call(c.condition, c.condition_args, kwargs) for c in group):
                return True
        return False

    def old(self, kwargs: dict[str, Any]) -> Any:
        """icontract's `OLD`: every snapshot captured before the call."""
        captured = {s.name: _call(s.capture, s.args, kwargs) for s in self.snapshots}
        return _Old(captured)


class _Old:
    """What `OLD` looks like to a postcondition: the snapshots as attributes."""

    def __init__(self, captured: dict[str, Any]) -> None:
        self.__dict__.update(captured)

    def __repr__(self) -> str:
        return "OLD(" + ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()) + ")"


@dataclass
class Form:
    """The icontract form of one bound implementation."""
    cls: type
    ops: dict[str, OpForm]
    init: Callable[..., Any]   # the bound class's own `__init__`
    takes_context: bool

    def create(self, context: Context) -> Any:
        """A fresh instance of the form, initialised by the bound class's `__init__` (not
        icontract's, which would check the class invariants there: they are judged after the
        op under check, with the other postconditions)."""
        instance = self.cls.__new__(self.cls)
        if self.takes_context:
            self.init(instance, context)
        else:
            self.init(instance)
        return instance


def read_form(cls: type, binding: Binding) -> Form:
    """The icontract form `cls` of `binding`'s Ebb: each op's and event's contracts, with the
    class invariants appended to every method's postconditions. The form must be the bound
    class or a subclass of it (history steps call the bound class's own methods on it)."""
    if not (isinstance(cls, type) and issubclass(cls, binding.cls)):
        raise FormUnavailable(f"the icontract form {cls!r} is not a subclass of "
                              f"{binding.cls.__qualname__}, the class bound to "
                              f"{binding.ebb.name}")
    invariants = list(getattr(cls, "__invariants__", None) or ())
    ops: dict[str, OpForm] = {}
    for name, method_name in binding.methods.items():
        raw = inspect.getattr_static(cls, method_name, None)
        if raw is None:
            continue
        function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
        checker = icontract._checkers.find_checker(func=function)  # noqa: SLF001 - as CrossHair
        pre = list(getattr(checker, "__preconditions__", None) or [])
        post = list(getattr(checker, "__postconditions__", None) or [])
        snaps = list(getattr(checker, "__postcondition_snapshots__", None) or [])
        conditions = [_condition(i, c, False) for i, c in enumerate(post)]
        conditions += [_condition(len(post) + i, c, True) for i, c in enumerate(invariants)]
        ops[name] = OpForm(name, _unwrap(function), [list(g) for g in pre], conditions, snaps)
    return Form(cls, ops, _unwrap(binding.cls.__init__), binding.takes_context)


def form_for(binding: Binding) -> Form:
    """The compiler's icontract form of `binding` (`to_icontract`), read."""
    try:
        from ._icontract import to_icontract  # type: ignore[import-not-found]
    except ImportError:
        raise FormUnavailable("the contract compiler's `to_icontract` is not available, so "
                              "there is no icontract form to check") from None
    try:
        cls = to_icontract(binding)
    except Exception as exc:  # noqa: BLE001 - a compiler failure is a reason, not a crash
        raise FormUnavailable(f"`to_icontract` failed on {binding.ebb.name}: "
                              f"{type(exc).__name__}: {exc}") from None
    return read_form(cls, binding)


def _condition(index: int, contract: Any, is_invariant: bool) -> Condition:
    description = contract.description if isinstance(contract.description, str) else ""
    clause = getattr(contract.condition, "__ebb_clause__", None)
    span = getattr(clause, "span", None)
    if clause is not None and span is not None:
        ref: ClauseRef | None = ClauseRef(str(getattr(clause, "kind", "")),
                                          str(getattr(clause, "text", "")), span.line,
                                          span.column, getattr(clause, "exception", None))
    else:
        ref = parse_description(description)
    return Condition(index, contract, is_invariant, ref, description,
                     _source(contract.condition))


# `to_icontract`'s descriptions: "<file>:<line>:<col>: <Ebb>[.<op>]: <title> `<text>`[ (<label>)]"
_DESCRIPTION = re.compile(r"(?s)^(?P<file>.*?):(?P<line>\d+):(?P<column>\d+): [\w.]+: "
                          r"(?P<title>[^`]*?) ?`(?P<text>[^`]*)`(?: \(.*\))?$")
_TITLES = (("checked requires", "checked requires"), ("throws", "throws"),
           ("requires", "requires"), ("ensures", "ensures"), ("returns", "returns"),
           ("case", "case"), ("modifies", "modifies"), ("invariant", "invariant"),
           ("when", "when"), ("on core", "on core"))


def parse_description(description: str) -> ClauseRef | None:
    """The clause a `to_icontract` description names, or None for any other text."""
    match = _DESCRIPTION.match(description)
    if match is None:
        return None
    title = match["title"]
    kind = next((k for prefix, k in _TITLES if title.startswith(prefix)), None)
    if kind is None:
        return None
    exception = None
    if kind == "throws":
        exception = title.split()[1] if len(title.split()) > 1 else None
    elif kind == "checked requires" and "(throws " in title:
        exception = title.split("(throws ", 1)[1].rstrip(")").strip()
    return ClauseRef(kind, match["text"], int(match["line"]), int(match["column"]), exception)


def _source(condition: Callable[..., Any]) -> str:
    """The condition's text: a lambda's own source (as icontract shows it), else its name."""
    try:
        represented = icontract._represent.inspect_lambda_condition(  # noqa: SLF001
            condition=condition)
    except Exception:  # noqa: BLE001 - no source to read: fall back below
        represented = None
    if represented is not None:
        return str(represented.text)
    if getattr(condition, "__name__", "") != "<lambda>":
        return condition.__name__
    try:
        lines, _ = inspect.getsourcelines(condition)
    except (OSError, TypeError):
        return getattr(condition, "__name__", "condition")
    return " ".join(line.strip() for line in lines)[:200]


def _call(function: Callable[..., Any], names: Sequence[str], kwargs: dict[str, Any]) -> Any:
    return function(**{a: kwargs[a] for a in names if a in kwargs})


def _unwrap(function: Any) -> Any:
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function


__all__ = ["ClauseRef", "Condition", "Form", "FormUnavailable", "OpForm", "form_for",
           "parse_description", "read_form"]
