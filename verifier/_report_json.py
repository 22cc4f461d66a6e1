"""The JSON report of a prover run: `ebb prove --format json`.

The shape is fixed by `schemas/ebb-prove-report.schema.json` (shipped with the package; the tests
validate every report against it). Format version 1:

    {"format": "ebb-prove", "version": 1, "tool": {"name": "ebb", "version": "0.1.0"},
     "budget": 2000000, "exit_status": 1,
     "summary": {"obligations": 42, "proved": 40, "refuted": 1, "unknown": 1, "skipped": 0,
                 "warnings": 0, "from_cache": 38},
     "ebbs": [{"ebb": "Timer", "proved": 12, ...}, ...],
     "results": [{"obligation": "Timer.start.invariant_preserved.real_cores", "kind": ...,
                  "verdict": "REFUTED", "location": {"file": ..., "line": 31, ...},
                  "counterexample": {"args": {...}, "pre": {...}, "post": {...}, "env": {...}},
                  "cached": false, ...}, ...]}

Nothing in it depends on the time or the machine, so two runs of the same specs with the same
budget give the same report (apart from `from_cache` and `cached`).
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ._runner import OUTCOMES, ProveReport

FORMAT = "ebb-prove"
VERSION = 1
SCHEMA = "ebb-prove-report.schema.json"  # in verifier/schemas/


def report_dict(report: ProveReport) -> dict[str, Any]:
    counts = report.counts
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "ebb", "version": __version__},
        "budget": report.budget,
        "exit_status": report.exit_status,
        "summary": {"obligations": len(report.results), **counts,
                    "from_cache": report.from_cache},
        "ebbs": [{"ebb": ebb, **{name: c[name] for name in OUTCOMES}}
                 for ebb, c in report.by_ebb().items()],
        "results": [{**r.as_dict(), "cached": r.cached} for r in report.results],
    }


def render_json(report: ProveReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


__all__ = ["FORMAT", "SCHEMA", "VERSION", "render_json", "report_dict"]
