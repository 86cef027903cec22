"""Run every benchmark, write ``var/bench/results.json`` and print a table.

Usage: ``python -m benchmarks [NAME ...]`` where NAME is a module suffix (``ingest``, ``rules``).
Figures are compared against a baseline measured in the same run, so ratios survive noisy,
shared machines; absolute seconds are reported alongside for context.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

RESULTS = Path("var/bench/results.json")


def discover(selected: list[str]) -> list[str]:
    names = sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))
    if selected:
        names = [name for name in names if name.removeprefix("bench_") in selected]
    return names


def main(argv: list[str]) -> int:
    results: dict[str, float] = {}
    if RESULTS.exists() and argv:
        results.update(json.loads(RESULTS.read_text()))  # a partial run keeps other figures
    for name in discover(argv):
        started = time.perf_counter()
        print(f"running {name} ...", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        figures = module.run()
        results.update({key: float(value) for key, value in figures.items()})
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    width = max((len(key) for key in results), default=10)
    print(f"\n{'figure':<{width}}  value")
    for key, value in sorted(results.items()):
        print(f"{key:<{width}}  {value:,.4g}")
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
