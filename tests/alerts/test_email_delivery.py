"""Email against a real SMTP server (aiosmtpd in-process): STARTTLS and implicit TLS with a
trustme certificate, authentication, the MIME structure, threading and unsubscribe headers,
one recipient per message, and SMTP faults."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, Session

from alerts import (
    DeliveryContext,
    EndpointKind,
    Language,
    MailSettings,
    Message,
    NoticeKind,
    Outcome,
    deliver,
    deliver_all,
    deliver_batch,
    parse_smtp_url,
)
from alerts.channels.email import build_email, event_message_id
from alerts.smtp import SmtpConnection, SmtpServer
from tests.alerts.samples import NOW, PNG, endpoint, event, recipient


@dataclass
class Mailbox:
    """What the server accepted, and how it should answer RCPT."""

    envelopes: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    rcpt_reply: str | None = None
    refuse: set[str] = field(default_factory=set)  # addresses answered 550
    peers: list[Any] = field(default_factory=list)  # the connection each message came on

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        self.peers.append(session.peer)
        return "250 Message accepted"

    def parsed(self, index: int = 0) -> EmailMessage:
        message = email.message_from_bytes(self.envelopes[index][2], policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def authenticator(mailbox: Mailbox) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
        ok = auth.login == b"alerts" and auth.password == b"p@ss:word"
        if ok:
            mailbox.logins.append(auth.login.decode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535

    return check


@pytest.fixture
def starttls_server(server_tls: ssl.SSLContext) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator(mailbox),
        auth_require_tls=True,
    )
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def plain_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def settings(url: str, ca_file: str | None = None, **more: Any) -> MailSettings:
    return MailSettings(
        smtp_url=url,
        mail_from="alerts@warning.example.gov.cn",
        ca_file=ca_file,
        timeout_s=5.0,
        **more,
    )


def mail_message(*events: Any, language: Language = Language.ZH, **rcpt: Any) -> Message:
    return Message(
        recipient=recipient(language, **rcpt),
        endpoint=endpoint(EndpointKind.EMAIL, url="", secrets=()),
        events=events or (event(),),
    )


def send(message: Message, mail: MailSettings) -> Any:
    return asyncio.run(deliver(message, DeliveryContext(now=lambda: NOW, mail=mail)))


def test_starttls_delivery_with_every_header_and_part(
    starttls_server: tuple[Mailbox, int], ca_file: str
) -> None:
    mailbox, port = starttls_server
    url = f"smtp+starttls://alerts:p%40ss%3Aword@127.0.0.1:{port}"
    result = send(mail_message(), settings(url, ca_file))
    assert result.outcome is Outcome.OK, result.error
    assert mailbox.logins == ["alerts"]
    mail_from, rcpt_tos, _ = mailbox.envelopes[0]
    assert (mail_from, rcpt_tos) == (
        "alerts@warning.example.gov.cn",
        ["zhang@fictional-metals.example"],
    )

    got = mailbox.parsed()
    assert got["Subject"] == "【红色预警】铜：新发预警"
    assert "=?utf-8?" in mailbox.envelopes[0][2].decode("ascii").lower()  # RFC 2047 on the wire
    assert got["To"].addresses[0].display_name == "张示例"
    assert got["Message-ID"] == result.delivery_id
    assert got["Message-ID"].startswith("<event-e-101.") and got["Message-ID"].endswith(
        "@warning.example.gov.cn>"
    )
    assert got["In-Reply-To"] is None  # the warning's first event starts the thread
    assert got["List-Unsubscribe"] == "<https://warning.example.gov.cn/unsubscribe?t=signed-token>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got["Date"].datetime == NOW

    assert got.get_content_type() == "multipart/alternative"
    text, related = got.get_payload()  # type: ignore[misc]
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_payload(decode=True) == PNG
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html.get_content()
    body = text.get_content()
    assert "价格较 12 个月均值高 2.6 个标准差" in body and "98,450 元/吨" in body
    assert "https://warning.example.gov.cn/warnings/17" in body


def test_updates_of_a_warning_thread_on_its_earlier_mails(
    plain_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = plain_server
    update = event(
        event_id="e-103", change=NoticeKind.ESCALATED, earlier_event_ids=("e-101", "e-102")
    )
    result = send(mail_message(update), settings(f"smtp://127.0.0.1:{port}"))
    assert result.ok, result.error
    got = mailbox.parsed()
    rcpt = recipient()
    domain = "warning.example.gov.cn"
    first, second = (event_message_id(e, rcpt, domain) for e in ("e-101", "e-102"))
    assert got["In-Reply-To"] == second
    assert got["References"].split() == [first, second]
    assert got["Message-ID"] == event_message_id("e-103", rcpt, domain)


def test_the_same_event_to_the_same_contact_keeps_its_message_id() -> None:
    mail = settings("smtp://127.0.0.1:25")
    one = build_email(mail_message(), settings=mail, now=NOW)
    again = build_email(mail_message(), settings=mail, now=NOW.replace(hour=18))
    other = build_email(mail_message(email="li@another.example"), settings=mail, now=NOW)
    assert one["Message-ID"] == again["Message-ID"] != other["Message-ID"]


def test_a_message_about_several_warnings_starts_its_own_thread() -> None:
    events = (event(earlier_event_ids=("e-99",)), event(warning_id="w-18", event_id="e-200"))
    built = build_email(mail_message(*events), settings=settings("smtp://h"), now=NOW)
    assert built["In-Reply-To"] is None and built["Message-ID"].startswith("<group-")


def test_one_recipient_per_message(plain_server: tuple[Mailbox, int]) -> None:
    mailbox, port = plain_server
    contacts = [
        mail_message(email="a@first-enterprise.example", enterprise_name="甲公司"),
        mail_message(email="b@second-enterprise.example", enterprise_name="乙公司"),
    ]
    mail = settings(f"smtp://127.0.0.1:{port}")
    results = asyncio.run(deliver_all(contacts, DeliveryContext(now=lambda: NOW, mail=mail)))
    assert all(r.ok for r in results)
    seen = sorted(
        (rcpt, mailbox.parsed(i)["To"]) for i, (_, rcpt, _) in enumerate(mailbox.envelopes)
    )
    assert [rcpt for rcpt, _ in seen] == [
        ["a@first-enterprise.example"],
        ["b@second-enterprise.example"],
    ]
    for rcpt, to in seen:
        assert to.addresses[0].addr_spec == rcpt[0] and len(to.addresses) == 1
        assert "Cc" not in to and "Bcc" not in to


def test_implicit_tls(server_tls: ssl.SSLContext, ca_file: str) -> None:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ssl_context=server_tls)
    controller.start()
    try:
        result = send(mail_message(), settings(f"smtps://127.0.0.1:{port}", ca_file))
    finally:
        controller.stop()
    assert result.ok, result.error
    assert len(mailbox.envelopes) == 1


def test_an_unknown_certificate_authority_is_refused(starttls_server: tuple[Mailbox, int]) -> None:
    mailbox, port = starttls_server
    result = send(mail_message(), settings(f"smtp+starttls://alerts:x@127.0.0.1:{port}"))
    assert result.outcome is Outcome.RETRYABLE
    assert "certificate" in (result.error or "").lower()
    assert mailbox.envelopes == []


def test_smtp_down_is_retryable_then_up_delivers(server_tls: ssl.SSLContext) -> None:
    port = free_port()
    mail = settings(f"smtp://127.0.0.1:{port}")
    down = send(mail_message(), mail)
    assert down.outcome is Outcome.RETRYABLE
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = send(mail_message(), mail)
    finally:
        controller.stop()
    assert up.ok and up.delivery_id == down.delivery_id
    assert len(mailbox.envelopes) == 1


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ("550 5.1.1 No such user", Outcome.PERMANENT),
        ("451 4.3.0 Try again later", Outcome.RETRYABLE),
    ],
)
def test_refused_recipients(
    plain_server: tuple[Mailbox, int], reply: str, outcome: Outcome
) -> None:
    mailbox, port = plain_server
    mailbox.rcpt_reply = reply
    result = send(mail_message(), settings(f"smtp://127.0.0.1:{port}"))
    assert result.outcome is outcome
    assert result.status_code == int(reply[:3])


def test_wrong_credentials_are_permanent(
    starttls_server: tuple[Mailbox, int], ca_file: str
) -> None:
    _, port = starttls_server
    result = send(
        mail_message(), settings(f"smtp+starttls://alerts:wrong@127.0.0.1:{port}", ca_file)
    )
    assert result.outcome is Outcome.PERMANENT and result.status_code == 535


def test_english_mail(plain_server: tuple[Mailbox, int]) -> None:
    mailbox, port = plain_server
    result = send(mail_message(language=Language.EN), settings(f"smtp://127.0.0.1:{port}"))
    assert result.ok
    got = mailbox.parsed()
    assert got["Subject"] == "[Red warning] Copper: new warning"
    assert got["Content-Language"] == "en"
    assert "Stocks at a 5-year low" in got.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_no_unsubscribe_header_without_an_https_link() -> None:
    built = build_email(mail_message(unsubscribe_url=None), settings=settings("smtp://h"), now=NOW)
    assert built["List-Unsubscribe"] is None and built["List-Unsubscribe-Post"] is None


def test_email_without_mail_settings_is_a_permanent_configuration_error() -> None:
    result = asyncio.run(deliver(mail_message(), DeliveryContext(now=lambda: NOW)))
    assert result.outcome is Outcome.PERMANENT and "not configured" in (result.error or "")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", SmtpServer("plain", "mail.example", 2525)),
        ("smtp://mail.example", SmtpServer("plain", "mail.example", 25)),
        (
            "smtp+starttls://u:p%40w@mail.example:587",
            SmtpServer("starttls", "mail.example", 587, "u", "p@w"),
        ),
        ("smtp+starttls://u:p@mail.example", SmtpServer("starttls", "mail.example", 587, "u", "p")),
        ("smtps://u:p@mail.example", SmtpServer("tls", "mail.example", 465, "u", "p")),
        ("http://mail.example", "scheme"),
        ("smtp://u:p@mail.example", "never sent in clear"),
        ("smtp://", "no host"),
    ],
)
def test_smtp_urls(url: str, expected: SmtpServer | str) -> None:
    if isinstance(expected, str):
        with pytest.raises(ValueError, match=expected):
            parse_smtp_url(url)
    else:
        assert parse_smtp_url(url) == expected


def test_a_refused_recipient_fails_alone_on_a_kept_connection(
    plain_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = plain_server
    mailbox.refuse = {"b@second.example"}
    mail = settings(f"smtp://127.0.0.1:{port}")
    addresses = ["a@first.example", "b@second.example", "c@third.example", "d@fourth.example"]

    async def run() -> tuple[list[Outcome], int]:
        async with SmtpConnection(mail) as smtp:
            outcomes = []
            for n, address in enumerate(addresses):
                built = build_email(mail_message(email=address), settings=mail, now=NOW)
                sent = await smtp.send(built, recipient=address, delivery_id=str(n))
                outcomes.append(sent.outcome)
            return outcomes, smtp.opened

    outcomes, opened = asyncio.run(run())

    # refused alone (RSET): the connection goes on for the others
    assert outcomes == [Outcome.OK, Outcome.PERMANENT, Outcome.OK, Outcome.OK]
    assert [to for _f, to, _r in mailbox.envelopes] == [
        ["a@first.example"],
        ["c@third.example"],
        ["d@fourth.example"],
    ]
    assert opened == 1 and len(set(mailbox.peers)) == 1  # one connection, not one per email


def test_twenty_emails_go_on_one_kept_connection(plain_server: tuple[Mailbox, int]) -> None:
    mailbox, port = plain_server
    batch = [mail_message(email=f"p{n}@bench.example") for n in range(20)]

    results = deliver_batch(batch, now=lambda: NOW, mail=settings(f"smtp://127.0.0.1:{port}"))

    assert all(r.ok for r in results) and len(mailbox.envelopes) == 20
    assert len(set(mailbox.peers)) == 1  # one kept connection, not twenty


def test_a_connection_lost_mid_batch_is_reopened(plain_server: tuple[Mailbox, int]) -> None:
    mailbox, port = plain_server
    mail = settings(f"smtp://127.0.0.1:{port}")

    async def run() -> list[Outcome]:
        async with SmtpConnection(mail) as smtp:
            first = await smtp.send(build(0), recipient="a@x.example", delivery_id="1")
            assert smtp.client is not None
            smtp.client.close()  # the server dropped us between two messages
            second = await smtp.send(build(1), recipient="b@x.example", delivery_id="2")
            third = await smtp.send(build(2), recipient="c@x.example", delivery_id="3")
            assert smtp.opened == 2
            return [first.outcome, second.outcome, third.outcome]

    def build(index: int) -> Any:
        return build_email(mail_message(email=f"{'abc'[index]}@x.example"), settings=mail, now=NOW)

    outcomes = asyncio.run(run())

    # the message on the dropped connection is retryable (or sent on a fresh one), never lost
    assert outcomes[0] is Outcome.OK and outcomes[2] is Outcome.OK
    assert outcomes[1] in (Outcome.OK, Outcome.RETRYABLE)
    assert len(set(mailbox.peers)) == 2
