"""The one registry of diagnostic codes. A code, once published, keeps its meaning.

Ranges: E1xx reading and parsing, E2xx names and imports, E3xx types and clauses,
W4xx warnings. docs/diagnostics.md lists them all (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    hint: str  # the default hint, used when a diagnostic gives none of its own


_REGISTRY: dict[str, Code] = {}


def _code(code: str, title: str, hint: str) -> str:
    if code in _REGISTRY:  # pragma: no cover - guards the table below
        raise RuntimeError(f"bug: diagnostic code {code} registered twice")
    _REGISTRY[code] = Code(code, title, hint)
    return code


def lookup(code: str) -> Code:
    return _REGISTRY[code]


def all_codes() -> tuple[Code, ...]:
    return tuple(_REGISTRY[c] for c in sorted(_REGISTRY))


# -- E1xx: reading and parsing
FILE_UNREADABLE = _code("E100", "file cannot be read",
                        "check the path and its permissions")
NOT_UTF8 = _code("E101", "file is not UTF-8 text",
                 "spec files are UTF-8 text; is this a binary file?")
UNEXPECTED_CHAR = _code("E102", "unexpected character",
                        "remove the character, or quote it inside a \"doc string\"")
UNEXPECTED_TOKEN = _code("E103", "unexpected token",
                         "see docs/language.md for the construct's syntax")
UNEXPECTED_EOF = _code("E104", "unexpected end of file",
                       "a declaration is unfinished: is a `}` or an expression missing?")
UNTERMINATED_STRING = _code("E105", "unterminated string",
                            "close the string with `\"` on the same line")
TOO_DEEP = _code("E106", "nesting too deep",
                 "split the expression with a helper `func`")
MISSING_BRACE = _code("E107", "missing closing brace",
                      "add `}` to close the declaration")
BAD_CLAUSE_ORDER = _code("E108", "clause outside an operation",
                         "clauses such as `requires` and `ensures` follow an `op` header")
MISSING_TYPE = _code("E109", "missing type",
                     "write `name: type`")
NO_SCOPE = _code("E110", "missing representative scope",
                 "write one of per_core, per_node, shared, distributed after the Ebb's name")
KEYWORD_AS_NAME = _code("E111", "keyword used as a name",
                        "choose another name; keywords are listed in docs/language.md")
TOO_LARGE = _code("E112", "file too large",
                  "split the specification into several files joined by `import`")
MISSING_EXPRESSION = _code("E113", "missing expression",
                           "write the value or condition the clause needs")
UNTERMINATED_COMMENT = _code("E114", "unterminated block comment",
                             "close the comment with `*/` (block comments do not nest)")
OUTSIDE_EBB = _code("E115", "declaration outside an Ebb",
                    "models, invariants, operations, events, protocols and temporal properties "
                    "are declared inside `ebb NAME SCOPE { ... }`")

# -- E2xx: names and imports
UNKNOWN_NAME = _code("E200", "unknown name",
                     "declare it, import it, or fix the spelling")
DUPLICATE = _code("E201", "duplicate declaration",
                  "rename one of the two declarations")
UNKNOWN_TYPE = _code("E202", "unknown type",
                     "declare the type, import it, or use a built-in type")
IMPORT_NOT_FOUND = _code("E203", "imported file not found",
                         "paths are relative to the importing file, then the bundled library")
IMPORT_CYCLE = _code("E204", "import cycle",
                     "move the shared declarations into a file both can import")
IMPORT_UNKNOWN_NAME = _code("E205", "imported name not declared",
                            "check the names the imported file declares")
WRONG_TYPE_ARGS = _code("E206", "wrong number of type arguments",
                        "give exactly as many type arguments as the type declares")
UNKNOWN_FIELD = _code("E207", "unknown field",
                      "check the record's declared fields")
UNKNOWN_OP = _code("E208", "unknown operation or event",
                   "name an `op` or `event` of this Ebb")
UNKNOWN_EXCEPTION = _code("E209", "unknown exception",
                          "declare it with `exception Name`, or use InvalidArgument")
UNKNOWN_FUNCTION = _code("E210", "unknown function",
                         "declare it with `func`, or use a built-in function")
UNKNOWN_MODEL = _code("E211", "not model state",
                      "`modifies` lists model fields declared with `model`")
RECURSIVE_ALIAS = _code("E212", "recursive type alias",
                        "an alias must name a type that does not mention the alias itself")

# -- E3xx: types and clauses
TYPE_MISMATCH = _code("E300", "type mismatch",
                      "convert the value or fix the expression")
OLD_OUTSIDE_POST = _code("E301", "old() outside a postcondition",
                         "old(...) may appear only in ensures, returns, throws...ensures and case effects")
RESULT_OUTSIDE_POST = _code("E302", "result used outside a postcondition",
                            "result names may appear only in postconditions")
BAD_ARITY = _code("E303", "wrong number of arguments",
                  "check the function's parameters")
NOT_BOOL = _code("E304", "condition is not a bool",
                 "a clause's condition must be a bool expression")
BAD_RANGE = _code("E305", "bad integer range",
                  "write `int[low..high]` with low <= high")
BAD_DURATION = _code("E306", "mixing time units",
                     "durations add to durations and times; multiply a duration by an int")
NOT_COLLECTION = _code("E307", "not a collection",
                       "quantify over a set, a map (its keys) or a sequence")
BAD_INDEX = _code("E308", "value cannot be indexed",
                  "index a map by key or a sequence by position")
BAD_PROTOCOL = _code("E309", "malformed protocol",
                     "name a handle type and label transitions with operations or events that take it")
NOT_GENERIC_CONTEXT = _code("E310", "not allowed here",
                            "see the construct's section in docs/language.md")
BAD_MESSAGE_FIELD = _code("E311", "bad message field number",
                          "field numbers are distinct and between 1 and 536870911")
BAD_REFINES = _code("E312", "bad refinement mapping",
                    "map every model field of the refined Ebb exactly once")
MODIFIES_PURE = _code("E313", "pure operation modifies state",
                      "drop `pure`, or drop the `modifies` clause")
BAD_COMPLEXITY = _code("E314", "bad complexity bound",
                       "use `O(expr)` over sizes of parameters and model state, e.g. O(size(elems))")
CLAUSE_TWICE = _code("E315", "clause given twice",
                     "give the clause once; merge what the copies say")
REFINES_SIGNATURE = _code("E316", "signature differs from the refined Ebb",
                          "declare every operation and event of the refined Ebb, with the same "
                          "parameter and result types")
CHAINED_MEMBERSHIP = _code("E317", "membership test in a chain",
                           "join the tests with `&&`: `a in s && b in t`")

# -- W4xx: warnings
UNUSED_IMPORT = _code("W400", "unused import", "remove the import")
NO_DOC = _code("W401", "declaration has no doc string",
               "add a \"doc string\" after the declaration's header")
