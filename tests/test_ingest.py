"""Ingesting long-format files into the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from feeds.longformat import FileFormatError
from tests.support.store import load_catalog_into
from warning.catalog import CatalogError, bundled_catalog_path, load_catalog
from warning.catalog.models import Observation, ObservationRevision, Series
from warning.feeding import ingest as ingest_module
from warning.feeding.models import FeedRun, RejectedRow
from warning.jobs.ingest import ingest_file

GOOD = (
    "copper_shfe_futures,copper,price,D,2024-01-02,68000,CNY/t",
    "copper_shfe_futures,copper,price,D,2024-01-03,68250.5,CNY/t",
    "copper_wb_monthly,copper,price,M,2024-01-31,8350,USD/t",
)
MALFORMED = (
    "copper_shfe_futures,copper,price,D,2024-01-04,12x00,CNY/t",  # line 5: bad number
    "copper_shfe_futures,unobtainium,price,D,2024-01-05,1,CNY/t",  # line 6: unknown material
    "copper_shfe_futures,copper,price,D,2024-02-30,68000,CNY/t",  # line 7: bad date
    "copper_shfe_futures,copper,price,D,2024-01-02,68000,CNY/t",  # line 8: duplicate of line 2
    "copper_shfe_futures,copper,price,D,2024-01-08,,CNY/t",  # line 9: empty value
)


def observations(factory) -> dict[tuple[str, date], float]:
    with factory() as session:
        rows = session.execute(select(Observation.series_id, Observation.period, Observation.value))
        return {(s, p): v for s, p, v in rows}


def test_malformed_rows_are_rejected_with_reasons_and_the_rest_accepted(factory, write_csv):
    path = write_csv("mixed.csv", *GOOD, *MALFORMED)

    report = ingest_file(factory, path, today=date(2026, 1, 1))

    assert (report.accepted, report.revised, report.unchanged) == (3, 0, 0)
    reasons = {reject.line: reject.reason for reject in report.rejects}
    assert sorted(reasons) == [5, 6, 7, 8, 9]
    assert "bad number" in reasons[5]
    assert "unknown material 'unobtainium'" in reasons[6]
    assert "bad date" in reasons[7]
    assert "duplicate of line 2" in reasons[8]
    assert "empty value" in reasons[9]
    assert observations(factory)[("copper_wb_monthly", date(2024, 1, 1))] == 8350.0
    with factory() as session:
        stored = session.execute(select(RejectedRow.line, RejectedRow.raw)).all()
    assert sorted(line for line, _ in stored) == [5, 6, 7, 8, 9]
    assert any("12x00" in raw for _, raw in stored)


def test_loading_the_same_file_twice_accepts_nothing_the_second_time(factory, write_csv):
    path = write_csv("good.csv", *GOOD)
    ingest_file(factory, path, today=date(2026, 1, 1))
    before = observations(factory)

    again = ingest_file(factory, path, today=date(2026, 1, 1))

    assert (again.accepted, again.revised, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert observations(factory) == before


def test_a_changed_value_is_a_revision_and_the_old_value_is_kept(factory, write_csv):
    ingest_file(factory, write_csv("v1.csv", *GOOD), today=date(2026, 1, 1))
    revised = GOOD[0].replace("68000", "68100")

    report = ingest_file(factory, write_csv("v2.csv", revised), today=date(2026, 1, 1))

    assert (report.accepted, report.revised, report.unchanged) == (0, 1, 0)
    key = ("copper_shfe_futures", date(2024, 1, 2))
    assert observations(factory)[key] == 68100.0
    with factory() as session:
        row = session.get(Observation, key)
        assert row is not None and row.first_value == 68000.0 and row.revisions == 1
        revision = session.scalars(select(ObservationRevision)).one()
    assert (revision.old_value, revision.new_value) == (68000.0, 68100.0)


def test_a_new_series_id_creates_the_series_and_contradictions_are_rejected(factory, write_csv):
    path = write_csv(
        "new.csv",
        "copper_lme_cash,copper,price,D,2024-01-02,8400,USD/t",
        "copper_lme_cash,copper,price,M,2024-01-03,8410,USD/t",  # frequency contradicts line 2
        "copper_shfe_futures,copper,price,D,2024-01-02,9000,USD/t",  # unit contradicts catalog
    )

    report = ingest_file(factory, path, today=date(2026, 1, 1))

    assert report.accepted == 1
    assert {r.line for r in report.rejects} == {3, 4}
    assert "frequency 'M' contradicts series 'copper_lme_cash'" in report.rejects[0].reason
    assert "unit 'USD/t' contradicts series 'copper_shfe_futures'" in report.rejects[1].reason
    with factory() as session:
        series = session.get(Series, "copper_lme_cash")
    assert series is not None and (series.frequency, series.unit) == ("D", "USD/t")


def test_a_bad_file_changes_nothing_already_stored(factory, write_csv, tmp_path):
    ingest_file(factory, write_csv("good.csv", *GOOD), today=date(2026, 1, 1))
    before = observations(factory)
    broken = tmp_path / "broken.csv"
    broken.write_text("when,what\n2024-01-02,1\n", encoding="utf-8")

    with pytest.raises(FileFormatError, match=r"broken.csv: line 1: header lacks series_id"):
        ingest_file(factory, broken, today=date(2026, 1, 1))

    assert observations(factory) == before
    with factory() as session:
        failed = session.scalars(select(FeedRun).where(FeedRun.status == "failed")).one()
    assert failed.error is not None and "header lacks" in failed.error


def test_a_failure_part_way_leaves_the_store_as_it_was(factory, write_csv, monkeypatch):
    ingest_file(factory, write_csv("good.csv", *GOOD), today=date(2026, 1, 1))
    before = observations(factory)

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "_insert_rejects", explode)
    update = write_csv(
        "more.csv",
        GOOD[0].replace("68000", "1"),
        *MALFORMED,
        "copper_shfe_futures,copper,price,D,2024-01-10,69000,CNY/t",
    )
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_file(factory, update, today=date(2026, 1, 1))

    assert observations(factory) == before
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ObservationRevision)) == 0
        assert session.scalar(select(func.count()).select_from(RejectedRow)) == 0
        statuses = session.scalars(select(FeedRun.status).order_by(FeedRun.id)).all()
    assert statuses == ["ok", "failed"]


def test_monthly_rows_name_their_period_by_any_date_inside_it(factory, write_csv):
    path = write_csv(
        "monthly.csv",
        "copper_wb_monthly,copper,price,M,2024-03-31,8600,USD/t",
        "copper_wb_monthly,copper,price,M,2024-03-01,8600,USD/t",  # same period: duplicate
    )

    report = ingest_file(factory, path, today=date(2026, 1, 1))

    assert report.accepted == 1 and report.rejects[0].line == 3
    assert ("copper_wb_monthly", date(2024, 3, 1)) in observations(factory)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param((), id="header only"),
        pytest.param(("copper_shfe_futures,copper,price,D,2024-01-02,oops,CNY/t",), id="all bad"),
        pytest.param(("copper_wb_monthly,copper,price,M,2026-12-01,1,USD/t",), id="all future"),
    ],
)
def test_a_batch_with_nothing_to_accept_still_keeps_its_rejects(factory, write_csv, rows):
    report = ingest_file(factory, write_csv("none.csv", *rows), today=date(2026, 11, 21))

    assert (report.accepted, report.revised, report.rejected) == (0, 0, len(rows))
    with factory() as session:
        run = session.scalars(select(FeedRun)).one()
        kept = session.scalars(select(RejectedRow.line)).all()
    assert run.status == "ok" and kept == [2] * len(rows)


def test_values_too_long_for_the_store_are_refused_rows_not_a_failed_file(factory, write_csv):
    long_unit = "CNY per tonne delivered to the warehouse"
    long_id = "copper_" + "x" * 130
    path = write_csv(
        "long.csv",
        f"copper_lme_cash,copper,price,D,2024-01-02,8400,{long_unit}",
        f"{long_id},copper,price,D,2024-01-02,8400,USD/t",
        "copper_shfe_futures,copper,price,D,2024-01-02,68000,CNY/t",
    )

    report = ingest_file(factory, path, today=date(2026, 1, 1))

    assert report.accepted == 1
    assert [r.reason for r in report.rejects] == [
        "unit longer than 32 characters",
        "series_id longer than 128 characters",
    ]


def test_a_date_later_this_month_names_a_period_that_has_begun(factory, write_csv):
    path = write_csv(
        "month.csv",
        "copper_wb_monthly,copper,price,M,2026-11-30,9100,USD/t",  # November has begun
        "copper_wb_monthly,copper,price,M,2026-12-01,9200,USD/t",  # December has not
    )

    report = ingest_file(factory, path, today=date(2026, 11, 21))

    assert report.accepted == 1
    assert report.rejects[0].line == 3 and "in the future" in report.rejects[0].reason
    assert ("copper_wb_monthly", date(2026, 11, 1)) in observations(factory)


def test_a_catalog_may_not_relabel_a_series_that_has_data(factory, write_csv, tmp_path):
    ingest_file(factory, write_csv("good.csv", *GOOD), today=date(2026, 1, 1))
    changed = bundled_catalog_path().read_text(encoding="utf-8")
    # the first two series: iron ore's daily price and its weekly mean (derived: same unit)
    changed = changed.replace("unit: CNY/t", "unit: USD/t", 2)
    path = tmp_path / "catalog.yaml"
    path.write_text(changed, encoding="utf-8")
    ingest_file(
        factory,
        write_csv("ore.csv", "iron_ore_dce_futures,iron_ore,price,D,2024-01-02,900,CNY/t"),
        today=date(2026, 1, 1),
    )

    with pytest.raises(CatalogError, match=r"series iron_ore_dce_futures: would change"):
        load_catalog_into(factory, load_catalog(path))

    with factory() as session:
        assert session.get(Series, "iron_ore_dce_futures").unit == "CNY/t"  # type: ignore[union-attr]


def test_store_batch_leaves_the_commit_to_its_caller(factory, write_csv):
    from feeds.longformat import parse_long_file
    from warning import clock
    from warning.catalog.observations import known_materials, known_series
    from warning.feeding.ingest import store_batch
    from warning.feeding.models import FeedRunKind

    path = write_csv("good.csv", *GOOD)
    with factory() as session:
        batch = parse_long_file(
            path,
            known_materials=known_materials(session),
            known_series=known_series(session),
            today=date(2026, 1, 1),
        )
        report = store_batch(
            session, batch=batch, feed="file", kind=FeedRunKind.FILE, started=clock.now()
        )
        assert report.accepted == 3
        session.rollback()  # the caller decides: nothing of the batch, nor its run, remains

    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 0
        assert session.scalar(select(func.count()).select_from(FeedRun)) == 0
