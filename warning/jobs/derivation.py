"""Deriving the series computed from others, one transaction per source series.

See :mod:`warning.feeding.derivation` for what is derived and when. Each source's derived
series are read and stored in one transaction; one source's failure is logged, recorded as a
failed derivation run and returned, and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session, sessionmaker

from feeds.longformat import ParsedBatch, SeriesSpec
from warning import clock
from warning.feeding.derivation import (
    FEED,
    DerivationFailure,
    DerivationOutcome,
    derivation_span,
    derived_batch,
    derived_targets,
    merge_spans,
    targets_of,
)
from warning.feeding.ingest import IngestReport, PeriodSpan
from warning.feeding.models import FeedRunKind
from warning.jobs.ingest import store_or_record_failure
from warning.store import read_only

log = logging.getLogger(__name__)


def derive_after_ingest(
    factory: sessionmaker[Session], stored: Iterable[PeriodSpan]
) -> DerivationOutcome:
    """Recompute the series derived from the series in ``stored`` (an ingest's report spans)."""
    spans = merge_spans(stored)
    if not spans:
        return DerivationOutcome()
    with read_only(factory) as session:
        targets = derived_targets(session, source_ids=spans)
    return _derive(factory, targets, ingested=spans)


def derive_from_history(
    factory: sessionmaker[Session], *, series_id: str | None = None
) -> DerivationOutcome:
    """Recompute every derived series (or ``series_id`` and its siblings) from its source's
    whole history: the repair of ``warning derive``.

    :class:`warning.feeding.derivation.NotDerivedError` when ``series_id`` is not derived.
    """
    with read_only(factory) as session:
        if series_id is None:
            targets = derived_targets(session)
        else:
            targets = targets_of(session, series_id=series_id)
    return _derive(factory, targets, ingested=None)


def _derive(
    factory: sessionmaker[Session],
    targets: Mapping[str, list[SeriesSpec]],
    *,
    ingested: Mapping[str, PeriodSpan] | None,
) -> DerivationOutcome:
    """Derive each source's targets: from what changed (``ingested`` given) or everything."""
    reports, failures = [], []
    for source_id, specs in targets.items():
        span = None if ingested is None else ingested[source_id]
        try:
            reports.append(_derive_source(factory, source_id, specs, ingested=span))
        except Exception as error:  # recorded by store_or_record_failure; the next goes on
            log.exception("deriving from %s failed", source_id)
            failures.append(DerivationFailure(source_id, f"{type(error).__name__}: {error}"))
    return DerivationOutcome(tuple(reports), tuple(failures))


def _derive_source(
    factory: sessionmaker[Session],
    source_id: str,
    targets: list[SeriesSpec],
    *,
    ingested: PeriodSpan | None,
) -> IngestReport:
    started = clock.now()  # before the source is read (warning.feeding.derivation)

    def build(session: Session) -> ParsedBatch:
        span = derivation_span(session, source_id=source_id, ingested=ingested)
        return derived_batch(session, source_id=source_id, span=span, targets=targets)

    return store_or_record_failure(
        factory,
        batch=build,
        feed=FEED,
        kind=FeedRunKind.DERIVATION,
        source=source_id,
        started=started,
    )
