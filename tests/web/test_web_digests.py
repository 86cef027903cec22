"""Digests and bulletins from the web (``/digests``): each kind's period for a day, whether it
went out, a preview of its text, and (operators) sending it: once per period and recipient,
as ``warning digest`` sends it, and the page says so when the period already went."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from tests.delivery.conftest import smtp  # noqa: F401  (a fixture of desk)
from tests.web.conftest import Web
from tests.web.test_web_chinese import latin_words
from tests.web.test_web_test_send import DESK, desk  # noqa: F401  (a fixture)
from warning.audit import AuditEntry
from warning.delivery.models import Delivery
from warning.store import transaction


def _keys(web: Web) -> list[str]:
    with transaction(web.factory) as session:
        return sorted(k for k in session.scalars(select(Delivery.dedupe_key)) if k)


def _audited(web: Web) -> int:
    with transaction(web.factory) as session:
        query = select(func.count()).where(AuditEntry.action == "digest_sent")
        return int(session.scalar(query) or 0)


def _send(web: Web, kind: str, day: str) -> dict[str, str]:
    answer = web.post("otto", "/digests/send", {"kind": kind, "date": day})
    assert answer.status_code == 303, answer.text[:300]
    location = answer.headers["location"]
    return dict(re.findall(r"(\w+)=([\w-]+)", location.split("#")[0]))


def test_a_weekly_bulletin_goes_out_once_per_week_and_the_page_says_so(desk: Web) -> None:  # noqa: F811
    page = desk.as_("otto").get("/digests?date=2026-12-07").text
    assert page.count("尚未发送") == 3 and 'action="/digests/send"' in page
    assert _keys(desk) == [] and _audited(desk) == 0

    # sent on Monday 7 December: the week of Monday 30 November to Sunday 6 December
    assert _send(desk, "weekly", "2026-12-07") == {
        "date": "2026-12-07",
        "queued": "2",
        "already": "0",
        "kind": "weekly",
    }
    week = [f"digest:weekly:2026-11-30:{address}" for address in sorted(DESK)]
    assert _keys(desk) == week and _audited(desk) == 1
    shown = desk.as_("otto").get("/digests?date=2026-12-07&queued=2&already=0&kind=weekly").text
    assert "周度简报已为 2 位收件人排入发件箱" in shown
    row = re.search(r'<tr data-kind="weekly">(.*?)</tr>', shown, re.S)
    assert row and "待发送 2" in row.group(1)

    # Sunday 13 December is still that week's bulletin: it already went, nothing again
    assert _send(desk, "weekly", "2026-12-13")["queued"] == "0"
    again = desk.as_("otto").get("/digests?date=2026-12-13&queued=0&already=2&kind=weekly").text
    assert "周度简报本期已发给全部 2 位收件人，未再发送。" in again
    assert _keys(desk) == week and _audited(desk) == 2  # the refused send is audited too
    # Monday 14 December sends the next week's
    assert _send(desk, "weekly", "2026-12-14")["queued"] == "2"
    assert len(_keys(desk)) == 4 and "digest:weekly:2026-12-07:" + DESK[0] in _keys(desk)


def test_the_preview_is_the_digests_text_in_the_visitors_language(desk: Web) -> None:  # noqa: F811
    page = desk.as_("vera").get("/digests?date=2026-12-07&preview=weekly").text
    found = re.search(r'<pre class="digest-preview">(.*?)</pre>', page, re.S)
    assert found and "周" in html.unescape(found.group(1))
    assert 'action="/digests/send"' not in page  # a viewer reads, never sends
    assert latin_words(page.replace(found.group(0), "")) == []
    english = desk.as_("vera").get("/digests?date=2026-12-07&preview=monthly&lang=en").text
    assert "Monthly bulletin" in english and '<pre class="digest-preview">' in english
    desk.as_("vera").get("/?lang=zh")


@pytest.mark.parametrize(
    ("who", "form", "status"),
    [
        ("vera", {"kind": "weekly", "date": "2026-12-07"}, 403),
        ("otto", {"kind": "yearly", "date": "2026-12-07"}, 303),  # no such kind: nothing
        ("otto", {"kind": "weekly", "date": "2026-13-01"}, 303),  # no such day: nothing
    ],
)
def test_a_refused_send_queues_nothing(
    desk: Web,  # noqa: F811
    who: str,
    form: dict[str, str],
    status: int,
) -> None:
    assert desk.post(who, "/digests/send", form).status_code == status
    assert _keys(desk) == [] and _audited(desk) == 0


def test_a_day_that_is_no_day_is_refused(desk: Web) -> None:  # noqa: F811
    assert desk.as_("vera").get("/digests?date=2026-02-30").status_code == 422
    assert desk.as_("vera").get("/digests?date=1899-12-31").status_code == 422
    assert desk.as_("vera").get("/digests?date=1900-01-01").status_code == 200
