"""Backtest goals: the five figures of issue 4 that a rule set is judged by, from its output.

Definitions (all on each material's *reference* price series, see :func:`reference_prices`):

* **Swing**: the price path is cut at zig-zag pivots: a peak is confirmed once the price has
  fallen ``reversal`` (15 %) below it, a trough once it has risen 15 % above it.
* **Large move**: a swing from pivot to pivot whose amplitude is at least ``min_amplitude``
  (30 % up, or the same distance down in log terms, about -23 %) and during which the
  three-month change (value against the value ~91 days earlier) reached ``start_change``
  (15 %) in the swing's direction. Its **start** is the first such day, its **extreme** the
  pivot that ends it and its **reversal** the day the next 15 % counter-move confirms the
  pivot (none when the data end first).
* **Hit**: a yellow or red level in the move's direction at some step from six months before
  to one month after the extreme. Goal: >= 95 % of large moves.
* **Delay**: days from the start to the first yellow/red step in the right direction between
  the swing's beginning and one month after the extreme (0 if already warned at the start;
  censored at the end of that window when there is none). Goal: median <= 7 days.
* **Overhang**: days from the reversal to the first step that is no longer yellow/red in the
  move's direction (0 when not warned at the reversal). Goal: median <= 20 days.
* **Calm month**: a calendar month whose average price differs by at most 10 % from twelve
  months earlier and by at most 5 % from three months earlier. It counts as *warned* when any
  step in it is yellow or red. Goal: <= 5 % of calm months warned.
* **Level changes**: changes of (level, direction) between consecutive steps that have data,
  per material and calendar year (years with at least 180 days of steps). Goal: median <= 4.

Each of these is a small function; :func:`score_backtest` puts them together.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vocabulary import Level, frequency_rank

WARN = (Level.YELLOW.value, Level.RED.value)  # the levels that count as warned


@dataclass(frozen=True)
class Move:
    """One large move on a reference series."""

    material: str
    series_id: str
    direction: str  # "up" or "down"
    begin: pd.Timestamp  # the pivot the swing starts from
    start: pd.Timestamp  # first 15 % three-month change
    extreme: pd.Timestamp
    reversal: pd.Timestamp | None
    amplitude: float  # % from begin to extreme


@dataclass(frozen=True)
class Goals:
    """Thresholds of the five goals."""

    hit_rate: float = 0.95
    delay_days: float = 7.0
    overhang_days: float = 20.0
    calm_warned: float = 0.05
    changes_per_year: float = 4.0


@dataclass
class Score:
    """Backtest figures and whether each goal is met."""

    moves: int
    hit_rate: float
    median_delay_days: float
    median_overhang_days: float
    calm_months: int
    calm_warned_share: float
    median_changes_per_year: float
    per_move: pd.DataFrame = field(repr=False)
    goals: Goals = field(default_factory=Goals, repr=False)

    def passed(self) -> dict[str, bool]:
        g = self.goals
        return {
            "hit_rate": self.hit_rate >= g.hit_rate,
            "delay": self.median_delay_days <= g.delay_days,
            "overhang": self.median_overhang_days <= g.overhang_days,
            "calm": self.calm_warned_share <= g.calm_warned,
            "flapping": self.median_changes_per_year <= g.changes_per_year,
        }

    def row(self) -> dict[str, float]:
        return {
            "moves": self.moves,
            "hit_rate": round(self.hit_rate, 3),
            "median_delay_days": round(self.median_delay_days, 1),
            "median_overhang_days": round(self.median_overhang_days, 1),
            "calm_months": self.calm_months,
            "calm_warned_share": round(self.calm_warned_share, 3),
            "median_changes_per_year": round(self.median_changes_per_year, 1),
            "goals_failed": sum(not ok for ok in self.passed().values()),
        }


def reference_prices(observations: pd.DataFrame) -> dict[str, list[pd.Series]]:
    """Per material, its price series finest first (ties: the longest first)."""
    obs = observations[observations["indicator"] == "price"]
    out: dict[str, list[pd.Series]] = {}
    for material, group in obs.groupby("material", observed=True):
        ranked = sorted(
            group.groupby("series_id", observed=True),
            key=lambda kv: (frequency_rank(str(kv[1]["frequency"].iloc[0])), -len(kv[1])),
        )
        out[str(material)] = [
            pd.Series(g["value"].to_numpy(float), index=pd.DatetimeIndex(g["period"]), name=sid)
            .sort_index()
            .groupby(level=0)
            .last()
            .dropna()
            for sid, g in ranked
        ]
    return out


def zigzag(prices: pd.Series, reversal: float = 0.15) -> list[tuple[Any, Any]]:
    """Pivots as (pivot date, confirmation date), beginning with the first value; the last,
    unconfirmed extreme has NaT as its confirmation date."""
    vals = prices.to_numpy(float)
    dates = prices.index
    if len(vals) < 2:
        return []
    pivots: list[tuple[Any, Any]] = [(dates[0], dates[0])]
    hi = lo = 0  # running extremes since the last pivot
    trend = 0  # +1 after a confirmed trough (looking for a peak), -1 after a confirmed peak
    for i in range(1, len(vals)):  # a zig-zag is sequential by nature; this is scoring, not a rule
        v = vals[i]
        if v > vals[hi]:
            hi = i
        if v < vals[lo]:
            lo = i
        if trend >= 0 and v <= vals[hi] * (1 - reversal):
            if hi > 0:  # (a peak at the very start is the first pivot already)
                pivots.append((dates[hi], dates[i]))
            trend, lo = -1, i
        elif trend <= 0 and v >= vals[lo] * (1 + reversal):
            if lo > 0:
                pivots.append((dates[lo], dates[i]))
            trend, hi = 1, i
    if trend != 0:
        last = hi if trend > 0 else lo
        pivots.append((dates[last], pd.NaT))
    return pivots


def three_month_change(prices: pd.Series, days: int = 91) -> pd.Series:
    """Change (%) against the last value at least ``days`` calendar days earlier."""
    idx = pd.DatetimeIndex(prices.index)
    past = prices.reindex(idx - pd.Timedelta(days=days), method="ffill")
    past.index = idx
    early = idx - pd.Timedelta(days=days) < idx[0]
    return (prices / past.where(~early) - 1.0) * 100.0


def large_moves(
    material: str,
    prices: pd.Series,
    *,
    reversal: float = 0.15,
    start_change: float = 15.0,
    min_amplitude: float = 30.0,
) -> list[Move]:
    """Large moves of one price series (see the module docstring)."""
    piv = zigzag(prices, reversal)
    change = three_month_change(prices)
    log_amp = np.log1p(min_amplitude / 100.0)
    out = []
    for (b, _), (e, conf) in itertools.pairwise(piv):
        pb, pe = prices[b], prices[e]
        amp = np.log(pe / pb)
        if abs(amp) < log_amp:
            continue
        up = amp > 0
        seg = change[(change.index > b) & (change.index <= e)]
        hit = seg[seg >= start_change] if up else seg[seg <= -start_change]
        if hit.empty:
            continue
        out.append(
            Move(
                material,
                str(prices.name),
                "up" if up else "down",
                b,
                hit.index[0],
                e,
                None if pd.isna(conf) else conf,
                round((pe / pb - 1) * 100, 1),
            )
        )
    return out


def all_moves(refs: dict[str, list[pd.Series]], **kw: float) -> list[Move]:
    """Large moves of every material; a coarser series only counts where no finer one has data."""
    out: list[Move] = []
    for material, series in refs.items():
        covered: list[tuple[pd.Timestamp, pd.Timestamp]] = []
        for s in series:
            for mv in large_moves(material, s, **kw):
                if not any(lo <= mv.extreme <= hi for lo, hi in covered):
                    out.append(mv)
            covered.append((s.index[0], s.index[-1]))
    return out


def warn_series(levels: pd.DataFrame, material: str, direction: str) -> pd.Series:
    sub = levels[levels["material"] == material]
    flag = sub["level"].isin(WARN) & (sub["direction"] == direction)
    return pd.Series(flag.to_numpy(), index=pd.DatetimeIndex(sub["period"])).sort_index()


def judge_move(mv: Move, warned: pd.Series) -> dict[str, object]:
    """Hit, delay and overhang of one move given its material's warning flags."""
    month = pd.Timedelta(days=30)
    win = warned[
        (warned.index >= mv.extreme - pd.DateOffset(months=6))
        & (warned.index <= mv.extreme + month)
    ]
    hit = bool(win.any())
    span = warned[(warned.index >= mv.begin) & (warned.index <= mv.extreme + month)]
    first = span[span].index.min() if span.any() else None
    at_start = warned[warned.index <= mv.start]
    if len(at_start) and at_start.iloc[-1]:
        delay = 0.0
    elif first is not None:
        delay = max(0.0, (first - mv.start).days)
    else:
        delay = float((mv.extreme + month - mv.start).days)
    overhang = np.nan
    if mv.reversal is not None:
        before = warned[warned.index <= mv.reversal]
        if len(before) and before.iloc[-1]:
            after = warned[warned.index > mv.reversal]
            end = after[~after].index.min() if (~after).any() else None
            last = warned.index[-1]
            overhang = float(((end if end is not None else last) - mv.reversal).days)
        else:
            overhang = 0.0
    return {
        "material": mv.material,
        "series_id": mv.series_id,
        "direction": mv.direction,
        "start": mv.start.date(),
        "extreme": mv.extreme.date(),
        "reversal": mv.reversal.date() if mv.reversal is not None else None,
        "amplitude": mv.amplitude,
        "hit": hit,
        "delay_days": delay,
        "overhang_days": overhang,
    }


def calm_months(refs: dict[str, list[pd.Series]]) -> pd.DataFrame:
    """Calm (material, month) pairs from the reference series' monthly averages."""
    rows = []
    for material, series in refs.items():
        covered: list[tuple[pd.Timestamp, pd.Timestamp]] = []
        for s in series:
            m = s.resample("MS").mean()
            yoy = (m / m.shift(12) - 1).abs()
            qoq = (m / m.shift(3) - 1).abs()
            calm = m.index[(yoy <= 0.10) & (qoq <= 0.05)]
            for month in calm:
                if not any(lo <= month <= hi for lo, hi in covered):
                    rows.append((material, month))
            covered.append((s.index[0].to_period("M").to_timestamp(), s.index[-1]))
    return pd.DataFrame(rows, columns=["material", "month"])


def calm_warned(levels: pd.DataFrame, calm: pd.DataFrame) -> float:
    """Share of calm months with any yellow/red step."""
    if calm.empty:
        return 0.0
    lv = levels.assign(month=pd.DatetimeIndex(levels["period"]).to_period("M").to_timestamp())
    warned = lv[lv["level"].isin(WARN)][["material", "month"]].drop_duplicates()
    merged = calm.merge(warned.assign(w=True), on=["material", "month"], how="left")
    return float(merged["w"].notna().mean())


def changes_per_year(levels: pd.DataFrame, min_days: int = 180) -> pd.Series:
    """Level changes per material and calendar year (no_data steps skipped)."""
    lv = levels[levels["level"] != "no_data"].sort_values(["material", "period"])
    state = lv["level"] + ":" + lv["direction"].fillna("")
    changed = (state != state.groupby(lv["material"]).shift()) & lv["material"].eq(
        lv["material"].shift()
    )
    year = pd.DatetimeIndex(lv["period"]).year
    g = pd.DataFrame(
        {
            "material": lv["material"],
            "year": year,
            "changed": changed,
            "period": pd.DatetimeIndex(lv["period"]),
        }
    )
    agg = g.groupby(["material", "year"]).agg(
        changes=("changed", "sum"), first=("period", "min"), last=("period", "max")
    )
    span = (agg["last"] - agg["first"]).dt.days
    return agg.loc[span >= min_days, "changes"]


def score_backtest(
    levels: pd.DataFrame, observations: pd.DataFrame, goals: Goals | None = None
) -> Score:
    """All five figures for a backtest output (``material, period, level, direction``)."""
    levels = levels.assign(
        period=pd.to_datetime(levels["period"]), direction=levels["direction"].fillna("")
    )
    refs = reference_prices(observations)
    moves = all_moves(refs)
    flags = {(m, d): warn_series(levels, m, d) for m in refs for d in ("up", "down")}
    per_move = pd.DataFrame([judge_move(mv, flags[(mv.material, mv.direction)]) for mv in moves])
    calm = calm_months(refs)
    cpy = changes_per_year(levels)
    return Score(
        moves=len(moves),
        hit_rate=float(per_move["hit"].mean()) if len(per_move) else float("nan"),
        median_delay_days=float(per_move["delay_days"].median()) if len(per_move) else float("nan"),
        median_overhang_days=float(per_move["overhang_days"].median()) if len(per_move) else 0.0,
        calm_months=len(calm),
        calm_warned_share=calm_warned(levels, calm),
        median_changes_per_year=float(cpy.median()) if len(cpy) else 0.0,
        per_move=per_move,
        goals=goals or Goals(),
    )


def compare(data: Path, rule_paths: list[Path], naive: bool = True) -> pd.DataFrame:
    """Backtest each rule set on a long CSV and score it: one row per rule set, and (first)
    the naive peer of issue 19 on the same input (:mod:`rules.naive_peer`)."""
    import rules
    from rules.naive_peer import naive_levels

    obs = pd.read_csv(data, parse_dates=["period"])
    runs: list[tuple[str, pd.DataFrame]] = [("naive peer", naive_levels(obs))] if naive else []
    for path in rule_paths:
        ruleset = rules.load_ruleset(path)
        levels = rules.evaluate(obs, ruleset, with_indicators=False).materials
        runs.append((ruleset.version, levels))
    rows = []
    for name, levels in runs:
        score = score_backtest(levels, obs)
        failed = [k for k, ok in score.passed().items() if not ok]
        mean_changes = round(float(changes_per_year(levels).mean()), 2)
        rows.append(
            {"rule_set": name, **score.row(), "mean_changes_per_year": mean_changes,
             "failed": ",".join(failed) or "-"}
        )  # fmt: skip
    return pd.DataFrame(rows)


def cross_validation_table(data: Path, rule_paths: list[Path], tune: Path | None) -> pd.DataFrame:
    """``--cv``: held-out figures of the naive peer, each rule set and the tuned grid."""
    import rules
    from rules.crossval import cross_validate

    obs = pd.read_csv(data, parse_dates=["period"])
    rulesets = [rules.load_ruleset(p) for p in rule_paths]
    base = rules.load_ruleset(tune) if tune is not None else None
    return cross_validate(obs, rulesets, base)


def supply_effect(data: Path, rule_path: Path) -> dict[str, int]:
    """Steps whose level (with direction) or basis the supply rules change.

    The rule set is replayed as it is and without its ``supply`` rules (and with
    ``red_or_supply`` off); steps are compared where both have a step.
    """
    import rules

    obs = pd.read_csv(data, parse_dates=["period"])
    ruleset = rules.load_ruleset(rule_path)
    raw = ruleset.model.model_dump()
    raw["rules"] = [r for r in raw["rules"] if r["role"] != "supply"]
    raw["combine"]["red_or_supply"] = False
    for spec in raw["materials"].values():
        spec["rules"] = [r for r in spec["rules"] if r["role"] != "supply"]
        spec["disable"] = [n for n in spec["disable"] if n in {r["name"] for r in raw["rules"]}]
        spec["overrides"] = {k: v for k, v in spec["overrides"].items() if k in spec["disable"]}
    without = rules.parse_ruleset(raw)
    cols = ["material", "period", "level", "direction", "basis"]
    a = rules.evaluate(obs, ruleset, with_indicators=False).materials[cols]
    b = rules.evaluate(obs, without, with_indicators=False).materials[cols]
    both = a.merge(b, on=["material", "period"], suffixes=("", "_without"))
    level = (both["level"] != both["level_without"]) | (
        both["direction"] != both["direction_without"]
    )
    basis = both["basis"] != both["basis_without"]
    return {
        "steps": len(both),
        "level_changed": int(level.sum()),
        "basis_changed": int(basis.sum()),
        "level_or_basis_changed": int((level | basis).sum()),
        "supply_only_steps": int((both["basis"] == "supply_only").sum()),
        "steps_only_with_supply": len(a) - len(both),
    }


def main(argv: list[str]) -> int:
    """``python -m rules.backtest_goals DATA.csv RULES.yaml [...]``: print the figures;
    ``python -m rules.backtest_goals --supply-effect DATA.csv RULES.yaml``: the steps whose
    level or basis the supply rules change;
    ``python -m rules.backtest_goals --cv DATA.csv RULES.yaml [...] [--tune BASE.yaml]``: the
    cross-validated figures (by time, and leaving one material out) of the naive peer, each
    rule set, and the grid of :mod:`rules.tuning` on BASE chosen fold by fold."""
    if argv[:1] == ["--supply-effect"] and len(argv) == 3:
        for key, value in supply_effect(Path(argv[1]), Path(argv[2])).items():
            print(f"{key}: {value}")
        return 0
    if argv[:1] == ["--cv"] and len(argv) >= 3:
        rest = argv[1:]
        tune = None
        if "--tune" in rest:
            i = rest.index("--tune")
            tune, rest = Path(rest[i + 1]), rest[:i] + rest[i + 2 :]
        table = cross_validation_table(Path(rest[0]), [Path(p) for p in rest[1:]], tune)
        with pd.option_context("display.width", 250, "display.max_colwidth", 400):
            print(table.drop(columns="chosen").round(3).to_string(index=False))
            for row in table[table["chosen"] != ""].itertuples():
                print(f"{row.rule_set}, {row.split} folds chose: {row.chosen}")
        return 0
    if len(argv) < 2:
        print("usage: python -m rules.backtest_goals DATA.csv RULES.yaml [RULES.yaml ...]")
        print("       python -m rules.backtest_goals --supply-effect DATA.csv RULES.yaml")
        print("       python -m rules.backtest_goals --cv DATA.csv RULES.yaml [...] [--tune BASE]")
        return 2
    table = compare(Path(argv[0]), [Path(p) for p in argv[1:]])
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
