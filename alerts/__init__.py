"""The alerts engine: a message plus a recipient into a delivery attempt.

Plain data in and out. The service builds :class:`Message` values (after grouping, with
:func:`make_message` applying :func:`inhibit`), opens an :class:`HttpSender` and
:class:`MailSettings` once, and awaits :func:`deliver` / :func:`deliver_all`; each
:class:`DeliveryResult` says ok, retryable or permanent. :func:`check_url` is the SSRF guard
the service also runs when an endpoint is saved. Digests and bulletins: :mod:`alerts.digest`
and :mod:`alerts.bulletin`.
"""

from alerts.channels import CHANNELS, DeliveryContext
from alerts.delivery import deliver, deliver_all, deliver_batch
from alerts.http import HttpOptions, HttpSender
from alerts.model import (
    Advice,
    Chart,
    DeliveryResult,
    Endpoint,
    EndpointKind,
    Issuer,
    Language,
    Message,
    NoticeKind,
    Outcome,
    Recipient,
    WarningEvent,
    delivery_id,
    inhibit,
    make_message,
)
from alerts.smtp import MailSettings, parse_smtp_url
from alerts.ssrf import CheckedUrl, RefusedUrl, UnresolvedHost, UrlPolicy, check_url

__all__ = [
    "CHANNELS",
    "Advice",
    "Chart",
    "CheckedUrl",
    "DeliveryContext",
    "DeliveryResult",
    "Endpoint",
    "EndpointKind",
    "HttpOptions",
    "HttpSender",
    "Issuer",
    "Language",
    "MailSettings",
    "Message",
    "NoticeKind",
    "Outcome",
    "Recipient",
    "RefusedUrl",
    "UnresolvedHost",
    "UrlPolicy",
    "WarningEvent",
    "check_url",
    "deliver",
    "deliver_all",
    "deliver_batch",
    "delivery_id",
    "inhibit",
    "make_message",
    "parse_smtp_url",
]
