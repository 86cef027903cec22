"""The suspect-jump check holds for every way data comes in, on SQLite and PostgreSQL.

A value beyond 5x, or below 1/5, of the last value before it that is not suspect is stored
but flagged suspect and left out of evaluation and derivation: whether a file, a feed or a
revision brought it, and judged against its real neighbour (stored or in the same batch),
never against a suspect value.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from feed_helpers import TODAY, one, price_feed, write_prices
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from warning.catalog.models import Observation
from warning.jobs.derivation import derive_after_ingest
from warning.jobs.feeds import run_feed
from warning.jobs.ingest import ingest_file

SERIES = "copper_shfe_futures"


def row(day: str, value: float) -> str:
    return f"{SERIES},copper,price,D,{day},{value},CNY/t"


def flags(factory: sessionmaker[Session], series_id: str = SERIES) -> dict[date, bool]:
    with factory() as session:
        found = session.execute(
            select(Observation.period, Observation.suspect).where(
                Observation.series_id == series_id
            )
        )
        return dict(found.tuples().all())


def suspect_days(factory: sessionmaker[Session]) -> list[date]:
    return sorted(day for day, flag in flags(factory).items() if flag)


def test_a_file_is_checked_for_jumps_as_a_feed_is(
    factory: sessionmaker[Session], write_csv
) -> None:
    """The issue's case: 107,520 -> 800,000 -> 80,000,000 were stored as plausible and the
    weekly mean became 17.8 M."""
    path = write_csv(
        "jumps.csv",
        row("2026-03-02", 107520),
        row("2026-03-03", 800000),
        row("2026-03-04", 80000000),
        row("2026-03-05", 108000),
    )

    report = ingest_file(factory, path, today=TODAY)
    derive_after_ingest(factory, report.stored)

    # 7.4x and 744x of 107,520 (the last sound value); 108,000 is sound again beside it
    assert report.suspect == 2
    assert suspect_days(factory) == [date(2026, 3, 3), date(2026, 3, 4)]
    weekly = flags(factory, f"{SERIES}_weekly")
    with factory() as session:
        mean = session.scalar(
            select(Observation.value).where(Observation.series_id.like("%weekly"))
        )
    # suspect values left out: the mean of 107,520 and 108,000
    assert list(weekly) == [date(2026, 3, 2)] and mean == 107760


def test_a_jump_is_judged_against_the_last_value_that_is_not_suspect(
    factory: sessionmaker[Session], write_csv
) -> None:
    """The issue's case, a file a day: 107,520, then 800,000 (flagged), then 80,000,000
    (flagged), then 80,000,000 again, which was judged against the suspect value before it
    and entered the weekly mean."""
    days = [("2026-03-02", 107520), ("2026-03-03", 800000)]
    days += [("2026-03-04", 80000000), ("2026-03-05", 80000000)]
    reports = []
    for number, (day, value) in enumerate(days):
        reports.append(
            ingest_file(factory, write_csv(f"{number}.csv", row(day, value)), today=TODAY)
        )
        derive_after_ingest(factory, reports[-1].stored)

    assert [report.suspect for report in reports] == [0, 1, 1, 1]
    assert suspect_days(factory) == [date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)]
    with factory() as session:
        weekly = session.execute(
            select(Observation.period, Observation.value).where(
                Observation.series_id == f"{SERIES}_weekly"
            )
        ).all()
    assert weekly == [(date(2026, 3, 2), 107520)]  # no suspect value in the weekly mean


def test_a_cleared_value_is_the_measure_of_the_next(
    factory: sessionmaker[Session], write_csv
) -> None:
    """Once an operator cleared a flag the value is sound: the next is judged against it."""
    ingest_file(
        factory, write_csv("a.csv", row("2026-03-02", 100), row("2026-03-03", 900)), today=TODAY
    )
    with factory.begin() as session:
        session.execute(
            update(Observation).where(Observation.period == date(2026, 3, 3)).values(suspect=False)
        )

    report = ingest_file(factory, write_csv("b.csv", row("2026-03-04", 910)), today=TODAY)

    assert report.suspect == 0 and suspect_days(factory) == []


def test_a_history_file_is_judged_against_the_stored_neighbours(
    factory: sessionmaker[Session], write_csv
) -> None:
    ingest_file(factory, write_csv("new.csv", row("2026-03-09", 70000)), today=TODAY)

    older = write_csv("old.csv", row("2026-03-05", 69000), row("2026-03-06", 6900))
    report = ingest_file(factory, older, today=TODAY)

    assert report.suspect == 1 and suspect_days(factory) == [date(2026, 3, 6)]


def test_a_revised_value_is_judged_again(factory: sessionmaker[Session], write_csv) -> None:
    base = [row("2026-03-02", 100), row("2026-03-03", 101)]
    ingest_file(factory, write_csv("a.csv", *base), today=TODAY)

    typo = ingest_file(factory, write_csv("b.csv", base[0], row("2026-03-03", 1010)), today=TODAY)
    flagged = suspect_days(factory)
    fixed = ingest_file(factory, write_csv("c.csv", base[0], row("2026-03-03", 102)), today=TODAY)

    assert (typo.revised, typo.suspect, flagged) == (1, 1, [date(2026, 3, 3)])
    assert (fixed.revised, fixed.suspect, suspect_days(factory)) == (1, 0, [])


def test_old_rows_re_read_by_a_feed_are_judged_against_their_own_neighbours(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """A source re-read from its start gives old periods, whose values may be far from the
    newest stored one (prices tenfold over the years): that is no jump."""
    history = [("2026-01-05", 7000), ("2026-01-06", 7100), ("2026-03-02", 70000)]
    path = write_prices(tmp_path / "cu.csv", history)
    feed = one(price_feed("cu", str(path)))
    first = run_feed(factory, definition=feed, today=TODAY)
    write_prices(path, [("2026-01-05", 7010), *history[1:], ("2026-03-03", 70100)])

    again = run_feed(factory, definition=feed, today=TODAY)

    assert first.suspect == 1  # 7100 -> 70000 in one step
    # the revised 7010 has nothing before it; the new 70100 is judged against 7100, the last
    # value that is not suspect (70000 still is: an unchanged row keeps its flag)
    assert (again.accepted, again.revised, again.suspect) == (1, 1, 1)
    assert suspect_days(factory) == [date(2026, 3, 2), date(2026, 3, 3)]
