"""Warning quality on the real data (issue 19): the rule sets beside the naive peer, on parts
of the data their parameters were not chosen on.

Input: ``var/real_full.csv``, every series of ``../shared/data/real`` at full resolution
(built with ``scripts/build_sample.py --no-sample --full`` when missing). On that input,
``rules.crossval.cross_validate`` scores the naive peer (``rules.naive_peer``), each rule set
of ``RULESETS`` as shipped, and the grid of ``rules.tuning`` on ``default-2.0`` chosen fold
by fold, for two kinds of split: by time (fit before 2010, 2015, 2020; score 2010-14,
2015-19, 2020-) and leaving one material out. Figures, per rule set and split, pooled over
the held-out parts (``goals_<split>_<rule set>_<figure>``):

* ``episodes_warned``: share of large moves warned (yellow or red in their direction);
* ``onset_delay_median_days``: median days from a move's start to its first warning;
* ``stale_after_reversal_median_days``: median days a warning outlives the move's reversal;
* ``calm_months_warned``: share of calm months with a yellow or red step;
* ``level_changes_per_material_year``: mean changes of (level, direction) per material-year.

``goals_seconds`` is the wall time of the whole cross-validation. The table is printed too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

import rules
from rules.crossval import FIGURES, cross_validate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "var" / "real_full.csv"
RULESETS = ("default.yaml", "default-2.0.yaml", "default-3.0-reentry.yaml")


def real_data() -> pd.DataFrame:
    if not DATA.exists():
        DATA.parent.mkdir(parents=True, exist_ok=True)
        script = ROOT / "scripts" / "build_sample.py"
        subprocess.run(
            [sys.executable, str(script), "--no-sample", "--full", str(DATA)], check=True
        )
    return pd.read_csv(DATA, parse_dates=["period"])


def rulesets() -> list[rules.RuleSet]:
    """The shipped rule sets of ``RULESETS`` (once each by version)."""
    found: dict[str, rules.RuleSet] = {}
    for name in RULESETS:
        path = ROOT / "rules" / "data" / name
        if path.exists():
            rs = rules.load_ruleset(path)
            found.setdefault(rs.version, rs)
    return list(found.values())


def run() -> dict[str, float]:
    obs = real_data()
    shipped = rulesets()
    base = next((rs for rs in shipped if rs.version == "default-2.0"), shipped[0])
    started = time.perf_counter()
    table = cross_validate(obs, shipped, base)
    seconds = time.perf_counter() - started
    with pd.option_context("display.width", 250, "display.max_colwidth", 300):
        print(table.drop(columns="chosen").round(3).to_string(index=False))
        for row in table[table["chosen"] != ""].itertuples():
            print(f"{row.rule_set}, {row.split} folds chose: {row.chosen}")
    out: dict[str, float] = {"goals_seconds": round(seconds, 1)}
    for record in table.to_dict("records"):
        slug = re.sub(r"[^a-z0-9]+", "_", str(record["rule_set"]).lower()).strip("_")
        for figure in FIGURES:
            out[f"goals_{record['split']}_{slug}_{figure}"] = round(float(record[figure]), 4)
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}  {value}")
