"""Email: one MIME message per recipient, text + HTML + inline charts, threaded per warning.

- One recipient per message: ``To`` names the contact alone and the envelope has no one else,
  so contacts of different enterprises never see each other.
- UTF-8 subjects and names (RFC 2047, by Python's ``email`` package).
- ``multipart/alternative``: a text part complete on its own (mail systems that strip images
  still say everything), then ``multipart/related`` with the HTML and each chart as a CID part.
- ``Message-ID`` is derived from (event, recipient): the same event sent twice to the same
  contact has the same id. When every event of the message belongs to one warning, the earlier
  events of that warning (``earlier_event_ids``) give ``In-Reply-To`` / ``References`` so mail
  clients thread the updates. A message grouping several warnings starts its own thread.
- ``List-Unsubscribe`` (the recipient's https link) with ``List-Unsubscribe-Post:
  List-Unsubscribe=One-Click`` (RFC 8058); ``Auto-Submitted: auto-generated``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from alerts.channels.base import DeliveryContext, not_configured
from alerts.model import DeliveryResult, EndpointKind, Message, Recipient
from alerts.render import InlineImage, render_email
from alerts.smtp import MailSettings, send_email


def _token(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)


def _recipient_key(recipient: Recipient) -> str:
    return hashlib.sha256(recipient.email.strip().lower().encode("utf-8")).hexdigest()[:12]


def event_message_id(event_id: str, recipient: Recipient, domain: str) -> str:
    """The Message-ID of the email that notified ``event_id`` to ``recipient``."""
    return f"<event-{_token(event_id)}.{_recipient_key(recipient)}@{domain}>"


def message_id(message: Message, domain: str) -> str:
    """One event: :func:`event_message_id`; several: derived from their sorted ids."""
    if len(message.events) == 1:
        return event_message_id(message.events[0].event_id, message.recipient, domain)
    digest = hashlib.sha256("\n".join(sorted(e.event_id for e in message.events)).encode())
    return f"<group-{digest.hexdigest()[:24]}.{_recipient_key(message.recipient)}@{domain}>"


def thread_references(message: Message, domain: str) -> list[str]:
    """Message-IDs of the earlier mails of the one warning this message is about, oldest first
    (empty when the message is about several warnings or a warning's first event)."""
    if len({e.warning_id for e in message.events}) != 1:
        return []
    earlier: dict[str, None] = {}
    for event in message.events:
        earlier.update(dict.fromkeys(event.earlier_event_ids))
    own = {e.event_id for e in message.events}
    return [event_message_id(eid, message.recipient, domain) for eid in earlier if eid not in own]


def build_email(message: Message, *, settings: MailSettings, now: datetime) -> EmailMessage:
    """The MIME message for ``message``, ready for SMTP; see the module docstring."""
    rendered = render_email(message, cid_domain=settings.domain)
    recipient = message.recipient
    email = EmailMessage()
    email["Subject"] = rendered.subject
    email["From"] = settings.sender
    email["To"] = Address(display_name=recipient.contact_name, addr_spec=recipient.email)
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message, settings.domain)
    references = thread_references(message, settings.domain)
    if references:
        email["In-Reply-To"] = references[-1]
        # the thread's first mail and the nine latest: enough for every client to thread
        kept = references if len(references) <= 10 else [references[0], *references[-9:]]
        email["References"] = " ".join(kept)
    if recipient.unsubscribe_url and recipient.unsubscribe_url.startswith("https://"):
        email["List-Unsubscribe"] = f"<{recipient.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["Auto-Submitted"] = "auto-generated"
    # base64 bodies: 7-bit clean for relays without 8BITMIME, smaller than quoted-printable
    # for Chinese text
    email.set_content(rendered.text, subtype="plain", charset="utf-8", cte="base64")
    email.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    attach_inline_images(email, rendered.images)
    email["Content-Language"] = "zh-CN" if recipient.language.value == "zh" else "en"
    return email


def attach_inline_images(email: EmailMessage, images: tuple[InlineImage, ...]) -> None:
    """Add each image as a related part of the HTML alternative (``cid:`` references)."""
    if not images:
        return
    html_part = next(p for p in email.iter_parts() if p.get_content_type() == "text/html")
    assert isinstance(html_part, EmailMessage)
    for image in images:
        html_part.add_related(
            image.png,
            maintype="image",
            subtype="png",
            cid=f"<{image.cid}>",
            filename=image.filename,
            disposition="inline",
        )


class EmailChannel:
    kind = EndpointKind.EMAIL

    async def send(self, message: Message, context: DeliveryContext) -> DeliveryResult:
        settings = context.mail
        if settings is None:
            return not_configured(message, "email (WARNING_SMTP_URL)")
        email = build_email(message, settings=settings, now=context.now())
        if context.smtp is not None:
            return await context.smtp.send(
                email, recipient=message.recipient.email, delivery_id=str(email["Message-ID"])
            )
        return await send_email(
            email,
            recipient=message.recipient.email,
            settings=settings,
            delivery_id=str(email["Message-ID"]),
        )


CHANNEL = EmailChannel()
