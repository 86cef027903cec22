"""scripts/mutation_score.py and scripts/mutation_sample.py: the score's interval, the sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from mutation_score import package_of, wilson_interval  # noqa: E402


@pytest.mark.parametrize(
    ("killed", "checked", "low", "high"),
    [
        (81, 100, 0.7222, 0.8749),  # Wilson's interval as tabulated (Newcombe 1998, z = 1.96)
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_the_score_interval_is_wilsons(killed: int, checked: int, low: float, high: float) -> None:
    found = wilson_interval(killed, checked)
    assert found == pytest.approx((low, high), abs=1e-4)


def test_packages_are_the_services_second_level_or_an_engine() -> None:
    assert package_of("warning.review.decisions.x_approve__mutmut_3") == "warning.review"
    assert package_of("rules.levels.x_level__mutmut_1") == "rules"


def run(script: str, stdin: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_sample_takes_n_per_package_the_same_each_time() -> None:
    names = [f"warning.review.m.x_f__mutmut_{i}" for i in range(30)]
    names += [f"rules.m.x_f__mutmut_{i}" for i in range(3)]
    listing = "".join(f"    {name}: not checked\n" for name in names)
    first = run("mutation_sample.py", listing, "5").split()
    assert first == run("mutation_sample.py", listing, "5").split()
    review = [name for name in first if name.startswith("warning.review.")]
    assert len(review) == 5 and set(review) <= set(names)
    assert [name for name in first if name.startswith("rules.")] == names[30:]  # fewer than 5


def test_the_score_counts_killed_and_timeouts_out_of_the_checked() -> None:
    listing = (
        "    rules.a.x_f__mutmut_1: killed\n"
        "    rules.a.x_f__mutmut_2: timeout\n"
        "    rules.a.x_f__mutmut_3: survived\n"
        "    rules.a.x_f__mutmut_4: no tests\n"
        "    rules.a.x_f__mutmut_5: not checked\n"
    )
    row = run("mutation_score.py", listing).splitlines()[-1]
    assert row.startswith("| rules | 2 / 4 | 50 % | 15-85 % | 1 | 1 | 1 | 1 |")
