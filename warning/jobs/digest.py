"""Digests and bulletins: rendered for a preview, or sent once per period.

``warning digest --kind daily|weekly|monthly [--date D] [--preview FILE]``; the scheduler runs
the daily one at ``WARNING_DIGEST_TIME`` (08:30 in the desk's time zone), the weekly on
Mondays and the monthly on the 1st. The first process to claim a period (a ``digest_run`` row,
unique per kind and period) sends it; another replica finds it claimed and sends nothing.
Recipients: every active contact whose subscription takes digests, by email, in their
language, and the operators' addresses in ``WARNING_OPERATOR_EMAILS``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from alerts import Language, Recipient
from alerts.bulletin import bulletin_docx
from alerts.digest import (
    ChartInfo,
    Digest,
    DigestKind,
    digest_email,
    render_digest,
    send_digest,
)
from alerts.unsubscribe import unsubscribe_url
from warning import clock
from warning.clock import desk_today, desk_zone
from warning.context import ServiceContext, secret_key
from warning.delivery.charts import level_chart
from warning.delivery.digests import build_digest, period_of
from warning.delivery.issuer import issuer_of
from warning.delivery.models import DigestRun
from warning.directory.models import Contact, Subscription
from warning.evaluation.board import material_lines
from warning.evaluation.runs import load_ruleset
from warning.jobs.delivery import mail_settings
from warning.store import read_only, transaction


@dataclass(frozen=True)
class DigestOutcome:
    """What a digest run did."""

    kind: DigestKind
    period_start: date
    period_end: date
    sent: int = 0
    failed: int = 0
    skipped: str | None = None  # why nothing was sent
    preview: Path | None = None


def run_digest(
    context: ServiceContext,
    *,
    kind: DigestKind,
    day: date | None = None,
    preview: Path | None = None,
    language: Language = Language.ZH,
) -> DigestOutcome:
    """Preview (``preview``: .html, .txt, .eml or .docx, in ``language``) or send the digest
    of ``kind``."""
    day = day or desk_today(context.settings)
    start, end = period_of(kind, day)
    digest = _digest(context, kind, day)
    if preview is not None:
        _write_preview(context, digest, preview, language)
        return DigestOutcome(kind, start, end, preview=preview)
    try:
        with transaction(context.factory) as session:
            run = DigestRun(
                kind=str(kind), period_start=start, period_end=end, started_at=clock.now()
            )
            session.add(run)
            session.flush()
            run_id = run.id
    except IntegrityError:
        return DigestOutcome(kind, start, end, skipped="already sent for this period")
    sent, failed = _send(context, digest, _recipients(context))
    with transaction(context.factory) as session:
        claimed = session.get(DigestRun, run_id)
        assert claimed is not None
        claimed.finished_at, claimed.done = clock.now(), True
        claimed.recipients, claimed.failures = sent, failed
    return DigestOutcome(kind, start, end, sent=sent, failed=failed)


def bulletin(
    context: ServiceContext,
    *,
    kind: DigestKind,
    day: date | None,
    language: Language,
    desk_copy: bool = True,
) -> tuple[bytes, date, date]:
    """The DOCX bulletin of ``kind`` that goes out on ``day`` (default: the desk's today), as
    the desk circulates it (``desk_copy``: with the indicators' own levels, labelled
    unreviewed); and the first and last day of the period it covers."""
    day = day or desk_today(context.settings)
    start, end = period_of(kind, day)
    docx = bulletin_docx(_digest(context, kind, day), language, desk_copy=desk_copy)
    return docx, start, end


def _digest(context: ServiceContext, kind: DigestKind, day: date) -> Digest:
    """The content of the digest (content only: who gets it and how is the caller's)."""
    ruleset = load_ruleset(context.settings.rules_path, context.catalog)
    with read_only(context.factory) as session:
        lines = {line.material: line for line in material_lines(session, catalog=context.catalog)}
        today = clock.now().date()

        def chart(material: str) -> tuple[bytes, ChartInfo | None] | None:
            line = lines.get(material)
            if line is None or line.latest_period is None:
                return None
            until = min(today, line.latest_period)
            drawn = level_chart(session, line=line, until=until, rules=ruleset.rules_for(material))
            return (drawn.png, drawn.info) if drawn else None

        return build_digest(
            session,
            catalog=context.catalog,
            kind=kind,
            day=day,
            zone=desk_zone(context.settings),
            now=clock.now(),
            public_url=context.settings.public_url,
            chart=chart,
            issuer=issuer_of(context.settings),
            doc_prefix=context.settings.issuer_doc_prefix,
        )


def _recipients(context: ServiceContext) -> list[Recipient]:
    key = secret_key(context.settings)
    public = context.settings.public_url
    with read_only(context.factory) as session:
        contacts = session.scalars(
            select(Contact)
            .join(Subscription, Subscription.contact_id == Contact.id)
            .where(
                Subscription.digest.is_(True),
                Contact.active.is_(True),
                Contact.unsubscribed_at.is_(None),
            )
            .distinct()
            .order_by(Contact.id)
        ).all()
        found = [
            Recipient(
                contact_name=c.name,
                email=c.email,
                language=Language(c.language),
                enterprise_name=c.enterprise.name,
                unsubscribe_url=unsubscribe_url(public, str(c.id), key),
            )
            for c in contacts
            if "email" in c.channels.split(",")
        ]
    operators = [
        Recipient(contact_name=address, email=address, language=Language.ZH, enterprise_name="")
        for address in context.settings.operator_emails
    ]
    return found + operators


def _send(context: ServiceContext, digest: Digest, recipients: list[Recipient]) -> tuple[int, int]:
    settings = mail_settings(context)

    async def all_of_them() -> list[bool]:
        results = []
        for recipient in recipients:
            result = await send_digest(digest, recipient, settings=settings, now=clock.now())
            results.append(result.outcome == "ok")
        return results

    outcomes = asyncio.run(all_of_them())
    return sum(outcomes), len(outcomes) - sum(outcomes)


def _write_preview(context: ServiceContext, digest: Digest, path: Path, language: Language) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":  # a preview is the desk's copy
        path.write_bytes(bulletin_docx(digest, language, desk_copy=True))
    elif suffix == ".eml":
        recipient = Recipient(
            contact_name="预览 Preview",
            email="preview@example.invalid",
            language=language,
            enterprise_name="",
        )
        email = digest_email(digest, recipient, settings=mail_settings(context), now=clock.now())
        path.write_bytes(bytes(email))
    else:
        rendered = render_digest(digest, language, cid_domain="preview.invalid", desk_copy=True)
        path.write_text(rendered.text if suffix == ".txt" else rendered.html, encoding="utf-8")
