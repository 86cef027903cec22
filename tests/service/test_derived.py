"""Derived series (catalog ``derived_from``): computed after each ingest, never fed.

On SQLite and, when configured, PostgreSQL (the ``factory`` fixture of tests/conftest.py,
which syncs the bundled catalog: ``copper_shfe_futures_weekly`` is the weekly mean of
``copper_shfe_futures``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from feed_helpers import one, price_feed, write_feeds_yaml, write_prices
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import rules
from feeds.definitions import DefinitionError
from tests.support.store import load_catalog_into, put_values
from warning.catalog import bundled_catalog_path, load_catalog
from warning.catalog.models import Observation, ObservationRevision, Series
from warning.context import open_context
from warning.evaluation.models import EvaluationRun
from warning.feeding import derivation as derived_module
from warning.feeding.derivation import NotDerivedError
from warning.feeding.feed_runs import load_feed_definitions
from warning.feeding.ingest import IngestReport
from warning.feeding.models import FeedRun, RejectedRow
from warning.feeding.staleness import stale_series, stale_series_ids
from warning.feeding.status import series_status
from warning.jobs.derivation import derive_after_ingest, derive_from_history
from warning.jobs.feeds import run_feeds
from warning.jobs.ingest import ingest_file
from warning.jobs.pipeline import after_feed_run, derive_and_evaluate
from warning.settings import load_settings

TODAY = date(2026, 3, 31)
DAILY = "copper_shfe_futures"
WEEKLY = "copper_shfe_futures_weekly"


def daily(day: str, value: float) -> str:
    return f"{DAILY},copper,price,D,{day},{value},CNY/t"


def weekly(day: str, value: float) -> str:
    return f"{WEEKLY},copper,price,W,{day},{value},CNY/t"


def values(factory: sessionmaker[Session], series_id: str = WEEKLY) -> dict[date, float]:
    with factory() as session:
        rows = session.execute(
            select(Observation.period, Observation.value).where(Observation.series_id == series_id)
        )
        return {period: value for period, value in rows}


def load(factory: sessionmaker[Session], write_csv, name: str, *rows: str) -> IngestReport:
    return ingest_file(factory, write_csv(name, *rows), today=TODAY)


def test_a_daily_ingest_derives_the_weeks_it_touched_and_a_later_day_revises_its_week(
    factory: sessionmaker[Session], write_csv
) -> None:
    week1 = [daily(f"2026-03-0{d}", 100 + 2 * i) for i, d in enumerate(range(2, 7))]
    first = load(
        factory, write_csv, "a.csv", *week1, daily("2026-03-09", 110), daily("2026-03-10", 112)
    )

    made = derive_after_ingest(factory, first.stored)

    assert values(factory) == {date(2026, 3, 2): 104.0, date(2026, 3, 9): 111.0}
    (report,) = made.reports
    assert (report.source, report.accepted, report.revised) == (DAILY, 2, 0)
    with factory() as session:
        run = session.get(FeedRun, report.feed_run_id)
    assert run is not None and (run.feed, run.source, run.status) == ("derived", DAILY, "ok")

    wednesday = load(factory, write_csv, "b.csv", daily("2026-03-11", 120))
    again = derive_after_ingest(factory, wednesday.stored)

    (report,) = again.reports
    assert (report.accepted, report.revised, report.unchanged) == (0, 1, 0)  # week 1 untouched
    assert values(factory)[date(2026, 3, 9)] == pytest.approx(114.0)
    with factory() as session:
        revision = session.scalars(select(ObservationRevision)).one()
        stored = session.get(Observation, (WEEKLY, date(2026, 3, 9)))
    assert (revision.series_id, revision.old_value, revision.new_value) == (WEEKLY, 111.0, 114.0)
    assert stored is not None and (stored.first_value, stored.revisions) == (111.0, 1)


def test_a_revised_day_revises_only_its_week(factory: sessionmaker[Session], write_csv) -> None:
    rows = [daily("2026-03-05", 100), daily("2026-03-06", 102), daily("2026-03-09", 110)]
    derive_after_ingest(factory, load(factory, write_csv, "a.csv", *rows).stored)
    before = values(factory)

    revised = load(factory, write_csv, "b.csv", daily("2026-03-09", 130))
    (report,) = derive_after_ingest(factory, revised.stored).reports

    assert (report.accepted, report.revised, report.unchanged) == (0, 1, 0)
    assert values(factory) == {**before, date(2026, 3, 9): 130.0}


def test_a_file_may_give_a_derived_series_only_history_its_source_cannot(
    factory: sessionmaker[Session], write_csv
) -> None:
    report = load(
        factory,
        write_csv,
        "mixed.csv",
        weekly("2026-02-23", 90),  # line 2: before the daily series begins: history
        weekly("2026-03-02", 95),  # line 3: the daily series begins inside this week: history
        weekly("2026-03-09", 99),  # line 4: derivable: refused
        daily("2026-03-04", 100),
        daily("2026-03-09", 110),
    )

    assert (report.accepted, report.rejected) == (4, 1)
    assert report.rejects[0].line == 4
    assert report.rejects[0].reason.startswith(
        f"series {WEEKLY} is derived from {DAILY}; it is computed by the service"
    )
    assert "2026-03-04" in report.rejects[0].reason
    with factory() as session:
        kept = session.scalars(select(RejectedRow)).one()
    assert kept.line == 4 and kept.raw.startswith(f"{WEEKLY},copper,price,W,2026-03-09,99")

    derive_after_ingest(factory, report.stored)

    assert values(factory) == {
        date(2026, 2, 23): 90.0,
        date(2026, 3, 2): 95.0,  # not derived: a mean of Wed-Fri only would not be the week's
        date(2026, 3, 9): 110.0,
    }
    later = load(factory, write_csv, "later.csv", weekly("2026-03-02", 96), weekly("2026-03-16", 1))
    assert (later.revised, later.rejected) == (1, 1)


def test_a_refused_row_keeps_its_text_as_it_was_in_the_file(
    factory: sessionmaker[Session], write_csv
) -> None:
    row = f"{WEEKLY},copper,price,W,2026-03-11,99.1234567890123,CNY/t"

    report = load(factory, write_csv, "a.csv", daily("2026-03-09", 100), row)

    assert (report.accepted, report.rejected) == (1, 1)
    with factory() as session:
        kept = session.scalars(select(RejectedRow)).one()
    assert (kept.line, kept.raw) == (3, row)  # not the normalised period and rounded value


def test_suspect_source_values_are_left_out_of_the_derived_mean(
    factory: sessionmaker[Session], write_csv
) -> None:
    report = load(factory, write_csv, "a.csv", daily("2026-03-09", 100), daily("2026-03-10", 104))
    with factory() as session, session.begin():
        tuesday = session.get(Observation, (DAILY, date(2026, 3, 10)))
        assert tuesday is not None
        tuesday.suspect = True  # as the jump check or an operator would flag it

    derive_after_ingest(factory, report.stored)

    assert values(factory) == {date(2026, 3, 9): 100.0}


def test_evaluation_after_an_ingest_sees_the_derived_values(
    factory: sessionmaker[Session], database_url: str, write_csv, tmp_path: Path
) -> None:
    rules_file = tmp_path / "weekly_only.yaml"
    rules_file.write_text(
        yaml.safe_dump(
            {
                "version": "weekly-only",
                "timing": {"finest_only": []},
                "rules": [
                    {
                        "name": "weekly_change",
                        "detector": "change",
                        "frequencies": ["W"],
                        "params": {"periods": 1},
                        "up": {"yellow": 5},
                        "down": {"yellow": -5},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    context = open_context(load_settings(database_url=database_url, as_of=date(2026, 3, 13)))
    days = [daily(f"2026-02-{d}", 100) for d in range(23, 28)]
    days += [daily(f"2026-03-0{d}", 110) for d in range(2, 7)]
    days += [daily(f"2026-03-{d}", 150) for d in range(9, 14)]
    report = load(factory, write_csv, "a.csv", *days)

    after = derive_and_evaluate(
        context, ruleset=rules.load_ruleset(rules_file), stored=report.stored, trigger="test"
    )

    assert after.evaluation is not None
    assert WEEKLY not in after.evaluation.stale_series_ids
    copper = next(a for a in after.evaluation.assessments if a.material == "copper")
    (indicator,) = [i for i in copper.indicators if i.series_id == WEEKLY]
    # the rules read a week once it has ended (rules.indicators): on Friday 13 March the
    # newest is the week of 2 March, up 10 % on the week before
    assert indicator.value == pytest.approx(10.0)
    assert str(copper.level) == "yellow"


def test_a_failed_derivation_keeps_the_source_values_and_leaves_the_series_stale(
    factory: sessionmaker[Session],
    database_url: str,
    write_csv,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(derived_module, "aggregate", broken)
    context = open_context(load_settings(database_url=database_url, as_of=date(2026, 3, 11)))
    report = load(factory, write_csv, "a.csv", daily("2026-03-09", 100), daily("2026-03-10", 104))

    after = derive_and_evaluate(
        context, ruleset=rules.load_ruleset(), stored=report.stored, trigger="t"
    )

    (failure,) = after.derivation.failures
    assert failure.source_id == DAILY and "aggregation broke" in failure.error
    assert len(values(factory, DAILY)) == 2 and values(factory) == {}
    with factory() as session:
        failed = session.scalars(select(FeedRun).where(FeedRun.feed == "derived")).one()
        lines = {
            line.series_id: line
            for line in series_status(
                session,
                definitions=load_feed_definitions(context.settings, context.catalog),
                as_of=date(2026, 3, 11),
            )
        }
    assert failed.status == "failed" and failed.error and "aggregation broke" in failed.error
    assert after.evaluation is not None and WEEKLY in after.evaluation.stale_series_ids
    weekly_line = lines[WEEKLY]
    assert weekly_line.staleness.reason.startswith(f"derivation from {DAILY} failed at ")
    assert (weekly_line.derived_from, weekly_line.last_status, weekly_line.failing) == (
        DAILY,
        "failed",
        True,
    )


def broken(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("aggregation broke")


def stale_reasons(factory: sessionmaker[Session], as_of: date) -> dict[str, str]:
    with factory() as session:
        return {item.series_id: why.reason for item, why in stale_series(session, as_of=as_of)}


def test_a_failed_derivation_leaves_its_series_stale_until_the_next_ingest_redoes_it(
    factory: sessionmaker[Session], write_csv, monkeypatch: pytest.MonkeyPatch
) -> None:
    week1 = [daily(f"2026-03-0{d}", 100) for d in range(2, 7)]
    first = load(factory, write_csv, "a.csv", daily("2026-02-23", 90), *week1)
    derive_after_ingest(factory, first.stored)
    derive_after_ingest(factory, load(factory, write_csv, "m.csv", daily("2026-03-09", 110)).stored)
    tuesday = load(factory, write_csv, "b.csv", daily("2026-03-03", 150))  # a revision
    with monkeypatch.context() as patch:
        patch.setattr(derived_module, "aggregate", broken)
        assert derive_after_ingest(factory, tuesday.stored).failures

    assert values(factory)[date(2026, 3, 2)] == 100.0  # the old mean: the week is stale
    reason = stale_reasons(factory, date(2026, 3, 10))[WEEKLY]
    assert reason.startswith(f"derivation from {DAILY} failed at ")
    assert "aggregation broke" in reason and f"retried on the next ingest of {DAILY}" in reason

    wednesday = load(factory, write_csv, "c.csv", daily("2026-03-11", 120))
    (report,) = derive_after_ingest(factory, wednesday.stored).reports

    # the revised Tuesday's week is redone though the ingest touched the next week only; after
    # a failure the whole history is (the week of 23 February is unchanged)
    assert values(factory) == {
        date(2026, 2, 23): 90.0,
        date(2026, 3, 2): 110.0,
        date(2026, 3, 9): 115.0,
    }
    assert (report.accepted, report.revised, report.unchanged) == (0, 2, 1)
    assert WEEKLY not in stale_reasons(factory, date(2026, 3, 11))


def test_values_changed_since_the_last_derivation_are_derived_with_the_next_ingest(
    factory: sessionmaker[Session], write_csv
) -> None:
    rows = [daily("2026-02-23", 90), daily("2026-03-02", 100), daily("2026-03-03", 100)]
    derive_after_ingest(factory, load(factory, write_csv, "a.csv", *rows).stored)
    load(factory, write_csv, "b.csv", daily("2026-03-03", 130))  # stored, never derived (a crash)

    later = load(factory, write_csv, "c.csv", daily("2026-03-09", 110))
    (report,) = derive_after_ingest(factory, later.stored).reports

    assert values(factory) == {
        date(2026, 2, 23): 90.0,
        date(2026, 3, 2): 115.0,
        date(2026, 3, 9): 110.0,
    }
    assert (report.accepted, report.revised, report.unchanged) == (1, 1, 0)  # not 23 February


def test_the_first_derivation_from_a_source_covers_its_whole_history(
    factory: sessionmaker[Session], write_csv
) -> None:
    load(factory, write_csv, "old.csv", daily("2026-02-23", 90), daily("2026-03-02", 100))
    later = load(factory, write_csv, "new.csv", daily("2026-03-09", 110))

    derive_after_ingest(factory, later.stored)

    assert values(factory) == {
        date(2026, 2, 23): 90.0,
        date(2026, 3, 2): 100.0,
        date(2026, 3, 9): 110.0,
    }


def test_derivation_from_history_repairs_a_series_and_names_what_is_not_derived(
    factory: sessionmaker[Session], write_csv
) -> None:
    load(factory, write_csv, "a.csv", daily("2026-03-09", 100), daily("2026-03-10", 104))
    with factory() as session, session.begin():
        session.add(
            Observation(
                series_id=WEEKLY,
                period=date(2026, 3, 9),
                value=1.0,
                first_value=1.0,
                first_seen_at=datetime.now(UTC),
                changed_at=datetime.now(UTC),
            )
        )

    (report,) = derive_from_history(factory, series_id=WEEKLY).reports

    assert (report.source, report.revised) == (DAILY, 1)
    assert values(factory) == {date(2026, 3, 9): 102.0}
    with pytest.raises(NotDerivedError, match=f"series {DAILY} is not a derived series"):
        derive_from_history(factory, series_id=DAILY)


def test_a_scheduled_feed_run_derives_then_evaluates(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    prices = write_prices(tmp_path / "cu.csv", [("2026-03-09", 100), ("2026-03-10", 104)])
    context = open_context(load_settings(database_url=database_url, as_of=date(2026, 3, 11)))
    ruleset = rules.load_ruleset()

    run_feeds(
        factory,
        definitions=[one(price_feed("cu", str(prices)))],
        today=TODAY,
        on_outcome=lambda outcome: after_feed_run(context, ruleset, outcome),
    )

    assert values(factory) == {date(2026, 3, 9): 102.0}
    with factory() as session:
        feeds = session.scalars(select(FeedRun.feed).order_by(FeedRun.id)).all()
        evaluation = session.scalars(select(EvaluationRun)).one()
        stale = stale_series_ids(session, as_of=date(2026, 3, 11))
    assert feeds == ["cu", "derived"] and evaluation.trigger == "feed:cu"
    assert WEEKLY not in stale


def test_history_its_source_cannot_give_is_judged_by_its_own_cadence(
    factory: sessionmaker[Session], write_csv
) -> None:
    report = load(
        factory,
        write_csv,
        "a.csv",
        weekly("2021-05-03", 90),
        daily("2026-03-09", 100),
        daily("2026-03-10", 101),
    )
    derive_after_ingest(factory, report.stored)

    with factory() as session:
        replay = stale_series_ids(session, as_of=date(2021, 5, 12))
        now = stale_series_ids(session, as_of=date(2026, 3, 11))
        later = stale_series_ids(session, as_of=date(2026, 3, 20))
    assert WEEKLY not in replay and DAILY in replay  # no daily value yet in 2021
    assert WEEKLY not in now and DAILY not in now
    assert {WEEKLY, DAILY} <= later  # the source is stale, so is what is derived from it


def test_a_suspect_newest_source_value_does_not_put_the_derived_series_behind(
    factory: sessionmaker[Session], write_csv
) -> None:
    """The derived mean leaves suspect values out, so a week holding only a suspect value has
    nothing to derive: the series is not behind its source for lacking that week."""
    report = load(factory, write_csv, "a.csv", daily("2026-03-09", 100), daily("2026-03-16", 300))
    with factory() as session, session.begin():
        monday = session.get(Observation, (DAILY, date(2026, 3, 16)))
        assert monday is not None
        monday.suspect = True
    derive_after_ingest(factory, report.stored)

    with factory() as session:
        stale = dict((item.series_id, why) for item, why in stale_series(session, as_of=TODAY))
        fresh_then = stale_series_ids(session, as_of=date(2026, 3, 17))
    assert values(factory) == {date(2026, 3, 9): 100.0}
    assert WEEKLY not in fresh_then and DAILY not in fresh_then
    assert "behind" not in stale[WEEKLY].reason  # late on 31 March because its source is


def test_a_feed_may_not_name_a_derived_series(tmp_path: Path) -> None:
    feeds = write_feeds_yaml(
        tmp_path / "feeds.yaml",
        price_feed("cu_weekly", "w.csv", series=WEEKLY),
    )
    settings = load_settings(database_url="sqlite://", feeds_path=feeds)
    with pytest.raises(
        DefinitionError,
        match=rf"feed 'cu_weekly', field 'series.0.id': series {WEEKLY} is derived from {DAILY}",
    ):
        load_feed_definitions(settings, load_catalog())


def test_the_store_knows_derived_series_and_matches_the_models(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with factory() as session:
        assert session.get(Series, WEEKLY).derived_from == DAILY  # type: ignore[union-attr]
        with session.get_bind().connect() as connection:  # migration 0004 = the model
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Series.metadata) == []
    plain = bundled_catalog_path().read_text(encoding="utf-8")
    path = tmp_path / "catalog.yaml"
    path.write_text(plain.replace(f"        derived_from: {DAILY}\n", ""), encoding="utf-8")

    load_catalog_into(factory, load_catalog(path))

    with factory() as session:
        assert session.get(Series, WEEKLY).derived_from is None  # type: ignore[union-attr]


def test_values_stored_before_they_were_refused_cannot_break_a_derivation(
    factory: sessionmaker[Session],
) -> None:
    """Five prices of 1.5e308 (stored before such values were refused) overflow a weekly mean:
    that week is refused with a reason, the other weeks are derived, and nothing fails."""
    huge = {date(2026, 3, day): 1.5e308 for day in range(2, 7)}
    put_values(factory, DAILY, {**huge, date(2026, 3, 9): 100.0, date(2026, 3, 10): 102.0})

    outcome = derive_from_history(factory)

    assert outcome.failures == ()
    assert values(factory) == {date(2026, 3, 9): 101.0}
    with factory() as session:
        (reason,) = session.scalars(select(RejectedRow.reason))
    assert reason.startswith(f"derived {WEEKLY} for 2026-03-02: price nan is not a finite")
