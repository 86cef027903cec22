"""Compute every rule's indicator for all series at once, as blocks ready for alignment.

A *block* is one rule's detector applied to all the series it covers of one frequency:
values and up/down scores (rows = the detector's output periods, columns = series), plus
when each row becomes known. Blocks are forward-filled so that a step can read the latest
known value with one ``searchsorted``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rules.detectors import DETECTORS, Detector, monthly_means
from rules.detectors.supply import CrossDetector
from rules.frames import period_end
from rules.ruleset import Rule, RuleSet
from rules.threshold_scores import score_side
from vocabulary import AGGREGATION, Aggregation


@dataclass
class Block:
    """One rule's indicator over a set of series (columns)."""

    rule_name: str
    detector: Detector
    freq: str  # frequency of the rows
    src_freq: str  # frequency of the input series
    series_ids: list[str]
    materials: list[str]
    rules: list[Rule]  # per column (thresholds may differ per material)
    avail: np.ndarray  # (rows,) datetime64[ns]: when the row becomes known
    values: np.ndarray  # (rows, cols), forward-filled
    up: np.ndarray  # material-direction scores (after invert)
    down: np.ndarray
    known_at: np.ndarray  # (rows, cols) datetime64[ns]: when the forward-filled value became known
    last_period: np.ndarray  # (rows, cols) datetime64[ns]: the forward-filled value's period
    by_material: dict[str, np.ndarray] = field(default_factory=dict)


def build_blocks(
    obs: pd.DataFrame, ruleset: RuleSet, wides: dict[str, pd.DataFrame]
) -> list[Block]:
    """All blocks for the observations; ``wides`` maps frequency to its wide frame."""
    meta = (
        obs.drop_duplicates("series_id")
        .astype({"series_id": str, "material": str, "indicator": str, "frequency": str})
        .set_index("series_id")
    )
    jobs: dict[tuple[str, str, str, str], list[tuple[str, str, Rule]]] = {}
    cross: dict[tuple[str, str], list[tuple[str, Rule]]] = {}
    # series per (material, kind, frequency), built once: a few hundred rules look them up
    series: dict[tuple[str, str, str], list[str]] = {}
    for sid, (material, kind, freq) in zip(
        meta.index,
        zip(meta["material"], meta["indicator"], meta["frequency"], strict=True),
        strict=True,
    ):
        series.setdefault((material, kind, freq), []).append(str(sid))
    for material in sorted(meta["material"].unique()):
        for rule in ruleset.rules_for(str(material)):
            params = json.dumps(rule.params, sort_keys=True)
            if DETECTORS[rule.detector].cross:
                cross.setdefault((rule.name, params), []).append((str(material), rule))
                continue
            for freq in rule.frequencies:
                for sid in series.get((str(material), str(rule.indicator), str(freq)), ()):
                    k = (rule.name, rule.detector, params, str(freq))
                    jobs.setdefault(k, []).append((sid, str(material), rule))
    lags = ruleset.model.timing.publication_lag_days
    blocks = []
    for (name, det_name, params, freq), cols in jobs.items():
        det = DETECTORS[det_name](json.loads(params))
        frame, out_freq = det.compute(wides[freq][[c[0] for c in cols]], freq)
        blocks.append(_block(name, det, frame, out_freq, cols, lags, freq))
    for (name, params), mats in cross.items():
        det = DETECTORS[mats[0][1].detector](json.loads(params))
        frame, cols = _cross_frame(det, obs, wides, mats)
        if cols:
            lag = max((lags.get(kind, 0) for kind in det.kinds), default=0)
            blocks.append(_block(name, det, frame, "M", cols, {**lags, "": lag}, "M", lag_kind=""))
    return blocks


def _block(
    name: str,
    det: Detector,
    frame: pd.DataFrame,
    freq: str,
    cols: list[tuple[str, str, Rule]],
    lags: dict[str, int],
    src_freq: str,
    lag_kind: str | None = None,
) -> Block:
    rules = [c[2] for c in cols]
    # one rule per block, so one indicator kind and one publication lag (a cross detector's
    # is the longest of its kinds')
    kind = rules[0].indicator if lag_kind is None else lag_kind
    avail = period_end(pd.DatetimeIndex(frame.index), freq) + np.timedelta64(lags.get(kind, 0), "D")
    raw = frame.to_numpy(dtype=float)
    up = np.full(raw.shape, np.nan)
    down = np.full(raw.shape, np.nan)
    for idx in _groups_by_thresholds(rules):  # one group per distinct threshold set
        r = rules[idx[0]]
        su = score_side(raw[:, idx], r.up, "up")
        sd = score_side(raw[:, idx], r.down, "down")
        up[:, idx], down[:, idx] = (sd, su) if r.invert else (su, sd)
    valid = ~np.isnan(raw)
    known = np.where(valid, avail[:, None], np.datetime64("NaT"))
    row_period = np.asarray(pd.DatetimeIndex(frame.index), dtype="datetime64[ns]")
    period = np.where(valid, row_period[:, None], np.datetime64("NaT"))
    ffill = _ffill_index(valid)
    pick = np.take_along_axis
    block = Block(
        rule_name=name,
        detector=det,
        freq=freq,
        src_freq=src_freq,
        series_ids=[c[0] for c in cols],
        materials=[c[1] for c in cols],
        rules=rules,
        avail=avail,
        values=pick(raw, ffill, axis=0),
        up=pick(up, ffill, axis=0),
        down=pick(down, ffill, axis=0),
        known_at=pick(known, ffill, axis=0),
        last_period=pick(period, ffill, axis=0),
    )
    mats = np.asarray(block.materials)
    block.by_material = {m: np.flatnonzero(mats == m) for m in dict.fromkeys(block.materials)}
    return block


def _ffill_index(valid: np.ndarray) -> np.ndarray:
    """Row index of the last valid row at or before each row (row 0 when none)."""
    rows = np.arange(valid.shape[0])[:, None]
    idx = np.where(valid, rows, 0)
    return np.maximum.accumulate(idx, axis=0) if valid.size else idx


def _groups_by_thresholds(rules: list[Rule]) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rules):
        key = json.dumps([r.up and r.up.model_dump(), r.down and r.down.model_dump(), r.invert])
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _cross_frame(
    det: Detector,
    obs: pd.DataFrame,
    wides: dict[str, pd.DataFrame],
    mats: list[tuple[str, Rule]],
) -> tuple[pd.DataFrame, list[tuple[str, str, Rule]]]:
    """A cross detector per material, on monthly values (one column per material)."""
    assert isinstance(det, CrossDetector)
    meta = obs.drop_duplicates("series_id").astype(
        {"series_id": str, "material": str, "indicator": str, "frequency": str}
    )
    out: dict[str, pd.Series] = {}
    cols = []
    groups = dict(tuple(meta.groupby(["material", "indicator"])))
    for material, rule in mats:  # a few materials, each vectorised over its months
        present = {kind for kind in det.kinds if (material, kind) in groups}
        if not det.ready(present):
            continue
        monthly = {
            kind: _monthly(groups[(material, kind)], wides, kind)
            if kind in present
            else pd.DataFrame()
            for kind in det.kinds
        }
        series = det.combine_kinds(monthly)
        if series is None or series.isna().all():
            continue
        out[material] = series
        cols.append((f"{material}:{rule.name}", material, rule))
    if not out:
        return pd.DataFrame(), []
    frame = pd.concat(out, axis=1).sort_index()
    frame.columns = [c[0] for c in cols]
    return frame, cols


def _monthly(meta: pd.DataFrame, wides: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    """A material's series of one kind as monthly values: means of prices and rates, last
    stocks, flows only as published monthly (a sum of a partial month would understate)."""
    parts = []
    for freq, group in meta.groupby("frequency"):
        wide = wides[str(freq)][list(group["series_id"])]
        if AGGREGATION.get(kind) == Aggregation.SUM:
            if freq == "M":
                parts.append(wide)
        elif AGGREGATION.get(kind) == Aggregation.LAST and freq in ("D", "W"):
            parts.append(wide.resample("MS").last())
        elif freq in ("D", "W", "T", "M"):
            parts.append(monthly_means(wide, str(freq)))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame()
