"""The binding protocol: `@implements` checks a class against its spec when it is defined."""

from __future__ import annotations

import enum
import os
from pathlib import Path

import pytest

from ebbrt import EbbrtError
from ebbrt.spec import IntType, MapType, RecordType, TypeParam
from ebbrt.verifier import Binding, BindingError, Context, binding_of, implements
from ebbrt.verifier._binding import load_spec
from ebbrt.verifier._values import NONE, EnumValue, FrozenMap, RecordValue, Some

DATA = Path(__file__).parent / "data"
LIBRARY = Path(__file__).parents[2] / "ebbs"


def box_class(**overrides: object) -> type:
    """A class binding Box; `overrides` replace (or, set to None, delete) its methods."""
    def put(self, x): ...
    def take(self): ...
    def peek(self, i): ...
    def classify(self, x): ...
    def ends(self): ...
    def span(self): ...
    def resize(self, n): ...
    def drain(self, c): ...
    def abstraction(self): return {"items": (), "limit": 3}
    namespace = {"put": put, "take": take, "peek": peek, "classify": classify, "ends": ends,
                 "span": span, "resize": resize, "drain": drain, "abstraction": abstraction}
    for name, value in overrides.items():
        if value is None:
            namespace.pop(name)
        else:
            namespace[name] = value
    return implements("data/box.ebb", "Box")(type("Box", (), namespace))


def problems(**overrides: object) -> str:
    with pytest.raises(BindingError) as info:
        box_class(**overrides)
    return str(info.value)


def test_a_matching_class_is_bound() -> None:
    cls = box_class()
    binding = binding_of(cls)
    assert isinstance(binding, Binding) and binding.cls is cls
    assert binding.ebb.name == "Box" and binding.spec_path == str((DATA / "box.ebb").resolve())
    assert binding.methods == {n: n for n in ("put", "take", "peek", "classify", "ends",
                                              "span", "resize", "drain")}
    assert binding.create().__class__ is cls  # no __init__ parameter: cls()
    assert binding.model(cls()) == {"items": (), "limit": 3}
    assert binding_of(cls()) is binding


def test_binding_error_is_a_type_error_and_an_ebbrt_error() -> None:
    assert issubclass(BindingError, TypeError) and issubclass(BindingError, EbbrtError)


def test_every_missing_or_mismatched_method_is_named_with_its_spec_location() -> None:
    def put(self, y): ...
    def peek(self, i, extra): ...
    text = problems(put=put, peek=peek, take=None, drain=None)
    assert "Box does not implement Box" in text
    assert "box.ebb:14:6: op put(x)" in text and "takes (y); the spec's parameters are (x)" in text
    assert "box.ebb:21:6: op take()" in text and "missing method `take`" in text
    assert "op peek(i)" in text and "extra required parameters `extra`" in text
    assert "event drain(c): missing method `drain`; add `def drain(self, c)`" in text
    assert "op classify" not in text  # only the problems


def test_parameters_out_of_order_and_non_methods_are_reported() -> None:
    def resize(self, m): ...
    text = problems(resize=resize, classify=3)
    assert "`resize(m)` takes (m)" in text
    assert "`classify` is not a method (a int value)" in text


def test_extra_parameters_with_defaults_and_static_methods_are_accepted() -> None:
    def peek(self, i, verbose=False, *rest, **options): ...
    cls = box_class(peek=peek, classify=staticmethod(lambda x: 0))
    assert binding_of(cls).ebb.name == "Box"


def test_missing_abstraction_is_reported() -> None:
    text = problems(abstraction=None)
    assert "missing abstraction method `abstraction(self)`" in text
    assert "`items`, `limit`" in text


def test_another_abstraction_name_can_be_given() -> None:
    @implements(DATA / "box.ebb", "Arith", abstraction="state")
    class NoModel:  # Arith has no model: no abstraction needed
        def clamp(self, x, lo, hi): ...
        def quotient(self, a, b): ...
        def bump(self, w): ...
    assert binding_of(NoModel).model(NoModel()) == {}


def test_a_missing_spec_file_is_reported() -> None:
    with pytest.raises(BindingError, match=r"cannot read the spec `.*nope\.ebb`.*relative"):
        @implements("data/nope.ebb", "Box")
        class Nope:
            pass


def test_a_spec_with_errors_is_reported_with_its_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ebb"
    bad.write_text('ebb Bad shared {\n  "doc"\n  model x: nat = 0 "x"\n'
                   '  op f() -> nat "f" returns y\n}\n')
    with pytest.raises(BindingError) as info:
        @implements(bad, "Bad")
        class Broken:
            pass
    text = str(info.value)
    assert "the spec has errors" in text and "unknown name `y`" in text and "^" in text


def test_an_unknown_ebb_gets_a_suggestion() -> None:
    with pytest.raises(BindingError, match="declares no Ebb `Bx`; did you mean `Box`"):
        @implements("data/box.ebb", "Bx")
        class Nope:
            pass


def test_types_are_spec_type_text_resolved_in_the_spec_file() -> None:
    @implements(LIBRARY / "unordered_map.ebb", "UnorderedMap",
                types={"K": "int", "V": "map<int, Iter<int>>"})
    class Map:
        def abstraction(self): return {"entries": {}}
        def insert(self, k, v): ...
        def insert_or_assign(self, k, v): ...
        def erase(self, k): ...
        def at(self, k): ...
        def find(self, k): ...
        def contains(self, k): ...
        def size(self): ...
    binding = binding_of(Map)
    assert binding.types["K"] == IntType()
    value = binding.types["V"]
    assert isinstance(value, MapType) and isinstance(value.value, RecordType)
    assert value.value.symbol.name == "Iter"
    assert binding.type_text == {"K": "int", "V": "map<int, Iter<int>>"}


@pytest.mark.parametrize("text, message", [
    ("mapp<int>", r"unknown type `mapp`; hint: did you mean `map`"),
    ("int\nebb X shared {}", r"is not a spec type"),
    ("", r"is not a spec type"),
    ("map<int>", r"`map` takes 2 type arguments"),
    ("K", r"unknown type `K`"),
])
def test_bad_type_text_is_a_binding_error_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(BindingError, match=message):
        @implements(LIBRARY / "unordered_set.ebb", "UnorderedSet", types={"K": text})
        class Set:
            pass


def test_types_for_unknown_parameters_are_reported() -> None:
    with pytest.raises(BindingError, match=r"names `T`, which UnorderedSet does not declare"):
        @implements(LIBRARY / "unordered_set.ebb", "UnorderedSet", types={"T": "int"})
        class Set:
            pass


def test_unmapped_type_parameters_stay_opaque() -> None:
    cls = _unordered_set()
    (param,) = binding_of(cls).ebb.type_params
    assert binding_of(cls).types == {"K": param} and isinstance(param, TypeParam)


def _unordered_set() -> type:
    @implements(LIBRARY / "unordered_set.ebb", "UnorderedSet")
    class Set:
        def __init__(self, context): self.context = context
        def abstraction(self): return {"elems": set()}
        def insert(self, t): ...
        def erase(self, k): ...
        def find(self, k): ...
        def contains(self, k): ...
        def size(self): ...
        def clear(self): ...
    return Set


def test_create_passes_the_context_when_init_takes_one() -> None:
    cls = _unordered_set()
    context = Context(now=5, this_core=1, ncores=2)
    assert binding_of(cls).create(context).context is context
    assert isinstance(binding_of(cls).create().context, Context)
    assert repr(Context()) == "Context(now=0, this_core=0, ncores=1)"


def test_specs_are_loaded_once_per_path() -> None:
    first, second = box_class(), box_class()
    assert binding_of(first).result is binding_of(second).result
    assert load_spec(str((DATA / "box.ebb").resolve())) is binding_of(first).result


def test_subclasses_get_their_own_binding_and_are_checked() -> None:
    base = box_class()
    variant = type("Variant", (base,), {"peek": lambda self, i: 1})
    assert binding_of(variant).cls is variant and binding_of(variant).ebb is binding_of(base).ebb
    wrong = type("Wrong", (base,), {"peek": lambda self, j: 1})
    with pytest.raises(BindingError, match=r"`peek\(j\)` takes \(j\)"):
        binding_of(wrong)
    with pytest.raises(BindingError, match="not bound to a spec"):
        binding_of(object)


class Colour(enum.Enum):
    Red = 1


def test_to_spec_converts_python_shapes(tmp_path: Path) -> None:
    spec = tmp_path / "shapes.ebb"
    spec.write_text(
        'enum Colour { "c" Red, Blue }\nrecord Pair { "p" a: int  b: option<int> }\n'
        'ebb Shapes shared {\n  "s"\n  model m: map<int, seq<Pair>> = {} "m"\n'
        '  model s: set<Colour> = {} "s"\n  model o: option<Pair> = none "o"\n}\n')

    @implements(spec, "Shapes")
    class Shapes:
        def abstraction(self):
            return {"m": {1: [Pair(2, None)]}, "s": {Colour.Red, "Blue"}, "o": Pair(3, 4)}

    class Pair:
        def __init__(self, a, b): self.a, self.b = a, b

    model = binding_of(Shapes).model(Shapes())
    pair = RecordValue("Pair", (("a", 2), ("b", NONE)))
    assert model["m"] == FrozenMap({1: (pair,)})
    assert model["s"] == frozenset({EnumValue("Colour", "Red"), EnumValue("Colour", "Blue")})
    assert model["o"] == Some(RecordValue("Pair", (("a", 3), ("b", Some(4)))))


def test_an_abstraction_with_wrong_keys_is_reported() -> None:
    cls = box_class(abstraction=lambda self: {"items": (), "limt": 3})
    with pytest.raises(BindingError, match=r"lacks `limit` and has `limt`, which Box does not"):
        binding_of(cls).model(cls())
    cls = box_class(abstraction=lambda self: [1])
    with pytest.raises(BindingError, match="returned list; it must return a dict"):
        binding_of(cls).model(cls())


def test_python_keywords_are_spelled_with_an_underscore(tmp_path: Path) -> None:
    spec = tmp_path / "kw.ebb"
    spec.write_text('ebb Kw shared {\n  "k"\n  op lambda(from: int) -> int "l" returns from\n}\n')

    @implements(spec, "Kw")
    class Kw:
        def lambda_(self, from_): return from_
    assert binding_of(Kw).methods == {"lambda": "lambda_"}


def test_an_absolute_path_works_from_anywhere(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    cls = implements(os.path.abspath(DATA / "box.ebb"), "Arith")(
        type("A", (), {"clamp": lambda self, x, lo, hi: x, "quotient": lambda self, a, b: 0,
                       "bump": lambda self, w: w}))
    assert binding_of(cls).ebb.name == "Arith"
