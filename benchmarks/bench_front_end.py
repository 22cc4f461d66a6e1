"""Front-end throughput: parse, then parse + resolve + type-check, a generated 10,000-line spec.

    python benchmarks/bench_front_end.py [--lines N] [--repeat R]

Prints lines per second for each stage (best of R runs). Not a test: numbers, not verdicts.
"""

from __future__ import annotations

import argparse
import time

from ebbrt.spec import check_text, parse_text

_EBB = '''
ebb Store{i} shared {{
  "A generated Ebb, number {i}."
  record Slot{i} {{
    key: nat
    value: u32 "payload"
    due: time
  }}
  model slots: map<nat, Slot{i}> = {{}} "Slots by key."
  model order: seq<nat> = []
  model count: nat[0..1000000] = 0
  invariant bounded: size(slots) <= 1000000
  invariant keys_match: forall k in slots: slots[k].key == k
  op put(k: nat, v: u32, d: duration) -> fresh: bool
    "Stores v under k."
    requires size(slots) < 1000000 "room left"
    modifies slots, order
    ensures slots == old(slots)[k := Slot{i}{{key: k, value: v, due: now + d}}]
    ensures fresh == (k !in old(slots))
    ensures size(order) >= size(old(order))
    sync atomic
    complexity average O(1), worst O(size(slots)) in calls(hash) + calls(eq)
  op get(k: nat) -> u32
    "The value under k."
    pure
    checked requires k in slots throws InvalidArgument
    returns slots[k].value
  op drop(k: nat)
    modifies slots
    cases complete disjoint {{
      case present when k in old(slots) ensures slots == old(slots) - {{k}}
      case absent when k !in old(slots) ensures slots == old(slots)
    }}
}}
'''


def generate(lines: int) -> str:
    parts: list[str] = []
    total = 0
    i = 0
    while total < lines:
        chunk = _EBB.format(i=i)
        parts.append(chunk)
        total += chunk.count("\n")
        i += 1
    return "".join(parts)


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    text = generate(args.lines)
    n = text.count("\n")
    module, diags = parse_text(text, "generated.ebb")
    assert module is not None and not diags, diags[:3]
    result = check_text(text, "generated.ebb")
    assert result.ok, result.diagnostics[:3]
    parse_s = best_of(args.repeat, lambda: parse_text(text, "generated.ebb"))
    check_s = best_of(args.repeat, lambda: check_text(text, "generated.ebb"))
    print(f"spec: {n} lines, {len(module.items)} ebbs")
    print(f"parse:               {n / parse_s:>10,.0f} lines/s  ({parse_s:.3f} s)")
    print(f"parse+resolve+check: {n / check_s:>10,.0f} lines/s  ({check_s:.3f} s)")
    print(f"checking adds {check_s / parse_s:.2f}x the parse time")


if __name__ == "__main__":
    main()
