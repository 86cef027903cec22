"""Rows that files and feeds give for derived series: history is kept, the rest refused.

A derived series (catalog ``derived_from``, copied to ``series.derived_from`` at ``warning
init``) is computed by the service (:mod:`warning.feeding.derivation`). A file or feed may
still give it for periods its source cannot (:func:`feeds.aggregate.derivable` is false):
those before the source's first period (:func:`source_first_periods`), stored or in the same
batch (the sample's weekly means from before its daily values begin, for one). A later row
is refused with a reason naming the source: where the service can compute a value, it is the
only writer. The store path (:func:`warning.feeding.ingest.store_batch`) applies this to
every batch of files and feeds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feeds.aggregate import derivable
from feeds.longformat import LONG_COLUMNS
from warning.catalog.models import Observation, Series


def derived_sources(session: Session) -> dict[str, str]:
    """Each derived series (the catalog's ``derived_from``, synced) with its source series."""
    rows = session.execute(
        select(Series.id, Series.derived_from).where(Series.derived_from.is_not(None))
    )
    return {series_id: source for series_id, source in rows if source is not None}


def source_first_periods(session: Session, *, source_ids: Collection[str]) -> dict[str, date]:
    """Each source series' first stored period (absent: it holds nothing).

    Suspect values count: the source's history begins where its first value was stored,
    whatever the checks make of that value, so the boundary between the history that files
    may give and the periods the service derives does not move when a value is flagged or
    cleared. (The derived values themselves leave suspect values out.)
    """
    rows = session.execute(
        select(Observation.series_id, func.min(Observation.period))
        .where(Observation.series_id.in_(list(source_ids)))
        .group_by(Observation.series_id)
    ).tuples()
    return {series_id: period for series_id, period in rows}


def refuse_derived_rows(
    session: Session, *, observations: pd.DataFrame, rejects: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move the rows of derived series that the service can compute to ``rejects``.

    ``observations`` and ``rejects`` are the frames of a :class:`feeds.longformat.ParsedBatch`;
    a refused row keeps its line and its ``raw`` text (the row as it was in the file; rebuilt
    as long-format text when the batch has no ``raw`` column) and gets the reason.
    """
    derived = derived_sources(session)
    targets = observations["series_id"].isin(list(derived))
    if not targets.any():
        return observations, rejects
    sources = observations["series_id"].map(derived)  # NaN: not a derived series
    first = _first_periods(session, observations, set(sources[targets]))
    boundary = pd.to_datetime(sources.map(first))  # NaT: not derived, or no source data yet
    refused = derivable(observations["period"], boundary).astype(bool)
    if not refused.any():
        return observations, rejects
    rows = observations[refused]
    reasons = {
        target: f"series {target} is derived from {source}; it is computed by the service "
        f"(a file or feed may give it only for periods before {source}'s first period, "
        f"{first[source].date().isoformat()})"
        for target, source in derived.items()
        if source in first
    }
    refusals = pd.DataFrame(
        {
            "line": rows["line"] if "line" in rows else pd.Series(0, index=rows.index),
            "raw": rows["raw"] if "raw" in rows else _as_long_rows(rows),
            "reason": rows["series_id"].map(reasons),
        }
    )
    merged = pd.concat([rejects, refusals], ignore_index=True) if len(rejects) else refusals
    return observations[~refused], merged.sort_values("line", kind="stable")


def _first_periods(
    session: Session, observations: pd.DataFrame, sources: set[str]
) -> dict[str, pd.Timestamp]:
    """Each source's first period, stored or in this batch (absent: no data at all)."""
    stored = source_first_periods(session, source_ids=sources)
    first = {series_id: pd.Timestamp(period) for series_id, period in stored.items()}
    batch = observations[observations["series_id"].isin(sources)]
    for series_id, period in batch.groupby("series_id")["period"].min().items():
        first[str(series_id)] = min(first.get(str(series_id), period), period)
    return first


def _as_long_rows(rows: pd.DataFrame) -> pd.Series:
    """Rows as long-format CSV text, for the raw column of refused rows."""
    return pd.Series(
        [
            f"{sid},{material},{indicator},{frequency},{period:%Y-%m-%d},{value:.10g},{unit}"
            for sid, material, indicator, frequency, period, value, unit in zip(
                *(rows[column] for column in LONG_COLUMNS), strict=True
            )
        ],
        index=rows.index,
        dtype=object,
    )
