"""Every long list pages and filters: the feeds page's stale series, suspect values and
rejected rows (each with its own page), the outbox by status and channel."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.web.conftest import Web
from tests.web.test_web_operations import _dead_and_sent
from warning import clock
from warning.delivery.models import Delivery, DeliveryStatus
from warning.jobs.ingest import ingest_file
from warning.store import transaction
from warning.web.routes import deliveries, feeds


def _stale_codes(page: str) -> list[str]:
    section = page.split('id="stale"')[1].split("</section>")[0]
    return re.findall(r"<td>[^<]*<code>(\w+)</code></td>", section)


def test_the_feeds_page_pages_stale_series_and_narrows_them_by_material(web: Web) -> None:
    browser = web.as_("vera")
    first = browser.get("/feeds").text  # an empty store: every catalog series is stale
    total = int(re.search(r'id="stale">\s*<h2>[^<]*<small>(\d+)</small>', first).group(1))  # type: ignore[union-attr]
    assert total > feeds.ROWS and len(_stale_codes(first)) == feeds.ROWS
    pages = -(-total // feeds.ROWS)
    assert f"第 1 页，共 {pages} 页" in first and "stale_page=2#stale" in first
    last = browser.get(f"/feeds?stale_page={pages}").text
    assert len(_stale_codes(last)) == total - (pages - 1) * feeds.ROWS
    assert not set(_stale_codes(last)) & set(_stale_codes(first))
    copper = browser.get("/feeds?material=copper").text
    assert _stale_codes(copper) and all(c.startswith("copper_") for c in _stale_codes(copper))
    assert browser.get("/feeds?material=gold&feed=nope&stale_page=9999").status_code == 200


def _deliveries(web: Web, n: int) -> None:
    """``n`` more sent deliveries beside the dead and sent pair (e-mail, to one contact)."""
    _dead_and_sent(web)
    now = clock.now()
    with transaction(web.factory) as session:
        contact_id = session.scalars(select(Delivery.contact_id)).first()
        session.add_all(
            Delivery(
                contact_id=contact_id,
                channel="email",
                status=DeliveryStatus.SENT,
                created_at=now - timedelta(minutes=i),
                send_after=now,
                next_attempt_at=now,
                attempts=1,
            )
            for i in range(n)
        )


def test_the_outbox_pages_and_filters_by_status_and_channel(web: Web) -> None:
    _deliveries(web, deliveries.ROWS)
    browser = web.as_("otto")
    rows = re.compile(r'<tr class="status-row-')
    first = browser.get("/deliveries").text
    assert len(rows.findall(first)) == deliveries.ROWS and "第 1 页，共 2 页" in first
    assert f"符合条件的投递共 {deliveries.ROWS + 2} 条" in first
    second = browser.get("/deliveries?page=2").text
    assert len(rows.findall(second)) == 2
    email = browser.get("/deliveries?channel=email").text
    assert (
        len(rows.findall(email)) == deliveries.ROWS
        and "钉钉机器人" not in email.split("<table>")[1]
    )
    robot = browser.get("/deliveries?channel=dingtalk&status=dead").text
    assert len(rows.findall(robot)) == 1 and "status-row-dead" in robot
    assert (
        browser.get("/deliveries?channel=pigeon").text.count('<tr class="status-row-')
        == deliveries.ROWS
    )


def test_the_feeds_page_pages_rejected_rows(web: Web, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    lines = ["series_id,material,indicator,frequency,period,value,unit"]
    lines += [f"copper_shfe_futures,copper,price,D,2026-11-{d:02d}x,1,CNY/t" for d in range(1, 31)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_file(web.factory, path, today=date(2026, 11, 30))
    browser = web.as_("vera")
    section = re.compile(r'id="rejects">(.*?)</section>', re.S)
    first = section.search(browser.get("/feeds").text)
    second = section.search(browser.get("/feeds?reject_page=2").text)
    assert first and second
    assert first.group(1).count("<tr><td><code>") == feeds.ROWS
    assert second.group(1).count("<tr><td><code>") == 30 - feeds.ROWS
    assert "2026-11-01x" in first.group(1) and "2026-11-30x" in second.group(1)  # by line
