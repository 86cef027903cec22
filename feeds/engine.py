"""The one entry point the service calls: :func:`fetch` runs one feed and returns plain data.

::

    from feeds.engine import fetch
    result = fetch(
        definition,                  # feeds.definitions.FeedDefinition
        known=catalog_specs,         # Mapping[str, SeriesSpec]: series the store knows
        last_values=last_values,     # Mapping[str, float]: last stored value per series
        validators=previous,         # feeds.result.Validators | None, from the last run
        today=desk_today,            # date: periods after it are refused
        client=None,                 # httpx.Client | None; one is made (and closed) if None
        since=None,                  # date | None: last stored period, for {since} placeholders
        secrets=None,                # Mapping[str, str] | None: named secrets for auth
        policy=policy,               # feeds.http.HttpPolicy: clock, sleep, rng, backoff
        functions=None,              # feeds.library.FunctionTable | None: what akshare feeds
                                     #   call (None: the installed AKShare)
        keeper=None,                 # feeds.library.FrameKeeper | None: keeps raw frames
    )

``fetch`` never raises for a problem of the source (unreachable, HTTP errors, timeouts, HTML
or malformed bodies, a changed shape, an oversized or truncated response): it returns a
:class:`~feeds.result.FetchResult` with ``status="failed"`` and an ``error`` naming the feed,
the URL or file, and what went wrong. Timeout, attempts, size cap and redirects come from the
definition (``timeout_s``, ``http.attempts``, ``http.max_bytes``, ``http.redirects``).

Validation order: rows the source could not map (bad period) -> :func:`feeds.quality.refusals`
(foreign series, period coarser than the frequency, weekend day for daily series) ->
:func:`feeds.longformat.validate_long_frame` (values, prices, future, unit and series
contradictions, duplicates) -> :func:`feeds.quality.suspect_jumps` flags accepted rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

import httpx
import pandas as pd

from feeds.definitions import FeedDefinition
from feeds.http import HttpPolicy, deadline_client
from feeds.library import FrameKeeper, FunctionTable
from feeds.longformat import SeriesSpec, validate_long_frame
from feeds.quality import refusals, suspect_jumps
from feeds.result import (
    OBSERVATION_COLUMNS,
    REJECT_COLUMNS,
    FetchResult,
    FetchStatus,
    Validators,
    empty_observations,
    empty_rejects,
    failed,
)
from feeds.sources import SOURCES, ReadContext, SourceError, SourceRows
from feeds.urls import shown_url

log = logging.getLogger(__name__)
_DUPLICATE_OF = r"^duplicate of line (\d+)"


def fetch(
    definition: FeedDefinition,
    *,
    known: Mapping[str, SeriesSpec],
    last_values: Mapping[str, float],
    validators: Validators | None,
    today: date,
    client: httpx.Client | None = None,
    since: date | None = None,
    secrets: Mapping[str, str] | None = None,
    policy: HttpPolicy,
    functions: FunctionTable | None = None,
    keeper: FrameKeeper | None = None,
) -> FetchResult:
    """Run one feed; see the module docstring. Never raises for source problems."""
    source = SOURCES.get(definition.source)
    if source is None:
        location = shown_url(definition.location)
        return failed(definition.id, location, _error(definition, "unknown source"))
    effective = replace(
        policy,
        timeout_s=definition.timeout_s,
        attempts=definition.http.attempts,
        max_bytes=definition.http.max_bytes,
        redirects=definition.http.redirects,
    )
    own_client = client is None
    session = client or deadline_client()  # feeds.http follows redirects itself, within an origin
    context = ReadContext(
        today=today,
        client=session,
        policy=effective,
        validators=validators,
        since=since,
        secrets=dict(secrets or {}),
        functions=functions,
        keeper=keeper,
    )
    try:
        rows = source.read(definition, context)
        return _result(definition, rows, known=known, last_values=last_values, today=today)
    except SourceError as error:
        return failed(definition.id, error.location, _error(definition, str(error)), validators)
    except Exception as error:  # the contract: a feed run never raises for its source
        log.exception("feed %s: unexpected error", definition.id)
        location = shown_url(definition.location)
        text = f"{location}: unexpected {type(error).__name__}: {error}"
        return failed(definition.id, location, _error(definition, text), validators)
    finally:
        if own_client:
            session.close()


def _error(definition: FeedDefinition, text: str) -> str:
    return f"feed {definition.id!r} ({definition.source}): {text}"


def _result(
    definition: FeedDefinition,
    rows: SourceRows,
    *,
    known: Mapping[str, SeriesSpec],
    last_values: Mapping[str, float],
    today: date,
) -> FetchResult:
    if rows.unchanged:
        return FetchResult(
            feed_id=definition.id,
            location=shown_url(rows.location),
            status=FetchStatus.UNCHANGED,
            observations=empty_observations(),
            rejects=empty_rejects(),
            validators=rows.validators,
            rows_fetched=0,
        )
    specs = {**definition.specs(), **{k: v for k, v in known.items() if k in definition.specs()}}
    if not definition.series:  # a long-format feed without a list produces any known series
        specs = dict(known)
    observations, rejects = _validate(rows, specs=specs, feed_id=definition.id, today=today)
    observations["suspect"] = suspect_jumps(
        observations, last_values=last_values, factor=definition.jump_factor
    )
    return FetchResult(
        feed_id=definition.id,
        location=shown_url(rows.location),
        status=FetchStatus.OK,
        observations=observations[list(OBSERVATION_COLUMNS)],
        rejects=rejects,
        validators=rows.validators,
        rows_fetched=rows.rows_fetched,
    )


def _validate(
    rows: SourceRows, *, specs: Mapping[str, SeriesSpec], feed_id: str, today: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = rows.frame
    if frame.empty:
        return empty_observations(), _rejects(rows.rejects)
    reasons = refusals(frame, specs=specs, feed_id=feed_id)
    refused = frame[reasons != ""]
    early = pd.DataFrame(
        {
            "series_id": refused["series_id"],
            "line": refused["source_line"],
            "location": refused["location"],
            "raw": refused["raw"],
            "reason": reasons[reasons != ""],
        }
    )
    kept = frame[reasons == ""].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    batch = validate_long_frame(
        kept,
        source=rows.location,
        known_materials=frozenset(spec.material for spec in specs.values()),
        known_series=specs,
        today=today,
    )
    by_key = kept.set_index("line")
    observations = batch.observations.copy()
    observations["line"] = observations["line"].map(by_key["source_line"]).astype("int64")
    late = batch.rejects.copy()
    late["series_id"] = late["line"].map(by_key["series_id"])
    late["location"] = late["line"].map(by_key["location"])
    late["line"] = late["line"].map(by_key["source_line"])
    # validate_long_frame names the first of duplicate rows by its key: name its source line
    late["reason"] = late["reason"].str.replace(
        _DUPLICATE_OF,
        lambda m: f"duplicate of line {by_key['source_line'].get(int(m.group(1)), m.group(1))}",
        regex=True,
    )
    rejects = _rejects(pd.concat([rows.rejects, early, late], ignore_index=True))
    return observations, rejects


def _rejects(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return empty_rejects()
    out = frame.reindex(columns=list(REJECT_COLUMNS)).fillna({"series_id": ""})
    out["line"] = out["line"].astype("int64")
    return out.sort_values("line", kind="stable").reset_index(drop=True)
