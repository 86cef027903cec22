"""Running feeds into the store: idempotence, revisions, rejects, suspect values, failures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from feed_helpers import TODAY, definitions, one, price_feed, prices_csv, write_prices
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

import warning.feeding.ingest
from feeds.http import HttpPolicy
from tests.support.loopback import Reply
from warning.catalog.models import Observation, ObservationRevision
from warning.evaluation.runs import load_observations
from warning.feeding.feed_runs import FAILING_AFTER, select_feeds
from warning.feeding.models import FeedRun, FeedState, RejectedRow
from warning.jobs.feeds import run_feed, run_feeds

SERIES = "copper_shfe_futures"
WEEK = [
    ("2026-03-02", 70000),
    ("2026-03-03", 70500),
    ("2026-03-04", 71000),
    ("2026-03-05", 70800),
    ("2026-03-06", 71200),
]


def stored(factory: sessionmaker[Session], series_id: str = SERIES) -> dict[date, float]:
    with factory() as session:
        rows = session.execute(
            select(Observation.period, Observation.value).where(Observation.series_id == series_id)
        )
        return {period: value for period, value in rows}


def runs(factory: sessionmaker[Session], feed: str) -> list[FeedRun]:
    with factory() as session:
        return list(
            session.scalars(select(FeedRun).where(FeedRun.feed == feed).order_by(FeedRun.id))
        )


def state(factory: sessionmaker[Session], feed: str) -> FeedState | None:
    with factory() as session:
        return session.get(FeedState, feed)


def test_file_feed_accepts_then_is_unchanged_then_revises(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_prices(tmp_path / "cu.csv", WEEK)
    feed = one(price_feed("cu", str(path)))

    first = run_feed(factory, definition=feed, today=TODAY)
    assert (first.status, first.accepted, first.rejected) == ("ok", len(WEEK), 0)
    assert stored(factory) == {date.fromisoformat(d): float(v) for d, v in WEEK}

    second = run_feed(factory, definition=feed, today=TODAY)
    assert (second.status, second.accepted) == ("unchanged", 0)
    assert [r.status for r in runs(factory, "cu")] == ["ok", "unchanged"]

    changed = [*WEEK[:2], ("2026-03-04", 71111), *WEEK[3:]]
    write_prices(path, changed)
    third = run_feed(factory, definition=feed, today=TODAY)
    assert (third.status, third.accepted, third.revised, third.unchanged) == ("ok", 0, 1, 4)
    assert stored(factory)[date(2026, 3, 4)] == 71111
    with factory() as session:
        revision = session.scalars(select(ObservationRevision)).one()
        observation = session.get(Observation, (SERIES, date(2026, 3, 4)))
    assert (revision.old_value, revision.new_value) == (71000, 71111)
    assert observation is not None and observation.first_value == 71000
    last = runs(factory, "cu")[-1]
    assert (last.status, last.accepted, last.revised, last.rows_fetched) == ("ok", 0, 1, 5)


def test_same_data_without_validators_changes_nothing(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    feed = one(price_feed("cu", str(write_prices(tmp_path / "cu.csv", WEEK))))
    run_feed(factory, definition=feed, today=TODAY)
    with factory() as session, session.begin():
        session.execute(delete(FeedState))  # forget the validators: the file is read again
    again = run_feed(factory, definition=feed, today=TODAY)
    assert (again.status, again.accepted, again.revised, again.unchanged) == ("ok", 0, 0, 5)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ObservationRevision)) == 0


def test_rejected_rows_are_kept_with_line_and_reason(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [*WEEK[:2], ("2026-03-04", -5), ("2026-03-05", "abc"), ("2026-04-06", 70000)]
    feed = one(price_feed("cu", str(write_prices(tmp_path / "cu.csv", rows))))
    outcome = run_feed(factory, definition=feed, today=TODAY)
    assert (outcome.accepted, outcome.rejected) == (2, 3)
    with factory() as session:
        rejects = session.scalars(select(RejectedRow).order_by(RejectedRow.line)).all()
    assert [r.line for r in rejects] == [4, 5, 6]
    assert all(r.reason for r in rejects)
    assert "-5" in rejects[0].raw and "abc" in rejects[1].raw
    assert runs(factory, "cu")[-1].rejected == 3


def test_suspect_jump_is_stored_flagged_and_kept_out_of_evaluation(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_prices(tmp_path / "cu.csv", WEEK)
    feed = one(price_feed("cu", str(path)))
    run_feed(factory, definition=feed, today=TODAY)
    jumped = [*WEEK, ("2026-03-09", 71500), ("2026-03-10", 720000)]  # 10x the day before
    write_prices(path, jumped)
    outcome = run_feed(factory, definition=feed, today=TODAY)
    assert (outcome.accepted, outcome.suspect) == (2, 1)
    with factory() as session:
        flags = dict(
            session.execute(
                select(Observation.period, Observation.suspect).where(
                    Observation.series_id == SERIES
                )
            ).all()
        )
        used = load_observations(session, until=TODAY)
    assert [p for p, flag in flags.items() if flag] == [date(2026, 3, 10)]
    assert runs(factory, "cu")[-1].suspect == 1
    periods = set(used.loc[used["series_id"] == SERIES, "period"].dt.date)
    assert date(2026, 3, 10) not in periods and date(2026, 3, 9) in periods


def test_first_value_after_the_store_is_checked_against_the_last_stored_value(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_prices(tmp_path / "cu.csv", WEEK)
    feed = one(price_feed("cu", str(path)))
    run_feed(factory, definition=feed, today=TODAY)
    write_prices(path, [("2026-03-09", 7000)])  # only the new day, a tenth of the last value
    outcome = run_feed(factory, definition=feed, today=TODAY)
    assert (outcome.accepted, outcome.suspect) == (1, 1)


def test_a_failure_while_storing_leaves_the_store_and_the_validators_as_they_were(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_prices(tmp_path / "cu.csv", WEEK)
    feed = one(price_feed("cu", str(path)))
    run_feed(factory, definition=feed, today=TODAY)
    before = stored(factory)
    write_prices(path, [*WEEK, ("2026-03-09", 71500), ("2026-03-10", -1)])

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(warning.feeding.ingest, "_insert_rejects", broken)  # after the new rows
    outcome = run_feed(factory, definition=feed, today=TODAY)
    assert outcome.status == "failed" and "disk full" in (outcome.error or "")
    assert stored(factory) == before
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(RejectedRow)) == 0
    assert runs(factory, "cu")[-1].status == "failed"
    assert "disk full" in (runs(factory, "cu")[-1].error or "")
    assert state(factory, "cu").consecutive_failures == 1  # type: ignore[union-attr]

    monkeypatch.undo()
    retry = run_feed(factory, definition=feed, today=TODAY)  # not "unchanged": re-read
    assert (retry.status, retry.accepted, retry.rejected) == ("ok", 1, 1)


def test_http_feed_500_then_ok_is_retried_and_stored(
    factory: sessionmaker[Session],
    server,
    quick_policy: HttpPolicy,  # type: ignore[no-untyped-def]
) -> None:
    body = prices_csv(WEEK).encode()
    server.serve(Reply(500, b"oops"), Reply(200, body, {"ETag": '"v1"'}))
    feed = one(price_feed("cu_http", f"{server.url}/cu.csv", source="http_csv"))
    outcome = run_feed(factory, definition=feed, today=TODAY, policy=quick_policy)
    assert (outcome.status, outcome.accepted) == ("ok", 5)
    assert len(server.requests) == 2
    assert state(factory, "cu_http").etag == '"v1"'  # type: ignore[union-attr]

    server.serve(Reply(304, b"", {"ETag": '"v1"'}))
    again = run_feed(factory, definition=feed, today=TODAY, policy=quick_policy)
    assert again.status == "unchanged"
    assert server.requests[-1].get("if-none-match") == '"v1"'


def test_failing_source_is_marked_failing_and_other_feeds_go_on(
    factory: sessionmaker[Session],
    tmp_path: Path,
    server,  # type: ignore[no-untyped-def]
    refused_url: str,
    quick_policy: HttpPolicy,
) -> None:
    broken = one(price_feed("cu_http", refused_url, source="http_csv", http={"attempts": 1}))
    other = one(
        price_feed(
            "zn",
            str(write_prices(tmp_path / "zn.csv", WEEK)),
            series="zinc_shfe_futures",
            material="zinc",
        )
    )
    for attempt in range(1, FAILING_AFTER + 1):
        outcomes = run_feeds(factory, definitions=[broken, other], today=TODAY, policy=quick_policy)
        failed = outcomes[0]
        assert failed.status == "failed" and refused_url in (failed.error or "")
        assert failed.consecutive_failures == attempt
        assert failed.failing is (attempt >= FAILING_AFTER)
        assert outcomes[1].status in {"ok", "unchanged"}
    assert len(stored(factory, "zinc_shfe_futures")) == len(WEEK)
    recorded = runs(factory, "cu_http")
    assert [r.status for r in recorded] == ["failed"] * FAILING_AFTER
    assert all(refused_url in (r.error or "") for r in recorded)
    assert state(factory, "cu_http").failing  # type: ignore[union-attr]

    server.serve(Reply(200, prices_csv(WEEK).encode()))
    healed = one(price_feed("cu_http", f"{server.url}/cu.csv", source="http_csv"))
    outcome = run_feed(factory, definition=healed, today=TODAY, policy=quick_policy)
    assert (outcome.status, outcome.failing, outcome.consecutive_failures) == ("ok", False, 0)
    after = state(factory, "cu_http")
    assert after is not None and not after.failing and after.last_error is None


def test_server_error_is_recorded_with_its_text(
    factory: sessionmaker[Session],
    server,
    quick_policy: HttpPolicy,  # type: ignore[no-untyped-def]
) -> None:
    server.serve(Reply(500, b"internal"))
    feed = one(
        price_feed("cu_http", f"{server.url}/cu.csv", source="http_csv", http={"attempts": 2})
    )
    outcome = run_feed(factory, definition=feed, today=TODAY, policy=quick_policy)
    assert outcome.status == "failed" and "500" in (outcome.error or "")
    assert len(server.requests) == 2
    (run,) = runs(factory, "cu_http")
    assert run.status == "failed" and "500" in (run.error or "") and run.finished_at
    assert stored(factory) == {}


def test_select_feeds_by_series_and_by_id(tmp_path: Path) -> None:
    defs = definitions(
        price_feed("a", "x.csv"),
        price_feed("b", "y.csv", series="zinc_shfe_futures", material="zinc"),
        price_feed("c", "z.csv", enabled=False, series="zinc_shfe_futures", material="zinc"),
    )
    assert [f.id for f in select_feeds(defs)] == ["a", "b"]
    assert [f.id for f in select_feeds(defs, series_ids=["zinc_shfe_futures"])] == ["b"]
    assert [f.id for f in select_feeds(defs, feed_ids=["c"])] == ["c"]
    with pytest.raises(ValueError, match="nope"):
        select_feeds(defs, series_ids=["nope"])


def test_an_error_after_a_run_does_not_stop_the_next_feed(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    copper = one(price_feed("cu", str(write_prices(tmp_path / "cu.csv", WEEK))))
    zinc_path = write_prices(tmp_path / "zn.csv", WEEK)
    zinc = one(price_feed("zn", str(zinc_path), series="zinc_shfe_futures", material="zinc"))
    seen: list[str] = []

    def evaluation_breaks(outcome) -> None:  # type: ignore[no-untyped-def]
        seen.append(outcome.feed_id)
        raise RuntimeError("rule set unreadable")

    outcomes = run_feeds(
        factory, definitions=[copper, zinc], on_outcome=evaluation_breaks, today=TODAY
    )

    assert [(o.feed_id, o.status) for o in outcomes] == [("cu", "ok"), ("zn", "ok")]
    assert seen == ["cu", "zn"]
    assert len(stored(factory, "zinc_shfe_futures")) == len(WEEK)
