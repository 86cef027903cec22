"""Rule-engine speed: the backtest over a generated panel, the daily increment, and the same
indicators computed by a plain per-series loop.

Figures:

* ``rules_panel_seconds``: ``run_backtest`` on 1,000 daily series x 10 years (about 2.6 million
  values), the whole process in a fresh interpreter: CSV read and validation, evaluation,
  output CSV. Goal < 30 s on 2 cores.
* ``rules_incremental_seconds``: ``assess_latest`` for the last day over the same 1,000 series
  (observations already in memory, as the daily job has them). Goal < 2 s.
* ``rules_vs_loop_ratio``: panel seconds / seconds of a straightforward loop that evaluates the
  same rule set one series at a time (also a fresh process reading the same CSV). The loop is
  timed on ``LOOP_SERIES`` series and scaled linearly to 1,000. Below 1 means the vectorised
  engine is faster.

Run: ``python benchmarks/bench_rules.py`` (prints a table) or ``python -m benchmarks rules``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SERIES = int(os.environ.get("BENCH_RULES_SERIES", "1000"))
YEARS = 10
LOOP_SERIES = int(os.environ.get("BENCH_RULES_LOOP_SERIES", "50"))
MATERIALS = [
    "iron_ore",
    "coke",
    "steel",
    "copper",
    "aluminium",
    "alumina",
    "zinc",
    "lithium_carbonate",
    "rare_earth",
    "industrial_silicon",
    "urea",
    "phosphate",
    "potash",
    "soda_ash",
    "caustic_soda",
    "pvc",
    "methanol",
    "cement",
    "flat_glass",
]
ROOT = Path(__file__).resolve().parents[1]


def panel(series: int = SERIES, years: int = YEARS, seed: int = 42) -> pd.DataFrame:
    """Random-walk daily prices with occasional regime moves, long format."""
    days = pd.bdate_range("2014-01-01", periods=int(261 * years))
    rng = np.random.default_rng(seed)
    drift = np.repeat(rng.normal(0, 0.004, (len(days) // 60 + 1, series)), 60, axis=0)
    steps = rng.normal(0, 0.012, (len(days), series)) + drift[: len(days)]
    values = np.round(1000 * np.exp(np.cumsum(steps, axis=0)), 2)
    ids = np.array([f"bench_{i:04d}" for i in range(series)])
    mats = np.array([MATERIALS[i % len(MATERIALS)] for i in range(series)])
    return pd.DataFrame(
        {
            "series_id": np.tile(ids, len(days)),
            "material": np.tile(mats, len(days)),
            "indicator": "price",
            "frequency": "D",
            "period": np.repeat(days.strftime("%Y-%m-%d").to_numpy(), series),
            "value": values.ravel(),
            "unit": "CNY/t",
        }
    )


PANEL_SCRIPT = """
import sys
from pathlib import Path
from warning.backtest import run_backtest
rc = run_backtest(Path(sys.argv[1]), Path(sys.argv[2]), None, None, None, None,
                  set(sys.argv[3].split(',')), lambda s: None)
sys.exit(rc)
"""

LOOP_SCRIPT = """
import sys
import pandas as pd
import rules
obs = pd.read_csv(sys.argv[1], parse_dates=['period'])
keep = sorted(obs['series_id'].unique())[: int(sys.argv[3])]
rs = rules.load_ruleset()
out = []
for sid in keep:  # the straightforward way: one series at a time
    one = obs[obs['series_id'] == sid]
    out.append(rules.evaluate(one, rs, with_indicators=False).materials)
pd.concat(out).to_csv(sys.argv[2], index=False)
"""


def _timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", *args], check=True, cwd=ROOT)
    return time.perf_counter() - started


def run() -> dict[str, float]:
    import rules

    frame = panel()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "panel.csv"
        frame.to_csv(csv, index=False)
        panel_s = _timed([PANEL_SCRIPT, str(csv), str(Path(tmp) / "out.csv"), ",".join(MATERIALS)])
        loop_s = _timed([LOOP_SCRIPT, str(csv), str(Path(tmp) / "loop.csv"), str(LOOP_SERIES)])
    loop_full = loop_s * SERIES / LOOP_SERIES
    obs = frame.assign(period=pd.to_datetime(frame["period"]))
    ruleset = rules.load_ruleset()
    last = obs["period"].max().date()
    started = time.perf_counter()
    rules.assess_latest(obs, ruleset, as_of=last)
    incremental_s = time.perf_counter() - started
    return {
        "rules_panel_seconds": round(panel_s, 2),
        "rules_incremental_seconds": round(incremental_s, 3),
        "rules_vs_loop_ratio": round(panel_s / loop_full, 3),
    }


def main() -> None:
    figures = run()
    width = max(len(k) for k in figures)
    print(f"{'figure':<{width}}  value")
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
