"""Long observations to wide frames, period ends and evaluation steps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vocabulary import FREQUENCIES as FREQ_ORDER

REQUIRED_COLUMNS = ("series_id", "material", "indicator", "frequency", "period", "value")


def prepare(observations: pd.DataFrame) -> pd.DataFrame:
    """Check the long frame, coerce types, drop missing values, sort."""
    missing = [c for c in REQUIRED_COLUMNS if c not in observations.columns]
    if missing:
        raise ValueError(
            f"observations lack column(s) {missing}; expected {list(REQUIRED_COLUMNS)}"
        )
    cols = [c for c in (*REQUIRED_COLUMNS, "unit") if c in observations]
    obs = observations[cols]
    period = obs["period"]
    if not pd.api.types.is_datetime64_dtype(period.dtype) or period.dtype != "datetime64[ns]":
        period = pd.to_datetime(period).astype("datetime64[ns]")
    value = obs["value"]
    if value.dtype != np.float64:
        value = pd.to_numeric(value, errors="coerce").astype(float)
    # categories make the many per-material and per-frequency selections cheap
    text = {
        c: obs[c] if isinstance(obs[c].dtype, pd.CategoricalDtype) else obs[c].astype("category")
        for c in ("series_id", "material", "indicator", "frequency")
    }
    obs = obs.assign(period=period, value=value, **text)
    obs = obs[np.isfinite(obs["value"].to_numpy())]
    bad = set(obs["frequency"].unique()) - set(FREQ_ORDER)
    if bad:
        raise ValueError(f"unknown frequency {sorted(bad)}; expected one of {FREQ_ORDER}")
    return obs


def period_end(index: pd.DatetimeIndex | np.ndarray, freq: str) -> np.ndarray:
    """Last day of each period (D: the day itself), as datetime64[ns]."""
    idx = pd.DatetimeIndex(index)
    if freq == "D":
        end = idx
    elif freq == "W":
        end = idx + pd.Timedelta(days=6)
    elif freq == "T":
        day = idx.day
        month_end = idx + pd.offsets.MonthEnd(0)
        end = pd.DatetimeIndex(
            np.where(
                day < 11,
                idx + pd.Timedelta(days=9),
                np.where(day < 21, idx + pd.Timedelta(days=9), month_end),
            )
        )
    elif freq == "M":
        end = idx + pd.offsets.MonthEnd(0)
    elif freq == "Q":
        end = idx + pd.offsets.QuarterEnd(0)
    else:
        end = idx + pd.offsets.YearEnd(0)
    return np.asarray(end, dtype="datetime64[ns]")


def full_index(periods: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Every period between the first and last (trading days only for D)."""
    if freq == "D" or len(periods) == 0:
        return periods
    lo, hi = periods.min(), periods.max()
    if freq == "T":
        months = pd.date_range(lo.replace(day=1), hi, freq="MS")
        days = np.concatenate([months + pd.Timedelta(days=d) for d in (0, 10, 20)])
        idx = pd.DatetimeIndex(np.sort(days))
        return idx[(idx >= lo) & (idx <= hi)]
    alias = {"W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS"}[freq]
    return pd.date_range(lo, hi, freq=alias)


def wide(obs: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Periods x series of one frequency (the last row wins on duplicates).

    Built with numpy from the category codes of ``series_id`` (see :func:`prepare`) rather
    than a pandas pivot: the backtest spends its time elsewhere.
    """
    sub = obs[(obs["frequency"] == freq).to_numpy()]
    ids = sub["series_id"]
    if not isinstance(ids.dtype, pd.CategoricalDtype):
        ids = ids.astype("category")
    codes = ids.cat.codes.to_numpy()
    used, col = np.unique(codes, return_inverse=True)
    periods, row = np.unique(sub["period"].to_numpy(dtype="datetime64[ns]"), return_inverse=True)
    cell = row.ravel() * len(used) + col.ravel()
    # the last row of each (period, series) wins: the first occurrence in reverse order
    _, last = np.unique(cell[::-1], return_index=True)
    keep = len(cell) - 1 - last
    values = np.full(len(periods) * len(used), np.nan)
    values[cell[keep]] = sub["value"].to_numpy(dtype=float)[keep]
    names = np.asarray(ids.cat.categories, dtype=object)[used].astype(str)
    out = pd.DataFrame(
        values.reshape(len(periods), len(used)), index=pd.DatetimeIndex(periods), columns=names
    )
    return out.reindex(full_index(pd.DatetimeIndex(out.index), freq))


def material_steps(obs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluation steps of one material: (period, as-of time, frequency) arrays.

    Every period of its finest series; coarser periods only where no finer series has data
    (before it begins or after it ends).
    """
    periods, asofs, freqs = [], [], []
    covered: list[tuple[np.datetime64, np.datetime64]] = []
    for freq in FREQ_ORDER:
        sub = obs.loc[obs["frequency"] == freq, "period"]
        if sub.empty:
            continue
        p = np.unique(sub.to_numpy(dtype="datetime64[ns]"))
        end = period_end(p, freq)
        keep = np.ones(len(p), dtype=bool)
        for lo, hi in covered:
            keep &= (end < lo) | (p > hi)
        periods.append(p[keep])
        asofs.append(end[keep])
        freqs.append(np.full(keep.sum(), freq))
        covered.append((p.min(), end.max()))
    if not periods:
        empty = np.array([], dtype="datetime64[ns]")
        return empty, empty, np.array([], dtype=object)
    per = np.concatenate(periods)
    asof = np.concatenate(asofs)
    fr = np.concatenate(freqs)
    order = np.argsort(asof, kind="stable")
    return per[order], asof[order], fr[order]
