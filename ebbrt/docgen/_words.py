"""The English of the reference pages: one registry per construct, so wording changes in one place.

Clauses are said the way the C++ standard's library clauses say them; expressions themselves are
printed in spec syntax (`format_expr`) inside code, never paraphrased.
"""

from __future__ import annotations

from ..spec import ast as A
from ..spec._printer import format_expr
from ..spec._printer import format_formula as formula_text
from ..spec._printer import format_pattern as pattern_text
from ._model import Code, Inline, Line, Text, code

# representative scope -> what it means for the caller
SCOPE_WORDS = {
    "per_core": "one representative per core; a call reaches the calling core's representative",
    "per_node": "one representative per node, shared by the node's cores",
    "shared": "one object for the whole system",
    "distributed": "one representative per node, found through a global id map",
}

# sync kind -> its meaning; `on core(...)` and `with ...` are added after it
SYNC_WORDS = {
    "local": "Local: runs on the calling core and touches only that core's representative; "
             "it is not ordered with operations on other cores",
    "atomic": "Atomic: linearizable with every other operation of the Ebb, from any core",
    "remote": "Remote: runs on another core",
}

# complexity bound kind -> its name in a sentence
BOUND_WORDS = {"average": "average", "worst": "worst", "amortized": "amortized"}

# (complete, disjoint) -> how many cases apply, said before the list of cases
CASES_LEAD = {
    (True, True): "Exactly one of these cases applies (they are complete and disjoint):",
    (True, False): "At least one of these cases applies (they are complete; "
                   "more than one may apply):",
    (False, True): "At most one of these cases applies (they are disjoint; "
                   "when none applies, none of their effects is promised):",
    (False, False): "Each case whose condition holds applies (they are declared "
                    "neither complete nor disjoint):",
}

DECL_WORDS = {
    "handle": "An opaque handle: values compare for equality and nothing else.",
    "func_uninterpreted": "Uninterpreted: only its signature is known.",
    "pure": "Pure: changes no model state and has no effect a caller can observe other than "
            "its result",
    "model_any": "any value satisfying the invariants",
    "throws_unchanged": "; the model is left as it was",
}


def expr(e: A.Expr) -> Code:
    return Code((format_expr(e),))


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def complexity_line(clause: A.Complexity) -> Line:
    """`Average O(1), worst O(size(elems)) in calls(hash) + calls(eq)`."""
    line: list[Inline] = []
    for i, bound in enumerate(clause.bounds):
        word = BOUND_WORDS.get(bound.kind, bound.kind)
        line.append(Text(f"{', ' if i else ''}{sentence_case(word) if i == 0 else word} "))
        line.append(Code((f"O({format_expr(bound.expr)})",)))
    line.append(Text(" in "))
    line.append(expr(clause.measure))
    return tuple(line)


def formula_words(f: A.Formula) -> Line:
    """The formula in words, with its parts in code."""
    if isinstance(f, A.Always):
        return (Text("In every state, "), expr(f.expr), Text(" holds."))
    if isinstance(f, A.NeverBefore):
        event, before = code(pattern_text(f.event)), code(pattern_text(f.before))
        if f.offset is None:
            return (Text("No "), event, Text(" occurs before a matching "), before,
                    Text(" has occurred."))
        return (Text("No "), event, Text(" occurs earlier than "), expr(f.offset),
                Text(" after a matching "), before, Text("."))
    if isinstance(f, A.LeadsTo):
        line: list[Inline] = [
            Text("Every "), code(pattern_text(f.trigger)), Text(" is followed by a matching "),
            code(pattern_text(f.response)), Text(" no sooner than "), expr(f.low),
            Text(" and no later than "), expr(f.high), Text(" after it"),
        ]
        unless = getattr(f, "unless", None)
        if unless is not None:
            line += [Text(", unless a matching "), code(pattern_text(unless)),
                     Text(" occurs first")]
        line.append(Text("."))
        return tuple(line)
    raise TypeError(f"bug: no wording for {type(f).__name__}")
