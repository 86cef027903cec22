"""What a contact receives is the warning as the desk decided it: built from the warning event
recorded in the decision's transaction, routed only by the delivery worker, never re-read
from the board at send time."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.alerts.conftest import Receiver
from tests.delivery.conftest import SECRET, MakeContext, Smtp, approve, load, two_contacts
from tests.support.review import evaluation, step
from tests.support.store import put_values
from tests.web.conftest import login
from vocabulary import Direction, Level
from warning import clock
from warning.accounts import Role
from warning.accounts.service import add_user
from warning.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from warning.jobs.delivery import deliver_due
from warning.review import decisions
from warning.review.models import ReviewItem, WarningEvent
from warning.review.states import ItemState
from warning.store import read_only, transaction
from warning.web.app import create_web_app

COPPER_ZH = (
    "黄色↑，自2026-11-30起确认。\n"
    "沪铜期货同比上涨31%，超过黄色阈值25%；仍在上升\n"
    "供给侧：库存较往年同期低18%"
)
COPPER_EN = (
    "Yellow ↑ since 2026-11-30, confirmed.\n"
    "SHFE copper futures up 31 % year on year, above the yellow threshold of 25 %; still rising\n"
    "supply side: stocks 18 % below the same weeks of earlier years"
)


def text_of(smtp: Smtp) -> tuple[str, str]:
    message = smtp.mailbox.parsed()
    body = message.get_body(("plain",))
    assert body is not None
    return str(message["Subject"]), body.get_content()


def reasons_of(text: str) -> list[str]:
    return [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("- ")]


def test_a_message_sent_after_the_board_moved_shows_the_warning_as_decided(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("yellow", "up")}, reasons={"copper": (COPPER_ZH, COPPER_EN)})
    with transaction(context.factory) as session:  # a newer evaluation, before the send
        evaluation(
            session,
            {"copper": ("blue", "down")},
            reasons={"copper": ("蓝色↓，自2026-12-01起确认。", "Blue ↓ since 2026-12-01.")},
        )

    assert deliver_due(context)["sent"] == 1

    subject, text = text_of(smtp)
    assert subject == "【黄色预警】铜：新发预警"
    assert "级别：黄色" in text and "蓝色" not in text
    assert reasons_of(text)[:2] == ["新发铜黄色预警（上行）。", "黄色↑，自2026-11-30起确认。"]
    assert "数据截至：2026-11-30" in text and "预警起始：2026-11-30" in text
    assert "依据：指标确认" in text


def test_statements_arrive_whole_in_each_language(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path
) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    receiver.verify_with(SECRET)
    approve(context, {"copper": ("yellow", "up")}, reasons={"copper": (COPPER_ZH, COPPER_EN)})

    deliver_due(context)

    (hook,) = [r for r in receiver.received if r.path == "/hooks/a"]
    (event,) = hook.json()["data"]["events"]
    # the Chinese statement holding 「；」 is one statement, not cut in two
    assert event["reasons"]["zh"] == ["新发铜黄色预警（上行）。", *COPPER_ZH.split("\n")]
    # English statements are separate, not one line
    assert event["reasons"]["en"] == ["New yellow warning (up) for Copper.", *COPPER_EN.split("\n")]
    assert event["basis"] == "confirmed" and event["data_as_of"] == "2026-11-30"


def test_an_adjusted_level_is_what_the_message_says(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    with transaction(context.factory) as session:
        step(session, {"copper": ("yellow", "up")}, reasons={"copper": (COPPER_ZH, COPPER_EN)})
        item_id = session.scalar(select(ReviewItem.id).where(ReviewItem.state == ItemState.PENDING))
        assert item_id is not None
        decisions.adjust(
            session,
            item_id=item_id,
            actor="ana",
            reason="港口库存骤降",
            level=Level.RED,
            direction=Direction.UP,
            now=clock.now(),
        )

    deliver_due(context)

    subject, text = text_of(smtp)
    assert subject == "【红色预警】铜：新发预警"
    first, desk, *rest = reasons_of(text)
    assert first == "新发铜红色预警（上行）（经分析员调整）。"
    assert desk == "分析员将指标提示的黄色↑调整为红色↑：港口库存骤降。"
    assert "黄色↑，自" not in text  # the rules' statement of the proposed level is replaced
    assert rest[0].startswith("沪铜期货同比上涨31%")
    assert "依据：指标确认、分析员调整" in text


def test_an_end_names_the_warning_that_ended_and_carries_no_level_tag(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("yellow", "up")}, reasons={"copper": (COPPER_ZH, COPPER_EN)})
    deliver_due(context)
    smtp.mailbox.envelopes.clear()
    approve(context, {"copper": ("normal", "")}, day=3)  # ends approve themselves

    assert deliver_due(context)["sent"] == 1

    subject, text = text_of(smtp)
    assert subject == "铜：预警解除"
    assert reasons_of(text)[0] == "铜黄色预警（上行，自2026-11-30起）解除。"
    assert "级别" not in text


def test_a_web_approval_is_delivered_on_the_workers_next_round(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    with transaction(context.factory) as session:
        add_user(
            session,
            name="otto",
            role=Role.OPERATOR,
            password="operator-password-1",
            actor="test",
            now=clock.now(),
        )
        step(session, {"copper": ("yellow", "up")}, reasons={"copper": (COPPER_ZH, COPPER_EN)})
        item_id = session.scalar(select(ReviewItem.id).where(ReviewItem.state == ItemState.PENDING))
    browser = TestClient(create_web_app(context), follow_redirects=False)
    assert login(browser, "otto", "operator-password-1").status_code == 303
    page = browser.get(f"/items/{item_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None

    answer = browser.post(f"/items/{item_id}/approve", data={"csrf_token": token.group(1)})

    assert answer.status_code == 303
    with read_only(context.factory) as session:  # the decision wrote its event, no delivery
        (event,) = session.scalars(select(WarningEvent)).all()
        assert event.routed_at is None and json.loads(event.statements_zh or "[]")
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert deliver_due(context) == {"sent": 1, "retrying": 0, "dead": 0}
    assert text_of(smtp)[0] == "【黄色预警】铜：新发预警"


class Killed(BaseException):
    """The worker dying mid-batch (no ``except Exception`` stops it)."""


def test_each_send_is_recorded_as_it_happens(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-batch has recorded what it sent: only what was in flight is sent
    again after the lease, not the whole batch."""
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("yellow", "up"), "zinc": ("yellow", "down")})
    original = aiosmtplib.SMTP.send_message
    calls = 0

    async def killed_on_the_second(self: aiosmtplib.SMTP, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Killed  # as SIGKILL would, past every handler
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(aiosmtplib.SMTP, "send_message", killed_on_the_second)
    with pytest.raises(Killed):
        deliver_due(context)

    assert len(smtp.mailbox.envelopes) == 1
    with read_only(context.factory) as session:
        states = dict(session.execute(select(Delivery.id, Delivery.status)).all())
        attempts = session.scalar(select(func.count()).select_from(DeliveryAttempt))
    assert sorted(states.values()) == [DeliveryStatus.SENDING, DeliveryStatus.SENT]
    assert attempts == 1


@pytest.mark.parametrize("prices", [True, False])
def test_without_prices_a_message_carries_levels_and_changes_only(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path, prices: bool
) -> None:
    # WARNING_MESSAGE_PRICES=false: where the exchanges' licence does not allow passing their
    # prices on, the notice keeps its level, direction and reasons (changes in percent), but
    # neither the latest price nor a chart of prices
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}", message_prices=prices)
    load(context, two_contacts(tmp_path))
    days = [date(2026, 11, 30) - timedelta(days=n) for n in range(90)]
    put_values(
        context.factory, "copper_shfe_futures", {d: 70000.0 + 100 * n for n, d in enumerate(days)}
    )
    approve(context, {"copper": ("yellow", "up")}, reasons={"copper": (COPPER_ZH, COPPER_EN)})

    assert deliver_due(context)["sent"] == 1

    message = smtp.mailbox.parsed()
    _subject, text = text_of(smtp)
    html = message.get_body(("html",))
    assert html is not None
    assert "级别：黄色" in text and "同比上涨31%" in text  # the change stays either way
    assert ("最新值：" in text) is prices and ("70,000" in text) is prices
    assert ("最新值" in html.get_content()) is prices
    images = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert bool(images) is prices


def test_a_raised_warning_names_the_level_it_was_raised_from_and_threads_its_mail(
    make_context: MakeContext, receiver: Receiver, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    receiver.verify_with(SECRET)
    approve(context, {"copper": ("yellow", "up")})
    deliver_due(context)
    approve(context, {"copper": ("red", "up")}, day=1)
    deliver_due(context)
    events = [
        event
        for hook in receiver.received
        if hook.path == "/hooks/a"
        for event in hook.json()["data"]["events"]
    ]
    assert [(e["level"], e["previous_level"]) for e in events] == [
        ("yellow", "normal"),  # new: from normal
        ("red", "yellow"),  # raised: from the level of the notice before it, not its own
    ]
    first, raised = smtp.mailbox.parsed(0), smtp.mailbox.parsed(1)
    assert first["References"] is None and first["In-Reply-To"] is None
    assert raised["In-Reply-To"] == first["Message-ID"]  # the same warning's earlier notice
    assert raised["References"] == first["Message-ID"]  # and only that one, not itself
