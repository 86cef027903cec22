"""How the delivery worker reaches the outside: the SMTP server and the HTTP options."""

from __future__ import annotations

from typing import Final

from alerts import HttpOptions, MailSettings, UrlPolicy
from warning import clock
from warning.context import ServiceContext

DEMO_SMTP: Final = "smtp://127.0.0.1:8025"  # the demo's local catcher when no SMTP is set


def mail_settings(context: ServiceContext) -> MailSettings:
    settings = context.settings
    return MailSettings(smtp_url=settings.smtp_url or DEMO_SMTP, mail_from=settings.mail_from)


def http_options(context: ServiceContext) -> HttpOptions:
    return HttpOptions(
        url_policy=UrlPolicy.from_text(context.settings.webhook_allow),
        now=clock.now,
        connect_timeout_s=5.0,
        total_timeout_s=15.0,
    )
