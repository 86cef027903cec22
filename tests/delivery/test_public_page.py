"""The "details" link of every message: a signed, read-only page for that one warning that
opens without an account, expires, and can be revoked."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from alerts.public_link import warning_url
from tests.alerts.conftest import Receiver
from tests.delivery.conftest import SECRET, MakeContext, approve, load, two_contacts
from tests.support.store import put_values
from warning import clock
from warning.api.app import create_app
from warning.audit import AuditEntry
from warning.clock import FrozenClock, use_clock
from warning.context import ServiceContext, secret_key
from warning.delivery.public_page import revoke_links
from warning.jobs.delivery import deliver_due
from warning.review.models import MaterialWarning
from warning.store import read_only, transaction


def copper_warning(context: ServiceContext) -> int:
    with read_only(context.factory) as session:
        return session.scalars(
            select(MaterialWarning.id).where(MaterialWarning.material_id == "copper")
        ).one()


def path_of(url: str) -> str:
    return url[url.index("/w/") :]


def test_the_link_in_a_message_opens_that_warning_and_nothing_else(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path
) -> None:
    context = make_context(public_url="https://desk.example")
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    receiver.verify_with(SECRET)
    approve(context, {"copper": ("yellow", "up"), "zinc": ("red", "down")})
    deliver_due(context)
    (hook,) = [r for r in receiver.received if r.path == "/hooks/a"]
    (event,) = hook.json()["data"]["events"]
    assert event["link"].startswith("https://desk.example/w/")
    browser = TestClient(create_app(context))  # no login

    page = browser.get(path_of(event["link"]))

    assert page.status_code == 200, page.text
    text = page.text
    assert "铜：黄色预警" in text and "新发铜黄色预警（上行）。" in text
    assert "数据截至" in text and "预警起始" in text
    for elsewhere in ("锌", "Zinc", "张伟", "a@copper.example", "演示铜业", "/hooks/"):
        assert elsewhere not in text  # no other warning, no directory data
    english = browser.get(path_of(event["link"]) + "?lang=en")
    assert "Copper: Yellow warning" in english.text


def test_a_tampered_link_is_not_found(make_context: MakeContext) -> None:
    context = make_context()
    approve(context, {"copper": ("yellow", "up")})
    browser = TestClient(create_app(context))
    good = path_of(
        warning_url("", copper_warning(context), clock.now(), secret_key(context.settings))
    )
    payload, signature = good.removeprefix("/w/").split(".")
    forged_for_other = path_of(warning_url("", copper_warning(context) + 1, clock.now(), "guess"))
    # the first character: the last one of a base64 signature also holds padding bits, and a
    # change to those alone decodes to the same bytes
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert browser.get(good).status_code == 200
    assert browser.get(f"/w/{payload}.{flipped}").status_code == 404
    assert browser.get(forged_for_other).status_code == 404
    assert browser.get("/w/not-a-token").status_code == 404


def test_a_link_expires_exactly_after_its_days(make_context: MakeContext) -> None:
    context = make_context(public_link_days=30)
    approve(context, {"copper": ("yellow", "up")})
    browser = TestClient(create_app(context))
    issued = clock.now().replace(microsecond=0)
    link = path_of(warning_url("", copper_warning(context), issued, secret_key(context.settings)))
    moment = FrozenClock(issued + timedelta(days=30) - timedelta(seconds=1))
    with use_clock(moment):
        assert browser.get(link).status_code == 200
        moment.advance(seconds=1)  # at the expiry instant
        assert browser.get(link).status_code == 404


def test_revoked_links_stop_opening_and_new_ones_open(make_context: MakeContext) -> None:
    context = make_context()
    approve(context, {"copper": ("yellow", "up")})
    browser = TestClient(create_app(context))
    key = secret_key(context.settings)
    issued = clock.now().replace(microsecond=0)
    old = path_of(warning_url("", copper_warning(context), issued, key))
    moment = FrozenClock(issued + timedelta(seconds=5))
    with use_clock(moment):
        assert browser.get(old).status_code == 200
        with transaction(context.factory) as session:
            revoke_links(session, warning_id=copper_warning(context), actor="otto", now=clock.now())
        with read_only(context.factory) as session:
            entry = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "public_links_revoked")
            ).one()
            assert (entry.actor, entry.subject, entry.warning_id, entry.material_id) == (
                "otto",
                f"warning:{copper_warning(context)}",
                copper_warning(context),
                "copper",
            )
        assert browser.get(old).status_code == 404
        at_revocation = path_of(warning_url("", copper_warning(context), clock.now(), key))
        assert browser.get(at_revocation).status_code == 404  # issued at the revoking instant
        moment.advance(seconds=1)
        new = path_of(warning_url("", copper_warning(context), clock.now(), key))
        assert browser.get(new).status_code == 200


@pytest.mark.parametrize("prices", [True, False])
def test_without_prices_the_page_and_the_webhook_carry_no_price(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path, prices: bool
) -> None:
    context = make_context(public_url="https://desk.example", message_prices=prices)
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    receiver.verify_with(SECRET)
    days = [date(2026, 11, 30) - timedelta(days=n) for n in range(90)]
    put_values(context.factory, "copper_shfe_futures", {d: 71000.0 for d in days})
    approve(context, {"copper": ("yellow", "up")})
    deliver_due(context)
    (hook,) = [r for r in receiver.received if r.path == "/hooks/a"]
    (event,) = hook.json()["data"]["events"]
    assert (event["latest"]["value"] == 71000.0) if prices else (event["latest"]["value"] is None)
    page = TestClient(create_app(context)).get(path_of(event["link"])).text
    assert ("71,000" in page) is prices
    assert ("<img" in page) is prices  # the chart plots the prices themselves
    assert "铜：黄色预警" in page
