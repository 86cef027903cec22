"""The ADTK baseline of ``rules_vs_adtk_ratio``: run in ADTK's own virtual environment.

``python benchmarks/adtk_panel.py PANEL.csv OUT.csv`` reads the long CSV the rule benchmark
gives ``warning backtest``, runs four ADTK 0.6.2 detectors on every series (PersistAD,
LevelShiftAD, VolatilityShiftAD, and ThresholdAD on the 20-day % change), OR-combines their
flags per series and day and writes them. This file imports nothing of this project: ADTK
pins an old pandas, so it runs under another interpreter (benchmarks/bench_rules.py makes
the environment under var/ when it is missing).
"""

from __future__ import annotations

import sys

import pandas as pd
from adtk.data import validate_series
from adtk.detector import LevelShiftAD, PersistAD, ThresholdAD, VolatilityShiftAD

CHANGE_DAYS = 20
CHANGE_LIMIT = 15.0  # %: the threshold on the 20-day change


def detect(values: pd.Series) -> pd.Series:
    """OR of the four detectors' flags for one series (NaN where a detector has no verdict)."""
    series = validate_series(values)
    change = series.pct_change(CHANGE_DAYS) * 100.0
    flags = [
        PersistAD(c=3.0, side="both").fit_detect(series),
        LevelShiftAD(c=6.0, side="both", window=5).fit_detect(series),
        VolatilityShiftAD(c=6.0, side="positive", window=30).fit_detect(series),
        ThresholdAD(high=CHANGE_LIMIT, low=-CHANGE_LIMIT).detect(change),
    ]
    both = pd.concat(flags, axis=1).astype(float)
    return both.max(axis=1) > 0


def main(argv: list[str]) -> int:
    data, out = argv
    frame = pd.read_csv(data, parse_dates=["period"])
    results = []
    for series_id, rows in frame.groupby("series_id", sort=True):
        values = rows.set_index("period")["value"].astype(float)
        flags = detect(values)
        results.append(
            pd.DataFrame({"series_id": series_id, "period": flags.index, "flag": flags.values})
        )
    table = pd.concat(results, ignore_index=True)
    table.to_csv(out, index=False)
    print(f"{frame['series_id'].nunique()} series, {int(table['flag'].sum())} flagged days")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
