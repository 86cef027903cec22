"""The mutation score per package from ``mutmut results --all true`` (read from stdin).

    .venv/bin/mutmut results --all true | python scripts/mutation_score.py

Prints a Markdown table: per package, mutants killed (a test failed, or the mutant hung and
timed out) out of those checked, and the survivors and mutants no selected test reaches.
Mutants not checked yet (a bounded run or a sample, ``scripts/mutation_sample.py``) are
counted apart and left out of the score; the 95 % interval (Wilson's) says how far a sample's
score may be from the whole package's.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict

KILLED = {"killed", "timeout"}


def package_of(mutant: str) -> str:
    """``warning.review.decisions.x_approve__mutmut_3`` -> ``warning.review``."""
    parts = mutant.split(".")
    return ".".join(parts[:2]) if parts[0] == "warning" else parts[0]


def wilson_interval(killed: int, checked: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % interval of a proportion ``killed / checked`` (Wilson's score interval)."""
    p = killed / checked
    centre = (p + z * z / (2 * checked)) / (1 + z * z / checked)
    half = z * math.sqrt(p * (1 - p) / checked + z * z / (4 * checked * checked))
    half /= 1 + z * z / checked
    return centre - half, centre + half


def main() -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in sys.stdin:
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            counts[package_of(name)][status] += 1
    print(
        "| package | killed / checked | score | 95 % interval | timed out | survived "
        "| no tests | not checked |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for package, seen in sorted(counts.items()):
        killed = sum(seen[status] for status in KILLED)
        checked = sum(n for status, n in seen.items() if status != "not checked")
        score = f"{100 * killed / checked:.0f} %" if checked else "-"
        low, high = wilson_interval(killed, checked) if checked else (0.0, 0.0)
        interval = f"{100 * low:.0f}-{100 * high:.0f} %" if checked else "-"
        print(
            f"| {package} | {killed} / {checked} | {score} | {interval} | {seen['timeout']} "
            f"| {seen['survived']} | {seen['no tests']} | {seen['not checked']} |"
        )


if __name__ == "__main__":
    main()
