"""The pieces behind the pages, each against a plain expectation: level spans, sparklines,
threshold lines, the board's "since when", and clearing a suspect value."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

import rules
from tests.support.review import evaluation
from warning.audit import AuditEntry
from warning.catalog.models import Observation
from warning.evaluation.board import standing_since
from warning.evaluation.history import LevelSpan, level_spans
from warning.evaluation.runs import latest_assessments
from warning.feeding.suspects import SuspectNotFound, clear_suspect, suspect_values
from warning.store import transaction
from warning.web.charts import SPARK_HEIGHT, SPARK_WIDTH, sparkline, thresholds

D = [date(2026, 1, day) for day in range(1, 8)]


@pytest.mark.parametrize(
    ("levels", "directions", "expected"),
    [
        ([], [], ()),
        (["red"], ["up"], (LevelSpan(D[0], D[0], "red", "up"),)),
        (
            ["normal", "normal", "yellow", "yellow", "yellow", "normal", "normal"],
            ["", "", "up", "up", "up", "", ""],
            (
                LevelSpan(D[0], D[2], "normal", ""),
                LevelSpan(D[2], D[5], "yellow", "up"),
                LevelSpan(D[5], D[6], "normal", ""),
            ),
        ),
        (  # same level, other direction: a new span
            ["yellow", "yellow", "yellow"],
            ["up", "down", "down"],
            (LevelSpan(D[0], D[1], "yellow", "up"), LevelSpan(D[1], D[2], "yellow", "down")),
        ),
    ],
)
def test_level_spans(
    levels: list[str], directions: list[str], expected: tuple[LevelSpan, ...]
) -> None:
    assert level_spans(D[: len(levels)], levels, directions) == expected


def test_a_sparkline_fills_its_box_and_says_where_it_went() -> None:
    values = [(D[i], v) for i, v in enumerate([10.0, 12.0, 11.0, 15.0])]
    line = sparkline(values)
    assert line is not None and line.trend == "up"
    points = [tuple(map(float, p.split(","))) for p in line.path[1:].split(" L")]
    assert points[0][0] == 0 and points[-1][0] == SPARK_WIDTH
    assert min(y for _, y in points) == 2.0 and max(y for _, y in points) == SPARK_HEIGHT - 2.0
    assert points[3][1] == 2.0  # the highest value at the top
    assert sparkline(values[:1]) is None
    assert sparkline([(D[0], 5.0), (D[1], 5.0)]).trend == "flat"  # type: ignore[union-attr]
    long = [(date.fromordinal(D[0].toordinal() + i), float(i % 7)) for i in range(1000)]
    assert len(sparkline(long).path.split(" L")) <= 130  # type: ignore[union-attr]


def test_threshold_lines_come_from_the_rule() -> None:
    ruleset = rules.load_ruleset()
    rule = next(r for r in ruleset.rules_for("copper") if r.name == "price_change_3m_monthly")
    assert thresholds(rule) == [
        {"value": 10.0, "level": "blue", "side": "up"},
        {"value": 15.0, "level": "yellow", "side": "up"},
        {"value": 30.0, "level": "red", "side": "up"},
        {"value": -10.0, "level": "blue", "side": "down"},
        {"value": -15.0, "level": "yellow", "side": "down"},
        {"value": -25.0, "level": "red", "side": "down"},
    ]
    assert thresholds(None) == []


def test_since_when_a_material_has_said_what_it_says_now(factory) -> None:  # type: ignore[no-untyped-def]
    days = [date(2026, 11, d) for d in (1, 2, 3, 4, 5)]
    says = {
        "copper": [("yellow", "up"), ("red", "up"), ("red", "up"), ("red", "up"), ("red", "up")],
        "zinc": [("red", "up"), ("yellow", "up"), ("red", "up"), ("red", "up"), ("red", "up")],
        "urea": [("red", "down")] * 5,
        "steel": [("yellow", "up")] * 4 + [("yellow", "down")],
    }
    with transaction(factory) as session:
        for i, day in enumerate(days):
            evaluation(session, {m: s[i] for m, s in says.items()}, as_of=day)
        since = standing_since(session, current=latest_assessments(session))
    assert since == {"copper": days[1], "zinc": days[2], "urea": days[0], "steel": days[4]}


def test_clearing_a_suspect_value_needs_a_reason_and_is_audited(factory) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with transaction(factory) as session:
        for day, value, suspect in ((1, 100.0, False), (2, 900.0, True)):
            session.add(
                Observation(
                    series_id="copper_shfe_futures",
                    period=date(2026, 11, day),
                    value=value,
                    first_value=value,
                    first_seen_at=now,
                    changed_at=now,
                    revisions=0,
                    suspect=suspect,
                )
            )
    with transaction(factory) as session:
        (found,) = suspect_values(session)
        assert (found.series_id, found.value, found.previous) == (
            "copper_shfe_futures",
            900.0,
            100.0,
        )
        with pytest.raises(ValueError, match="reason"):
            clear_suspect(
                session,
                series_id=found.series_id,
                period=found.period,
                reason=" ",
                actor="otto",
                now=now,
            )
        with pytest.raises(SuspectNotFound):
            clear_suspect(
                session,
                series_id=found.series_id,
                period=date(2026, 11, 1),
                reason="x",
                actor="otto",
                now=now,
            )
        span = clear_suspect(
            session,
            series_id=found.series_id,
            period=found.period,
            reason="real",
            actor="otto",
            now=now,
        )
    assert (span.first, span.last) == (date(2026, 11, 2), date(2026, 11, 2))
    with factory() as session:
        assert suspect_values(session) == []
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "suspect_cleared"))
        assert entry is not None and entry.comment == "real" and entry.material_id == "copper"


def test_freshness_keeps_answers_for_its_ttl_and_forgets_on_a_change(factory) -> None:  # type: ignore[no-untyped-def]
    import time

    from warning.web.freshness import Freshness

    freshness = Freshness(ttl=0.3, grace=0.3)
    with factory() as session:
        before = freshness.fingerprint(session)
        assert freshness.peek_fingerprint() == before
    with transaction(factory) as session:
        evaluation(session, {"copper": ("red", "up")})
    with factory() as session:
        assert freshness.fingerprint(session) == before  # kept: another process changed it
        freshness.forget()
        assert freshness.peek_fingerprint() is None
        changed = freshness.fingerprint(session)
        assert changed != before
    time.sleep(0.35)
    assert freshness.peek_fingerprint() is None  # past its ttl: this caller asks the store
    assert freshness.peek_fingerprint() == changed  # the others keep it while that one asks
    time.sleep(0.3)
    assert freshness.peek_fingerprint() is None  # past its grace too: nobody keeps it


def test_kept_pages_hold_within_their_minute_and_one_request_renders_the_next() -> None:
    import threading
    import time

    from warning.web.pagecache import RenderedPages

    pages = RenderedPages(keep=2)
    nine, ten = datetime(2026, 12, 1, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, 9, 1, tzinfo=UTC)
    renders: list[str] = []

    def render(text: str) -> str:
        renders.append(text)
        time.sleep(0.05)
        return text

    threads = [
        threading.Thread(target=pages.get, args=("board", nine, lambda: render("a")))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert renders == ["a"]  # five wanted it at once, one rendered it
    assert pages.peek("board", nine) == "a"
    assert pages.peek("board", ten) is None  # a new minute: this caller renders it...
    assert pages.peek("board", ten) == "a"  # ...and meanwhile the others get the last one
    assert pages.get("board", ten, lambda: render("b")) == "b"
    assert pages.peek("board", ten) == "b"
    pages.get("queue", ten, lambda: "q")
    pages.get("item", ten, lambda: "i")
    assert pages.peek("board", ten) is None  # the least recently used went
