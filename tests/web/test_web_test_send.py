"""A test send from the item page's who-gets-this panel: the notice approving the item would
send, marked as a test, through the outbox and the email channel to one of the desk's own
addresses (``WARNING_OPERATOR_EMAILS``); audited on the item; never a delivery to an
enterprise, never a decision; refused for viewers and for any other address."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.delivery.conftest import Smtp, smtp  # noqa: F401  (a fixture)
from tests.web.conftest import PASSWORDS, ROLES, Web
from tests.web.test_web_pages import evaluate
from warning import clock
from warning.accounts.service import add_user
from warning.audit import AuditEntry
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.delivery.models import Delivery, Notice
from warning.jobs.delivery import deliver_due
from warning.review.models import MaterialWarning, ReviewItem
from warning.review.models import WarningEvent as ReviewEvent
from warning.settings import load_settings
from warning.store import make_engine, transaction
from warning.web.app import create_web_app

DESK = ["desk@ministry.example", "duty@ministry.example"]


@pytest.fixture
def desk(factory: sessionmaker[Session], database_url: str, smtp: Smtp) -> Iterator[Web]:  # noqa: F811
    """The web app (as tests.web.conftest's ``web``) with the desk's addresses and a real
    SMTP server as the way out."""
    settings = load_settings(
        database_url=database_url,
        as_of="2026-11-30",
        operator_emails=DESK,
        smtp_url=f"smtp://127.0.0.1:{smtp.port}",
        secret_key="test-secret-key",
    )
    engine = make_engine(database_url)
    context = ServiceContext(settings, engine, factory, load_catalog())
    with transaction(factory) as session:
        for name, role in ROLES.items():
            add_user(
                session,
                name=name,
                role=role,
                password=PASSWORDS[name],
                actor="test",
                now=clock.now(),
            )
    yield Web(create_web_app(context), context, factory)
    engine.dispose()


def _count(web: Web, what: type) -> int:
    with transaction(web.factory) as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _body(email: EmailMessage) -> str:
    part = email.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_an_operator_sends_the_items_notice_to_the_desk_marked_as_a_test(
    desk: Web,
    smtp: Smtp,  # noqa: F811
) -> None:
    items = evaluate(desk, {"copper": ("yellow", "up")})
    item_id = items["copper"]
    page = desk.as_("otto").get(f"/items/{item_id}").text
    assert f'action="/items/{item_id}/test-send"' in page and DESK[1] in page
    audited = _count(desk, AuditEntry)
    assert _count(desk, Delivery) == 0

    answer = desk.post(
        "otto", f"/items/{item_id}/test-send", {"address": DESK[1], "language": "zh"}
    )
    assert answer.status_code == 303 and answer.headers["location"].endswith("?test=queued")
    with transaction(desk.factory) as session:
        queued = session.scalars(select(Delivery)).one()
        assert (queued.kind, queued.contact_id, queued.address) == ("test", None, DESK[1])
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audited + 1
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "test_sent")).one()
        assert (entry.actor, entry.review_item_id, entry.subject) == ("otto", item_id, DESK[1])
    shown = desk.as_("otto").get(f"/items/{item_id}?test=queued").text
    assert "测试邮件已进入发件箱" in shown

    assert deliver_due(desk.context) == {"sent": 1, "retrying": 0, "dead": 0}
    assert len(smtp.mailbox.envelopes) == 1 and smtp.mailbox.envelopes[0][1] == [DESK[1]]
    email = smtp.mailbox.parsed(0)
    assert email["Subject"] == "【测试】【黄色预警】铜：新发预警"
    assert "这是一封测试邮件" in _body(email) and "otto" in email["To"]
    assert f"/items/{item_id}" in _body(email)
    # a test, not a decision: the item is still pending, no warning, no event, no notice
    with transaction(desk.factory) as session:
        item = session.get(ReviewItem, item_id)
        assert item is not None and item.state == "pending"
        sent = session.scalars(select(Delivery)).one()
        assert (sent.status, sent.contact_id) == ("sent", None)
    assert (_count(desk, MaterialWarning), _count(desk, ReviewEvent), _count(desk, Notice)) == (
        0,
        0,
        0,
    )


def test_the_test_in_english_reads_as_a_test_in_english(desk: Web, smtp: Smtp) -> None:  # noqa: F811
    items = evaluate(desk, {"copper": ("red", "down")})
    desk.post("ada", f"/items/{items['copper']}/test-send", {"address": DESK[0], "language": "en"})
    deliver_due(desk.context)
    email = smtp.mailbox.parsed(0)
    assert email["Subject"] == "[TEST] [Red warning] Copper: new warning"
    assert _body(email).startswith("This is a test:")


@pytest.mark.parametrize(
    ("who", "address", "status"),
    [
        ("vera", DESK[0], 403),  # a viewer may not
        ("otto", "someone@elsewhere.example", 409),  # not the desk's
        ("otto", "", 409),
    ],
)
def test_a_test_send_is_refused_and_keeps_nothing(
    desk: Web, who: str, address: str, status: int
) -> None:
    items = evaluate(desk, {"copper": ("yellow", "up")})
    before = _count(desk, AuditEntry)
    answer = desk.post(who, f"/items/{items['copper']}/test-send", {"address": address})
    assert answer.status_code == status
    if status == 409:
        assert "不是预警室的地址" in answer.text
    assert (_count(desk, Delivery), _count(desk, AuditEntry)) == (0, before)


def test_a_decided_item_has_nothing_left_to_test(desk: Web) -> None:
    items = evaluate(desk, {"copper": ("yellow", "up")})
    assert desk.post("otto", f"/items/{items['copper']}/approve", {}).status_code == 303
    page = desk.as_("otto").get(f"/items/{items['copper']}").text
    assert "test-send" not in page  # the form is for open items
    answer = desk.post("otto", f"/items/{items['copper']}/test-send", {"address": DESK[0]})
    assert answer.status_code == 409 and "不会发出任何通知" in answer.text
    with transaction(desk.factory) as session:
        assert session.scalar(select(func.count()).where(Delivery.kind == "test")) == 0


def test_without_desk_addresses_the_panel_says_where_tests_would_go(web: Web) -> None:
    items = evaluate(web, {"copper": ("yellow", "up")})
    page = web.as_("otto").get(f"/items/{items['copper']}").text
    assert "test-send" not in page and "WARNING_OPERATOR_EMAILS" in page
