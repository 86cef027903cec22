"""A seeded random sample of mutants per package, for a mutation run that fits in a session.

    .venv/bin/mutmut results --all true | python scripts/mutation_sample.py 250 > var/sample.txt
    .venv/bin/mutmut run --max-children 2 $(cat var/sample.txt)

Reads ``mutmut results --all true`` (every mutant, checked or not) and prints ``N`` mutant
names of each package (all of them where a package has fewer), drawn with a fixed seed so
that a second run draws the same ones. The score of a sample estimates the package's score;
``scripts/mutation_score.py`` prints it with its 95 % interval.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict

from mutation_score import package_of

SEED = 17


def main() -> None:
    per_package = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    names: dict[str, list[str]] = defaultdict(list)
    for line in sys.stdin:
        name, sep, _status = line.strip().rpartition(": ")
        if sep:
            names[package_of(name)].append(name)
    rng = random.Random(SEED)
    for package in sorted(names):
        pool = sorted(names[package])
        for name in sorted(rng.sample(pool, min(per_package, len(pool)))):
            print(name)


if __name__ == "__main__":
    main()
