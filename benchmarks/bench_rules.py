"""Rule-engine speed: the backtest command over a generated panel, the daily increment, and
the same daily indicators computed by a plain per-series loop.

The panel is 1,000 daily price series x 10 years of business days (2,610 rows each, about 2.6
million values) of the 19 catalog materials, written once to a temporary CSV. Figures:

* ``rules_panel_seconds``: wall time of the command the issue names, ``python -m warning.cli
  backtest --data PANEL.csv --out OUT.csv``, as a subprocess: the whole process, i.e.
  interpreter start-up and imports, catalog and settings, CSV read and row validation,
  evaluation of the default rule set (indicators, scoring, persistence, hysteresis,
  combination, reasons), the output CSV and the printed summary. Goal < 30 s on 2 cores.
* ``rules_incremental_seconds``: in-process wall time of one ``rules.assess_latest`` call for
  the last day over the same 1,000 series, as the daily job runs it: observations already in
  memory (not read from disk or a database); includes trimming to the history the rules need,
  the indicators on that tail, scoring, persistence, hysteresis, combination and reasons.
  Goal < 2 s.
* ``rules_incremental_window_seconds``: the same call on what the daily job needs to load
  from the store, each kind's rows from ``rules.history_starts`` on (prices: about 830 days,
  ``rules_incremental_window_values`` values); toward 0.5 s.
* ``rules_loop_seconds``: in-process wall time of a straightforward loop, ``for series_id,
  one in observations.groupby("series_id"):``, computing with pandas on each series the
  indicators the default rule set evaluates on a daily price series (60-row change, 365-day
  change, 40-row cumulative move) and each indicator's level from its thresholds. It starts
  from the observations in memory and excludes start-up, file reading and validation,
  persistence, hysteresis, combination, reasons and output. It runs on ``LOOP_SERIES``
  series (default: all 1,000); when fewer, the time is scaled linearly to 1,000 (the work
  per series is the same).
* ``rules_vs_loop_ratio``: ``rules_panel_seconds / rules_loop_seconds``. The numerator is the
  whole command, the denominator only the loop's arithmetic, so the ratio is conservative: it
  counts against the engine everything the loop leaves out. Below 1 means the whole backtest
  command is faster than the bare loop computation alone.
* ``rules_engine_seconds``: in-process wall time of the ``rules.evaluate`` call the backtest
  command makes, on the same observations in memory the loop starts from: every indicator of
  the default rule set, scoring, persistence, hysteresis, combination and reasons, but no
  start-up, reading, validation or output.
* ``rules_engine_vs_loop_ratio``: ``rules_engine_seconds / rules_loop_seconds``: the engine
  against the loop from the same starting point (the engine still does more work).
* ``rules_adtk_panel_seconds``: the same backtest command, whole process, on a second panel
  of ``ADTK_SERIES`` (200) daily series x 10 years with the new supply kinds in it (half
  prices, a quarter warehouse stocks, an eighth term spreads, an eighth basis), so that the
  default rule set's supply detectors run too; the median of ``ADTK_RUNS`` (3) runs.
* ``adtk_panel_seconds``: wall time of ``benchmarks/adtk_panel.py`` on that panel, as a
  subprocess of ADTK 0.6.2's own virtual environment (``var/adtk-venv``, made with pip from
  PyPI when missing: ADTK pins an old pandas): reading the CSV, four ADTK detectors per
  series (PersistAD, LevelShiftAD, VolatilityShiftAD, ThresholdAD on the 20-day change),
  OR-combined, and writing the flags.
* ``rules_vs_adtk_ratio``: ``rules_adtk_panel_seconds / adtk_panel_seconds``. Goal <= 0.10.
  ``rules_vs_adtk_cpu_ratio`` is the same with the CPU time of both processes (user +
  system), which a busy shared machine distorts less than wall time.

Run: ``python benchmarks/bench_rules.py`` (prints a table) or ``python -m benchmarks rules``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import rules
from rules.ruleset import Rule, RuleSet
from warning.catalog import load_catalog

SERIES = int(os.environ.get("BENCH_RULES_SERIES", "1000"))
ADTK_SERIES = int(os.environ.get("BENCH_ADTK_SERIES", "200"))
ADTK_RUNS = 3
ADTK_REQUIREMENTS = ("adtk==0.6.2", "pandas<2", "numpy<2")
YEARS = 10
LOOP_SERIES = int(os.environ.get("BENCH_RULES_LOOP_SERIES", str(SERIES)))
MATERIALS = sorted(load_catalog().material_ids)  # the 19 catalog materials
ROOT = Path(__file__).resolve().parents[1]
ADTK_VENV = ROOT / "var" / "adtk-venv"
ADTK_SCRIPT = Path(__file__).with_name("adtk_panel.py")


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


def mixed_panel(series: int = ADTK_SERIES, years: int = YEARS, seed: int = 7) -> pd.DataFrame:
    """Daily series of the kinds the default rule set reads, long format: prices and stocks
    as random walks with regime drifts, term spreads and basis (%) as AR(1) around zero."""
    days = pd.bdate_range("2014-01-01", periods=int(261 * years))
    n = len(days)
    rng = np.random.default_rng(seed)
    kinds = np.array([_kind_of(i) for i in range(series)])
    drift = np.repeat(rng.normal(0, 0.004, (n // 60 + 1, series)), 60, axis=0)[:n]
    level = 1000 * np.exp(np.cumsum(rng.normal(0, 0.012, (n, series)) + drift, axis=0))
    shocks = rng.normal(0, 0.3, (n, series))
    rate = np.zeros((n, series))
    for t in range(1, n):  # AR(1): a loop over days, once, to make test data
        rate[t] = 0.98 * rate[t - 1] + shocks[t]
    values = np.where(kinds == "price", level, np.where(kinds == "inventory", 50 * level, rate))
    units = np.where(kinds == "price", "CNY/t", np.where(kinds == "inventory", "t", "%"))
    return pd.DataFrame(
        {
            "series_id": np.tile([f"bench_{i:04d}" for i in range(series)], n),
            "material": np.tile([MATERIALS[i % len(MATERIALS)] for i in range(series)], n),
            "indicator": np.tile(kinds, n),
            "frequency": "D",
            "period": np.repeat(days.strftime("%Y-%m-%d").to_numpy(), series),
            "value": np.round(values, 2).ravel(),
            "unit": np.tile(units, n),
        }
    )


def _kind_of(i: int) -> str:
    """Half prices, a quarter stocks, an eighth spreads, an eighth basis."""
    return ("price", "price", "inventory", "spread" if (i // 4) % 2 == 0 else "basis")[i % 4]


def ensure_adtk() -> Path:
    """The Python of ADTK's own virtual environment under var/, made when missing."""
    python = ADTK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ADTK_VENV)], check=True)
        install = [str(python), "-m", "pip", "install", "--quiet", *ADTK_REQUIREMENTS]
        subprocess.run(install, check=True)
    return python


def time_adtk(python: Path, csv: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the ADTK baseline (benchmarks/adtk_panel.py) on ``csv``."""
    return _timed([str(python), str(ADTK_SCRIPT), str(csv), str(out)])


def time_backtest_command(csv: Path, out: Path) -> float:
    """Seconds of ``python -m warning.cli backtest --data CSV --out OUT`` as a subprocess."""
    return time_backtest_process(csv, out)[0]


def time_backtest_process(csv: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of the backtest command as a subprocess."""
    command = [sys.executable, "-m", "warning.cli", "backtest", "--data", str(csv)]
    return _timed([*command, "--out", str(out)])


def _timed(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def adtk_figures(tmp: Path) -> dict[str, float]:
    """The rules command and ADTK on the mixed panel (see the module docstring)."""
    csv = tmp / "mixed.csv"
    mixed_panel().to_csv(csv, index=False)
    python = ensure_adtk()
    runs = [time_backtest_process(csv, tmp / "rules_mixed.csv") for _ in range(ADTK_RUNS)]
    rules_wall = float(np.median([w for w, _ in runs]))
    rules_cpu = float(np.median([c for _, c in runs]))
    adtk_wall, adtk_cpu = time_adtk(python, csv, tmp / "adtk_mixed.csv")
    return {
        "rules_adtk_panel_seconds": round(rules_wall, 2),
        "adtk_panel_seconds": round(adtk_wall, 2),
        "rules_vs_adtk_ratio": round(rules_wall / adtk_wall, 3),
        "rules_vs_adtk_cpu_ratio": round(rules_cpu / adtk_cpu, 3),
    }


def _level(values: pd.Series, rule: Rule) -> pd.Series:
    """Per-step level code of one indicator (0 normal .. 3 red, either direction)."""
    level = pd.Series(0, index=values.index)
    for side, sign in ((rule.up, 1.0), (rule.down, -1.0)):
        for code, threshold in side.points() if side is not None else []:
            level = level.mask(sign * values >= sign * threshold, level.clip(lower=code))
    return level


def loop_indicators(one: pd.DataFrame, by_name: dict[str, Rule]) -> pd.DataFrame:
    """The daily price indicators of the default rule set and their levels, for one series."""
    price = one.set_index("period")["value"].sort_index()
    filled = price.ffill(limit=7)
    change_3m = (price / filled.shift(60) - 1.0) * 100.0
    past = pd.DatetimeIndex(price.index) - pd.Timedelta(days=365)
    year_ago = filled.reindex(past, method="ffill").set_axis(price.index)
    year_ago = year_ago.where(past >= price.index[0])
    yoy = (price / year_ago - 1.0) * 100.0
    window = filled.rolling(41, min_periods=21)
    rise = (filled / window.min() - 1.0) * 100.0
    fall = (filled / window.max() - 1.0) * 100.0
    drawdown = rise.where(rise.abs() >= fall.abs(), fall)
    values = {"price_change_3m": change_3m, "price_yoy": yoy, "price_drawdown": drawdown}
    out = pd.DataFrame(values)
    for name, series in values.items():
        out[f"{name}_level"] = _level(series, by_name[name])
    return out


def time_loop(obs: pd.DataFrame, ruleset: RuleSet, series: int) -> float:
    """Seconds of the per-series loop over the first ``series`` series, scaled to SERIES."""
    keep = sorted(obs["series_id"].unique())[:series]
    subset = obs[obs["series_id"].isin(keep)]
    by_name = {rule.name: rule for rule in ruleset.model.rules}
    started = time.perf_counter()
    results = {}
    for series_id, one in subset.groupby("series_id", sort=False):
        results[series_id] = loop_indicators(one, by_name)
    elapsed = time.perf_counter() - started
    return elapsed * SERIES / len(keep)


def time_engine(obs: pd.DataFrame, ruleset: RuleSet) -> float:
    """Seconds of the ``rules.evaluate`` call of ``warning backtest`` on ``obs`` in memory."""
    started = time.perf_counter()
    rules.evaluate(obs, ruleset, with_indicators=False)
    return time.perf_counter() - started


def time_incremental(obs: pd.DataFrame, ruleset: RuleSet) -> float:
    """Seconds of one ``assess_latest`` call for the last day of ``obs``."""
    last = obs["period"].max().date()
    started = time.perf_counter()
    rules.assess_latest(obs, ruleset, as_of=last)
    return time.perf_counter() - started


def daily_window(obs: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """What the daily job loads from the store for the last day: each kind's rows from
    ``rules.history_starts`` on."""
    last = obs["period"].max().date()
    starts = rules.history_starts(ruleset, last)
    first = obs["indicator"].map(lambda k: starts.get(k, starts["default"]))
    return obs[obs["period"] >= pd.to_datetime(first)]


def time_incremental_window(obs: pd.DataFrame, ruleset: RuleSet) -> tuple[float, int]:
    """Seconds of one ``assess_latest`` on the daily window of ``obs``, and its size."""
    window = daily_window(obs, ruleset)
    return time_incremental(window, ruleset), len(window)


def run() -> dict[str, float]:
    """All figures of this module; see the module docstring for what each measures."""
    frame = panel()
    with tempfile.TemporaryDirectory() as tmp:
        adtk = adtk_figures(Path(tmp))
        csv = Path(tmp) / "panel.csv"
        frame.to_csv(csv, index=False)
        panel_s = time_backtest_command(csv, Path(tmp) / "out.csv")
    obs = frame.assign(period=pd.to_datetime(frame["period"]))
    ruleset = rules.load_ruleset()
    loop_s = time_loop(obs, ruleset, min(LOOP_SERIES, SERIES))
    engine_s = time_engine(obs, ruleset)
    incremental_s = time_incremental(obs, ruleset)
    window_s, window_values = time_incremental_window(obs, ruleset)
    return {
        "rules_panel_seconds": round(panel_s, 2),
        "rules_incremental_seconds": round(incremental_s, 3),
        "rules_incremental_window_seconds": round(window_s, 3),
        "rules_incremental_window_values": window_values,
        "rules_loop_seconds": round(loop_s, 2),
        "rules_vs_loop_ratio": round(panel_s / loop_s, 3),
        "rules_engine_seconds": round(engine_s, 2),
        "rules_engine_vs_loop_ratio": round(engine_s / loop_s, 3),
        **adtk,
    }


def main() -> None:
    figures = run()
    width = max(len(k) for k in figures)
    print(f"{'figure':<{width}}  value")
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
