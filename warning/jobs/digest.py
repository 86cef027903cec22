"""Digests and bulletins: rendered for a preview, or sent once per period.

``warning digest --kind daily|weekly|monthly [--date D] [--preview FILE]``; the scheduler runs
the daily one at ``WARNING_DIGEST_TIME`` (08:30 in the desk's time zone), the weekly on
Mondays and the monthly on the 1st. A digest is queued in the outbox, one delivery per
recipient with the unique key ``digest:<kind>:<period start>:<recipient>``, so each recipient
gets it once per period however many replicas (or days of the week) queue it; the delivery
worker sends it like any message (retries, dead letters, replay, ``/deliveries``), and one
recipient that cannot be served never stops the others. Recipients: every active contact whose
subscription takes digests, by email, in their language, and the operators' addresses in
``WARNING_OPERATOR_EMAILS``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import EndpointKind, Language, Recipient
from alerts.bulletin import bulletin_docx
from alerts.digest import ChartInfo, Digest, DigestKind, digest_email, render_digest
from alerts.unsubscribe import unsubscribe_url
from warning import clock
from warning.clock import desk_today, desk_zone
from warning.context import ServiceContext, secret_key
from warning.delivery.charts import level_chart
from warning.delivery.digests import build_digest, period_of
from warning.delivery.issuer import issuer_of
from warning.delivery.models import Delivery, DeliveryKind, DeliveryStatus
from warning.directory.models import Contact, Subscription
from warning.evaluation.board import material_lines
from warning.evaluation.runs import load_ruleset
from warning.jobs.senders import mail_settings
from warning.store import read_only, transaction


@dataclass(frozen=True)
class DigestOutcome:
    """What a digest run did: deliveries queued, and those already queued for the period."""

    kind: DigestKind
    period_start: date
    period_end: date
    queued: int = 0
    already: int = 0
    preview: Path | None = None


@dataclass(frozen=True)
class DigestTarget:
    """One recipient of a digest: a contact, or an operator's address."""

    contact_id: int | None
    address: str

    @property
    def key(self) -> str:
        return f"contact:{self.contact_id}" if self.contact_id is not None else self.address


def run_digest(
    context: ServiceContext,
    *,
    kind: DigestKind,
    day: date | None = None,
    preview: Path | None = None,
    language: Language = Language.ZH,
) -> DigestOutcome:
    """Preview (``preview``: .html, .txt, .eml or .docx, in ``language``) or queue the digest
    of ``kind`` for every recipient that has not had it for this period."""
    day = day or desk_today(context.settings)
    start, end = period_of(kind, day)
    if preview is not None:
        _write_preview(context, _digest(context, kind, day), preview, language)
        return DigestOutcome(kind, start, end, preview=preview)
    now = clock.now()
    payload = json.dumps({"kind": str(kind), "day": day.isoformat()})
    queued = already = 0
    with transaction(context.factory) as session:
        prefix = f"digest:{kind}:{start.isoformat()}:"
        taken = set(
            session.scalars(
                select(Delivery.dedupe_key).where(Delivery.dedupe_key.startswith(prefix))
            )
        )
        for target in _targets(session, context):
            key = prefix + target.key
            if key in taken:
                already += 1
                continue
            session.add(
                Delivery(
                    kind=DeliveryKind.DIGEST,
                    contact_id=target.contact_id,
                    address=target.address,
                    channel=EndpointKind.EMAIL,
                    dedupe_key=key,
                    payload=payload,
                    status=DeliveryStatus.PENDING,
                    created_at=now,
                    send_after=now,
                    next_attempt_at=now,
                    attempts=0,
                )
            )
            taken.add(key)
            queued += 1
    return DigestOutcome(kind, start, end, queued=queued, already=already)


def queued_for_period(session: Session, *, kind: DigestKind, day: date) -> dict[str, int]:
    """The digest deliveries of the period ``kind`` covers when sent on ``day``, by status
    (empty: the period has not gone out to anyone)."""
    start, _end = period_of(kind, day)
    prefix = f"digest:{kind}:{start.isoformat()}:"
    rows = session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.dedupe_key.startswith(prefix))
        .group_by(Delivery.status)
    ).tuples()
    return {str(status): int(count) for status, count in rows}


def preview_text(
    context: ServiceContext, *, kind: DigestKind, day: date, language: Language
) -> str:
    """The digest of ``kind`` that goes out on ``day`` as text, the desk's copy (as
    ``warning digest --preview FILE.txt`` writes it)."""
    digest = _digest(context, kind, day)
    return render_digest(digest, language, cid_domain="preview.invalid", desk_copy=True).text


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
    with read_only(context.factory) as session:
        return digest_of(session, context, kind=kind, day=day)


def digest_of(session: Session, context: ServiceContext, *, kind: DigestKind, day: date) -> Digest:
    """The content of the digest of ``kind`` that goes out on ``day``, read in ``session``
    (content only: who gets it and how is the caller's)."""
    ruleset = load_ruleset(context.settings.rules_path, context.catalog)
    lines = {line.material: line for line in material_lines(session, catalog=context.catalog)}
    today = clock.now().date()

    prices = context.settings.message_prices

    def chart(material: str) -> tuple[bytes, ChartInfo | None] | None:
        line = lines.get(material)
        if not prices or line is None or line.latest_period is None:
            return None  # a chart shows the prices themselves
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
        prices=prices,
    )


def _targets(session: Session, context: ServiceContext) -> list[DigestTarget]:
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
    found = [DigestTarget(c.id, c.email) for c in contacts if "email" in c.channels.split(",")]
    return found + [DigestTarget(None, address) for address in context.settings.operator_emails]


def digest_recipient(context: ServiceContext, contact: Contact | None, address: str) -> Recipient:
    """Whom a digest delivery addresses: the contact in their language, or an operator."""
    if contact is None:
        return Recipient(
            contact_name=address, email=address, language=Language.ZH, enterprise_name=""
        )
    return Recipient(
        contact_name=contact.name,
        email=contact.email,
        language=Language(contact.language),
        enterprise_name=contact.enterprise.name,
        unsubscribe_url=unsubscribe_url(
            context.settings.public_url, str(contact.id), secret_key(context.settings)
        ),
    )


def _write_preview(context: ServiceContext, digest: Digest, path: Path, language: Language) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":
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
