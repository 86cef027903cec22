"""Digests and bulletins: previews, sent once per period to subscribed contacts."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import date
from pathlib import Path

import docx
import pytest

from alerts.digest import DigestKind
from tests.delivery.conftest import MakeContext, Smtp, approve, load, two_contacts
from warning.delivery.digests import period_of
from warning.jobs.digest import run_digest


@pytest.mark.parametrize(
    ("kind", "day", "period"),
    [
        (DigestKind.DAILY, date(2026, 12, 1), (date(2026, 12, 1), date(2026, 12, 1))),
        (DigestKind.WEEKLY, date(2026, 12, 1), (date(2026, 11, 23), date(2026, 11, 29))),
        (DigestKind.WEEKLY, date(2026, 11, 30), (date(2026, 11, 23), date(2026, 11, 29))),
        (DigestKind.MONTHLY, date(2026, 12, 1), (date(2026, 11, 1), date(2026, 11, 30))),
        (DigestKind.MONTHLY, date(2026, 3, 15), (date(2026, 2, 1), date(2026, 2, 28))),
    ],
)
def test_periods(kind: DigestKind, day: date, period: tuple[date, date]) -> None:
    assert period_of(kind, day) == period


def test_the_daily_digest_goes_once_to_each_subscribed_contact(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(
        smtp_url=f"smtp://127.0.0.1:{smtp.port}", operator_emails=["desk@ministry.example"]
    )
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("red", "up")})
    first = run_digest(context, kind=DigestKind.DAILY)
    again = run_digest(context, kind=DigestKind.DAILY)
    assert (first.sent, first.failed) == (3, 0)
    assert again.skipped == "already sent for this period" and again.sent == 0
    recipients = sorted(to[0] for _f, to, _r in smtp.mailbox.envelopes)
    assert recipients == ["a@copper.example", "b@zinc.example", "desk@ministry.example"]
    english = next(
        email.message_from_bytes(raw, policy=email.policy.default)
        for _f, to, raw in smtp.mailbox.envelopes
        if to == ["b@zinc.example"]
    )
    html = english.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Copper" in html and "Active warnings" in html


def test_previews_of_a_digest_and_a_bulletin(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    approve(context, {"zinc": ("yellow", "down")})
    html, bulletin = tmp_path / "daily.html", tmp_path / "weekly.docx"
    run_digest(context, kind=DigestKind.DAILY, preview=html)
    run_digest(context, kind=DigestKind.WEEKLY, preview=bulletin)
    text = html.read_text(encoding="utf-8")
    assert "锌" in text and "<script" not in text
    document = docx.Document(io.BytesIO(bulletin.read_bytes()))
    assert any("周报" in p.text for p in document.paragraphs)
