"""The SSRF guard: a table of addresses and URLs with the verdict for each, then the sender
connecting to the checked address only (HTTPS keeps the name for SNI and verification) and
refusing redirects."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from alerts import Outcome, RefusedUrl, UnresolvedHost, UrlPolicy, check_url
from alerts.ssrf import address_refusal, parse_allow_list, redact
from tests.alerts.conftest import Receiver, Reply, fake_resolver, run_with_sender

PUBLIC = UrlPolicy()
LOOPBACK_ALLOWED = UrlPolicy.from_text("127.0.0.0/8,::1/128")
HTTP_ANYWHERE = UrlPolicy(allow_http=True)


@pytest.mark.parametrize(
    ("address", "refused_because"),
    [
        ("8.8.8.8", None),
        ("203.0.113.7", "private"),  # documentation range: Python counts it private
        ("1.1.1.1", None),
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("198.18.0.1", "reserved"),
        ("2606:4700:4700::1111", None),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("64:ff9b::10.0.0.1", "NAT64 address wrapping 10.0.0.1"),
        ("64:ff9b::8.8.8.8", "reserved"),  # NAT64 of a public address: refused too
        ("2002:7f00:1::1", "6to4 address wrapping 127.0.0.1"),
        ("2002:c0a8:101::1", "6to4 address wrapping 192.168.1.1"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo address wrapping 10.0.0.1"),
        ("2001:db8::1", "private"),
    ],
)
def test_address_verdicts(address: str, refused_because: str | None) -> None:
    reason = address_refusal(ipaddress.ip_address(address))
    if refused_because is None:
        assert reason is None
    else:
        assert reason is not None and refused_because in reason


def test_the_allow_list_lets_its_networks_through_and_nothing_else() -> None:
    allow = parse_allow_list("127.0.0.0/8, ::1/128")
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert address_refusal(ipaddress.ip_address("::1"), allow) is None
    assert address_refusal(ipaddress.ip_address("10.0.0.1"), allow) is not None
    # the mapped spelling of an allowed address is not the allowed address
    assert address_refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allow) is not None
    with pytest.raises(ValueError, match="not a CIDR"):
        parse_allow_list("127.0.0.0/8,localhost")


RESOLVER = fake_resolver(
    {
        "hooks.fictional-metals.example": ["93.184.216.34"],
        "internal.fictional-metals.example": ["10.0.0.5"],
        "rebind.example": ["93.184.216.34", "127.0.0.1"],
        "v6only.example": ["2606:4700:4700::1111"],
        "metadata.example": ["169.254.169.254"],
        "mapped.example": ["::ffff:10.0.0.1"],
    }
)


@pytest.mark.parametrize(
    ("url", "policy", "verdict"),
    [
        # (url, policy, "ok <address>" or a fragment of the refusal)
        ("https://hooks.fictional-metals.example/w", PUBLIC, "ok 93.184.216.34"),
        ("https://HOOKS.fictional-metals.example:8443/w?x=1", PUBLIC, "ok 93.184.216.34"),
        ("https://v6only.example/", PUBLIC, "ok 2606:4700:4700::1111"),
        ("https://8.8.8.8/hook", PUBLIC, "ok 8.8.8.8"),
        ("https://[2606:4700:4700::1111]/hook", PUBLIC, "ok 2606:4700:4700::1111"),
        ("http://hooks.fictional-metals.example/w", PUBLIC, "scheme 'http' not allowed"),
        ("ftp://hooks.fictional-metals.example/w", PUBLIC, "scheme 'ftp' not allowed"),
        ("file:///etc/passwd", PUBLIC, "scheme 'file' not allowed"),
        ("https://internal.fictional-metals.example/", PUBLIC, "resolves to private"),
        ("https://metadata.example/latest", PUBLIC, "resolves to link-local"),
        ("https://rebind.example/", PUBLIC, "resolves to loopback"),
        ("https://mapped.example/", PUBLIC, "IPv4-mapped"),
        ("https://127.0.0.1/", PUBLIC, "loopback"),
        ("https://localhost.localdomain/", PUBLIC, "cannot resolve"),
        ("https://2130706433/", PUBLIC, "non-standard spelling"),
        ("https://0177.0.0.1/", PUBLIC, "non-standard spelling"),
        ("https://0x7f.1/", PUBLIC, "non-standard spelling"),
        ("https://0x7f000001/", PUBLIC, "non-standard spelling"),
        ("https://127.1/", PUBLIC, "non-standard spelling"),
        ("https://017700000001/", PUBLIC, "non-standard spelling"),
        ("https://134744072/", PUBLIC, "non-standard spelling"),  # 8.8.8.8, still refused
        ("https://[::1]/", PUBLIC, "loopback"),
        ("https://[::ffff:127.0.0.1]/", PUBLIC, "IPv4-mapped"),
        ("https://[::ffff:7f00:1]/", PUBLIC, "IPv4-mapped"),
        ("https://[fe80::1%25eth0]/", PUBLIC, "zone"),
        ("https://[0:0:0:0:0:0:0:1]/", PUBLIC, "loopback"),
        ("https://user:pass@hooks.fictional-metals.example/", PUBLIC, "credentials"),
        ("https://hooks.fictional-metals.example@10.0.0.1/", PUBLIC, "credentials"),
        ("https://hooks.fictional-metals.example\\@10.0.0.1/", PUBLIC, "backslash"),
        ("https://hooks.fictional-metals.example /", PUBLIC, "whitespace"),
        ("https:///path-only", PUBLIC, "no host"),
        ("https://hooks.fictional-metals.example:99999/", PUBLIC, "not a valid URL"),
        ("http://127.0.0.1:8080/hook", LOOPBACK_ALLOWED, "ok 127.0.0.1"),
        ("http://[::1]:8080/hook", LOOPBACK_ALLOWED, "ok ::1"),
        ("http://10.0.0.1/hook", LOOPBACK_ALLOWED, "private"),
        ("http://0x7f.1/", LOOPBACK_ALLOWED, "non-standard spelling"),
        ("http://[::ffff:127.0.0.1]/", LOOPBACK_ALLOWED, "IPv4-mapped"),
        ("https://127.0.0.1:8443/hook", LOOPBACK_ALLOWED, "ok 127.0.0.1"),
        ("http://hooks.fictional-metals.example/w", LOOPBACK_ALLOWED, "scheme 'http' not allowed"),
        ("http://hooks.fictional-metals.example/w", HTTP_ANYWHERE, "ok 93.184.216.34"),
        ("http://internal.fictional-metals.example/", HTTP_ANYWHERE, "resolves to private"),
    ],
)
def test_url_verdicts(url: str, policy: UrlPolicy, verdict: str) -> None:
    try:
        checked = check_url(url, policy, resolver=RESOLVER)
    except RefusedUrl as refused:
        assert not verdict.startswith("ok"), refused.reason
        assert verdict in refused.reason
        return
    except UnresolvedHost as error:
        assert verdict == "cannot resolve", str(error)
        return
    assert verdict == f"ok {checked.address}"


def test_the_default_resolver_is_the_system_one() -> None:
    with pytest.raises(RefusedUrl, match="resolves to loopback"):
        check_url("https://localhost/", PUBLIC)


def test_the_sender_dials_the_checked_address_with_the_name_kept_for_tls(
    tls_receiver: Receiver, ca_file: str
) -> None:
    """hooks.receiver.test resolves (once, through the injected resolver) to 127.0.0.1; the
    connection goes there, SNI and the certificate check use the name, Host keeps it."""
    lookups: list[str] = []
    table = fake_resolver({"hooks.receiver.test": ["127.0.0.1"]})

    def resolver(host: str, port: int, *args: object, **kwargs: object) -> object:
        lookups.append(host)
        return table(host, port, *args, **kwargs)

    url = f"https://hooks.receiver.test:{tls_receiver.port}/hook"
    posted = run_with_sender(
        lambda ctx: ctx.http.post(url, content=b"{}", headers={}, delivery_id="d"),  # type: ignore[union-attr]
        resolver=resolver,
        ca_file=ca_file,
        url_policy=UrlPolicy.from_text("127.0.0.0/8"),
    )
    assert posted.result.outcome is Outcome.OK, posted.result.error
    assert lookups == ["hooks.receiver.test"]
    assert tls_receiver.sni == ["hooks.receiver.test"]
    assert tls_receiver.received[0].headers["host"] == f"hooks.receiver.test:{tls_receiver.port}"


def test_a_certificate_for_another_name_is_refused(tls_receiver: Receiver, ca_file: str) -> None:
    table = fake_resolver({"other.receiver.test": ["127.0.0.1"]})
    url = f"https://other.receiver.test:{tls_receiver.port}/hook"
    posted = run_with_sender(
        lambda ctx: ctx.http.post(url, content=b"{}", headers={}, delivery_id="d"),  # type: ignore[union-attr]
        resolver=table,
        ca_file=ca_file,
        url_policy=UrlPolicy.from_text("127.0.0.0/8"),
    )
    assert posted.result.outcome is not Outcome.OK
    assert tls_receiver.received == []


def test_a_name_resolving_to_a_private_address_is_never_contacted(receiver: Receiver) -> None:
    table = fake_resolver({"sneaky.example": ["127.0.0.1"]})
    url = f"http://sneaky.example:{receiver.port}/hook"
    posted = run_with_sender(
        lambda ctx: ctx.http.post(url, content=b"{}", headers={}, delivery_id="d"),  # type: ignore[union-attr]
        resolver=table,
        url_policy=UrlPolicy(allow_http=True),
    )
    assert posted.result.outcome is Outcome.PERMANENT
    assert "loopback" in (posted.result.error or "")
    assert receiver.received == []


@pytest.mark.parametrize(
    "location", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "/elsewhere"]
)
def test_a_redirect_is_not_followed(receiver: Receiver, location: str) -> None:
    receiver.serve(Reply(302, b"", {"Location": location}))
    posted = run_with_sender(
        lambda ctx: ctx.http.post(  # type: ignore[union-attr]
            receiver.url + "/hook", content=b"{}", headers={}, delivery_id="d"
        )
    )
    assert posted.result.outcome is Outcome.PERMANENT
    assert "redirects are not followed" in (posted.result.error or "")
    assert len(receiver.received) == 1


def test_an_unresolvable_name_is_retryable() -> None:
    posted = run_with_sender(
        lambda ctx: ctx.http.post(  # type: ignore[union-attr]
            "https://gone.example/hook", content=b"{}", headers={}, delivery_id="d"
        ),
        resolver=fake_resolver({}),
    )
    assert posted.result.outcome is Outcome.RETRYABLE
    assert "cannot resolve" in (posted.result.error or "")


def _counting(table: dict[str, list[str]], fail_first: int = 0) -> tuple[list[str], Any]:
    """A resolver answering from ``table`` that records each lookup; the first ``fail_first``
    lookups fail as DNS does."""
    lookups: list[str] = []
    answer = fake_resolver(table)

    def resolver(host: str, port: int, *args: object, **kwargs: object) -> object:
        lookups.append(host)
        if len(lookups) <= fail_first:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return answer(host, port, *args, **kwargs)

    return lookups, resolver


def _post_each(urls: list[str]) -> Any:
    async def posts(ctx: Any) -> list[Any]:
        return [
            await ctx.http.post(url, content=b"{}", headers={}, delivery_id=f"d{n}")
            for n, url in enumerate(urls)
        ]

    return posts


def test_one_sender_looks_a_name_up_once_and_still_pins_it(receiver: Receiver) -> None:
    """A batch sends to the robots' few hosts many times: one lookup per name per sender,
    every post still connected to the checked address; a new sender looks up afresh."""
    lookups, resolver = _counting({"hooks.receiver.test": ["127.0.0.1"]})
    urls = [f"http://hooks.receiver.test:{receiver.port}/hook/{n}" for n in range(3)]
    options = {"resolver": resolver, "url_policy": UrlPolicy.from_text("127.0.0.0/8")}
    posted = run_with_sender(_post_each(urls), **options)
    assert [p.result.outcome for p in posted] == [Outcome.OK] * 3
    assert lookups == ["hooks.receiver.test"]
    assert [r.path for r in receiver.received] == [f"/hook/{n}" for n in range(3)]
    run_with_sender(_post_each(urls[:1]), **options)
    assert lookups == ["hooks.receiver.test"] * 2


def test_a_failed_lookup_is_not_kept(receiver: Receiver) -> None:
    lookups, resolver = _counting({"hooks.receiver.test": ["127.0.0.1"]}, fail_first=1)
    url = f"http://hooks.receiver.test:{receiver.port}/hook"
    posted = run_with_sender(
        _post_each([url, url]), resolver=resolver, url_policy=UrlPolicy.from_text("127.0.0.0/8")
    )
    assert [p.result.outcome for p in posted] == [Outcome.RETRYABLE, Outcome.OK]
    assert len(lookups) == 2 and len(receiver.received) == 1


def test_a_kept_answer_is_checked_again_on_every_post(receiver: Receiver) -> None:
    """The kept answer is a private address: refused each time, never contacted."""
    lookups, resolver = _counting({"sneaky.example": ["127.0.0.1"]})
    url = f"http://sneaky.example:{receiver.port}/hook"
    posted = run_with_sender(
        _post_each([url, url]), resolver=resolver, url_policy=UrlPolicy(allow_http=True)
    )
    assert [p.result.outcome for p in posted] == [Outcome.PERMANENT] * 2
    assert all("loopback" in (p.result.error or "") for p in posted)
    assert lookups == ["sneaky.example"]  # the second post used the kept answer
    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef",
            "https://oapi.dingtalk.com/robot/send?…",
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/2f6f2d70-8ce0-4f54-8b57-0c3a1e9d2b11",
            "https://open.feishu.cn/open-apis/bot/v2/hook/…",
        ),
        ("https://user:pw@hooks.example/notify/alerts", "https://hooks.example/notify/alerts"),
        ("http://127.0.0.1:8026/hooks/91520000L7KJR0GR95", "http://127.0.0.1:8026/hooks/…"),
    ],
)
def test_redact_hides_keys_in_the_query_the_path_and_the_credentials(url: str, shown: str) -> None:
    assert redact(url) == shown
