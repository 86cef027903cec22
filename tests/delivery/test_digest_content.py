"""What digests and bulletins say: the warnings in force as reviewed (not the raw
assessments), the changes of the period, and the indicators' own levels only in the desk's
copy, labelled unreviewed."""

from __future__ import annotations

import io
from datetime import date

import docx
from sqlalchemy import select

from alerts import Language
from alerts.digest import Digest, DigestKind, render_digest
from tests.delivery.conftest import MakeContext
from tests.support.review import POLICY, evaluation, step
from vocabulary import Direction, Level
from warning import clock
from warning.clock import desk_today, desk_zone
from warning.context import ServiceContext
from warning.delivery.digests import build_digest
from warning.delivery.issuer import issuer_of
from warning.evaluation.models import Assessment
from warning.jobs.digest import bulletin
from warning.review import decisions
from warning.review.models import ReviewItem
from warning.review.proposals import propose
from warning.review.states import ItemState
from warning.store import read_only, transaction


def _decide(context: ServiceContext, levels: dict[str, tuple[str, str]], **verdicts: str) -> None:
    """Evaluate ``levels``; approve, reject or leave (``pending``) each material's item."""
    with transaction(context.factory) as session:
        step(session, levels, now=clock.now())
        items = session.scalars(
            select(ReviewItem).where(ReviewItem.state == ItemState.PENDING)
        ).all()
        for item in items:
            verdict = verdicts.get(item.material_id, "approve")
            if verdict == "approve":
                decisions.approve(
                    session, item_id=item.id, actor="ana", comment=None, now=clock.now()
                )
            elif verdict == "reject":
                decisions.reject(
                    session, item_id=item.id, actor="ana", reason="not convinced", now=clock.now()
                )


def _scenario(context: ServiceContext) -> None:
    """Copper red (approved); caustic soda blue (approved by policy), then proposed yellow
    and left pending; methanol proposed yellow and rejected."""
    _decide(context, {"copper": ("red", "up"), "caustic_soda": ("blue", "up")})
    _decide(
        context,
        {
            "copper": ("red", "up"),
            "caustic_soda": ("yellow", "up"),
            "methanol": ("yellow", "down"),
        },
        caustic_soda="pending",
        methanol="reject",
    )


def _digest(context: ServiceContext, kind: DigestKind) -> Digest:
    with read_only(context.factory) as session:
        return build_digest(
            session,
            catalog=context.catalog,
            kind=kind,
            day=desk_today(context.settings),
            zone=desk_zone(context.settings),
            now=clock.now(),
            public_url=context.settings.public_url,
            chart=lambda _material: None,
            issuer=issuer_of(context.settings),
            doc_prefix=context.settings.issuer_doc_prefix,
        )


def test_the_digest_shows_the_warnings_in_force_not_the_raw_assessments(
    make_context: MakeContext,
) -> None:
    context = make_context()
    _scenario(context)
    digest = _digest(context, DigestKind.DAILY)
    board = {row.material_id: row for row in digest.board}
    assert (board["copper"].level, board["copper"].direction) == (Level.RED, Direction.UP)
    assert board["caustic_soda"].level is Level.BLUE  # the pending yellow is not in force
    assert board["methanol"].level is Level.NORMAL  # rejected: never in force
    assert digest.counts() == {Level.RED: 1, Level.YELLOW: 0, Level.BLUE: 1}
    active = {warning.material_id: warning for warning in digest.active}
    assert set(active) == {"copper", "caustic_soda"}
    assert active["caustic_soda"].level is board["caustic_soda"].level  # table == in force
    # the changes of the day: the two approved events, nothing for the rejected item
    assert sorted((c.material_id, c.level) for c in digest.changes) == [
        ("caustic_soda", Level.BLUE),
        ("copper", Level.RED),
    ]
    # what the indicators alone say travels apart, for the desk
    raw = {row.material_id: row.level for row in digest.indicator_levels}
    assert raw["methanol"] is Level.YELLOW and raw["caustic_soda"] is Level.YELLOW
    # each warning in force says what it means and what to do
    assert active["copper"].meaning_zh and active["copper"].actions_en
    assert digest.document_number.startswith("原材预警日〔")


def test_the_digest_email_counts_what_is_in_force(make_context: MakeContext) -> None:
    context = make_context()
    _scenario(context)
    digest = _digest(context, DigestKind.DAILY)
    for language, counts, methanol in (
        (Language.ZH, "红色 1 · 黄色 0 · 蓝色 1", "甲醇"),
        (Language.EN, "Red 1 · Yellow 0 · Blue 1", "Methanol"),
    ):
        public = render_digest(digest, language, cid_domain="d")
        assert counts in public.subject and counts in public.text
        methanol_lines = [line for line in public.text.splitlines() if methanol in line]
        assert methanol_lines and all(
            ("正常" if language is Language.ZH else "Normal") in line for line in methanol_lines
        )
        desk = render_digest(digest, language, cid_domain="d", desk_copy=True)
        unreviewed = "指标水平（未经审核）" if language is Language.ZH else "(unreviewed)"
        assert unreviewed not in public.text and unreviewed in desk.text


def test_the_bulletin_overview_leaves_out_the_rejected_level(make_context: MakeContext) -> None:
    context = make_context()
    _scenario(context)
    day = desk_today(context.settings)
    data, _start, _end = bulletin(
        context, kind=DigestKind.WEEKLY, day=day, language=Language.ZH, desk_copy=False
    )
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert "当前有效预警：红色 1 · 黄色 0 · 蓝色 1" in texts
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    assert rows["甲醇"] == "正常"  # rejected: not at the proposed level
    assert rows["烧碱"].startswith("蓝色") and rows["铜"].startswith("红色")
    assert not any("指标水平" in text for text in texts)
    desk, _start, _end = bulletin(
        context, kind=DigestKind.WEEKLY, day=day, language=Language.ZH, desk_copy=True
    )
    desk_texts = [p.text for p in docx.Document(io.BytesIO(desk)).paragraphs]
    assert any("指标水平（未经审核）" in text for text in desk_texts)
    assert any(text.startswith("甲醇：黄色") for text in desk_texts)


def test_a_period_start_level_is_replayed_from_events(make_context: MakeContext) -> None:
    """Before any event nothing was in force: the board's 'was' is normal for all."""
    context = make_context()
    _scenario(context)
    digest = _digest(context, DigestKind.WEEKLY)
    assert {row.previous_level for row in digest.board} == {Level.NORMAL}
    assert digest.changes == ()  # the events are today's, after last week
    assert digest.period_end < desk_today(context.settings)


def test_a_warning_stands_since_its_assessment_says_unless_the_level_was_adjusted(
    make_context: MakeContext,
) -> None:
    """Copper approved as proposed: since the assessment's level_since (2026-08-03), as its
    reasons say; zinc adjusted to blue: since the decision, the assessment's date being
    about the yellow it proposed."""
    context = make_context()
    decided = clock.now()
    with transaction(context.factory) as session:
        run_id = evaluation(session, {"copper": ("yellow", "up"), "zinc": ("yellow", "down")})
        for assessment in session.scalars(
            select(Assessment).where(Assessment.evaluation_run_id == run_id)
        ):
            assessment.level_since = date(2026, 8, 3)
        propose(session, run_id=run_id, policy=POLICY, now=decided)
        items = {
            item.material_id: item.id
            for item in session.scalars(
                select(ReviewItem).where(ReviewItem.state == ItemState.PENDING)
            )
        }
        decisions.approve(session, item_id=items["copper"], actor="ana", comment=None, now=decided)
        decisions.adjust(
            session, item_id=items["zinc"], actor="ana", reason="milder", now=decided,
            level=Level.BLUE,
        )  # fmt: skip
    digest = _digest(context, DigestKind.DAILY)
    board = {row.material_id: row for row in digest.board}
    active = {warning.material_id: warning for warning in digest.active}
    assert board["copper"].since == active["copper"].since == date(2026, 8, 3)
    decision_day = decided.astimezone(desk_zone(context.settings)).date()
    assert board["zinc"].since == active["zinc"].since == decision_day
    assert board["zinc"].level is Level.BLUE
    assert board["iron_ore"].since is None  # no warning: no date
