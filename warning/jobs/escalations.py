"""Review items escalated past their deadline: the operators are told again, by email.

The sweep (every minute in ``warning serve``) marks such items overdue and raises them in the
queue; this sends each address in ``WARNING_OPERATOR_EMAILS`` one message listing them, with
links to their pages. A failure is logged; the items stay raised in the queue either way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from alerts.smtp import send_email
from warning import clock
from warning.context import ServiceContext
from warning.jobs.delivery import mail_settings
from warning.review.models import ReviewItem
from warning.store import read_only

log = logging.getLogger(__name__)


def notify_escalations(context: ServiceContext, item_ids: Sequence[int]) -> int:
    """Email the operators about ``item_ids``; how many addresses it reached."""
    addresses = context.settings.operator_emails
    if not item_ids or not addresses:
        return 0
    with read_only(context.factory) as session:
        lines = []
        for item_id in item_ids:
            item = session.get(ReviewItem, item_id)
            if item is not None:
                lines.append(
                    f"- #{item.id} {item.material_id}: {item.kind} {item.level} "
                    f"{item.direction} ({context.settings.public_url}/items/{item.id})"
                )
    settings = mail_settings(context)
    reached = 0
    for address in addresses:
        email = EmailMessage()
        email["Subject"] = f"【待审核超时】{len(lines)} 项预警超过审核时限 / review overdue"
        email["From"] = settings.sender
        email["To"] = address
        email["Date"] = format_datetime(clock.now())
        email["Message-ID"] = make_msgid(domain=settings.domain)
        email.set_content(
            "以下预警变更已超过审核时限，已在审核队列中置顶：\n"
            "These proposed changes are past their review deadline and now head the queue:\n\n"
            + "\n".join(lines)
            + "\n"
        )
        result = asyncio.run(
            send_email(email, recipient=address, settings=settings, delivery_id=email["Message-ID"])
        )
        if result.outcome == "ok":
            reached += 1
        else:
            log.warning("escalation email to %s: %s", address, result.error)
    return reached
