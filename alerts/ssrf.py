"""SSRF guard for every outgoing webhook and robot URL.

``check_url(url, policy, *, resolver=socket.getaddrinfo) -> CheckedUrl`` parses the URL
strictly, resolves its host once and refuses it (:class:`RefusedUrl`, with the reason) when:

- the scheme is not https (plain http only to allow-listed addresses, or anywhere when
  ``policy.allow_http``), the URL carries credentials,
  whitespace, a backslash, an IPv6 zone id, or a host that two URL parsers read differently;
- the host is an IPv4 address in any spelling other than the dotted quad (``2130706433``,
  ``0177.0.0.1``, ``0x7f.1``, ``127.1``): parsers disagree on them, so none is accepted;
- any address the name resolves to is not global: private, loopback, link-local, carrier-grade
  NAT (100.64/10), multicast, reserved, unspecified, documentation, IPv4-mapped or -compatible
  IPv6, or NAT64 / 6to4 / Teredo wrapping a non-global IPv4 address,

unless the address lies inside ``policy.allow`` (the service's ``WARNING_WEBHOOK_ALLOW``).
The :class:`CheckedUrl` carries the address that was checked; :mod:`alerts.http` connects to
that address and no other (no second lookup), keeping the name for the Host header and TLS.
A name that cannot be resolved raises :class:`UnresolvedHost` (worth retrying).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

# Ranges refused even where Python's is_global says otherwise (or says nothing useful).
_ALWAYS_REFUSED = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "240.0.0.0/4",  # reserved
        "64:ff9b:1::/48",  # local-use NAT64
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_KEYISH = re.compile(r"[A-Za-z0-9_-]+")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class RefusedUrl(Exception):
    """A URL the guard will not let the service call: ``url`` and ``reason``."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{redact(url)}: {reason}")


class UnresolvedHost(Exception):
    """The host has no address right now (DNS failure): worth retrying later."""

    def __init__(self, host: str, problem: str) -> None:
        self.host = host
        self.problem = problem
        super().__init__(f"cannot resolve {host}: {problem}")


@dataclass(frozen=True)
class UrlPolicy:
    """What the guard lets through: the allow-listed networks and whether plain http is fine."""

    allow: tuple[IPNetwork, ...] = ()
    allow_http: bool = False

    @classmethod
    def from_text(cls, allow: str, *, allow_http: bool = False) -> UrlPolicy:
        """From the comma-separated CIDRs of ``WARNING_WEBHOOK_ALLOW`` (may be empty)."""
        return cls(allow=parse_allow_list(allow), allow_http=allow_http)


@dataclass(frozen=True)
class CheckedUrl:
    """A URL that passed: its scheme, host (ASCII, as the HTTP client sees it), port and the
    one address the sender must connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress
    all_addresses: tuple[IPAddress, ...] = field(default=(), compare=False)


def parse_allow_list(text: str) -> tuple[IPNetwork, ...]:
    """``"127.0.0.0/8, ::1/128"`` -> networks; raises ValueError naming the bad entry."""
    networks: list[IPNetwork] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(f"not a CIDR network: {item!r} ({error})") from error
    return tuple(networks)


def address_refusal(address: IPAddress, allow: Iterable[IPNetwork] = ()) -> str | None:
    """Why ``address`` is refused, or None when it may be called."""
    if any(address.version == net.version and address in net for net in allow):
        return None  # the operator allowed it (WARNING_WEBHOOK_ALLOW)
    if isinstance(address, ipaddress.IPv6Address):
        wrapped = _wrapped_ipv4(address)
        if wrapped is not None:
            kind, inner = wrapped
            if kind in {"IPv4-mapped", "IPv4-compatible"}:
                return f"{kind} IPv6 address ({inner})"
            inner_reason = address_refusal(inner)
            if inner_reason is not None:
                return f"{kind} address wrapping {inner}: {inner_reason}"
    return _non_global_reason(address)


def _allowed(address: IPAddress, policy: UrlPolicy) -> bool:
    return any(address.version == net.version and address in net for net in policy.allow)


def _wrapped_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return "IPv4-compatible", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64:
        return "NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    return None


def _non_global_reason(address: IPAddress) -> str | None:
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("carrier-grade NAT or reserved", any(address in net for net in _ALWAYS_REFUSED)),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("not globally routable", not address.is_global),
    )
    for reason, applies in checks:
        if applies:
            return f"{reason} address {address}"
    return None


def check_url(url: str, policy: UrlPolicy, *, resolver: Resolver | None = None) -> CheckedUrl:
    """Check ``url`` under ``policy``; see the module docstring. ``resolver`` has the shape of
    ``socket.getaddrinfo`` (the default)."""
    scheme, host, port = _parse(url, policy)
    addresses = _resolve(url, host, port, resolver or socket.getaddrinfo)
    for address in addresses:
        reason = address_refusal(address, policy.allow)
        if reason is not None:
            named = "" if _literal(host) is not None else f"{host} resolves to "
            raise RefusedUrl(url, f"{named}{reason}")
    if (
        scheme == "http"
        and not policy.allow_http
        and not all(_allowed(a, policy) for a in addresses)
    ):
        raise RefusedUrl(
            url, "scheme 'http' not allowed (use https; http only to allow-listed addresses)"
        )
    return CheckedUrl(url, scheme, host, port, addresses[0], tuple(addresses))


def _parse(url: str, policy: UrlPolicy) -> tuple[str, str, int]:
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in url):
        raise RefusedUrl(url, "whitespace, control characters or backslashes in the URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedUrl(url, f"not a valid URL ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"}:
        raise RefusedUrl(url, f"scheme {scheme or '(none)'!r} not allowed (use https)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise RefusedUrl(url, "credentials in the URL are not allowed")
    raw_host = parts.hostname or ""
    if not raw_host:
        raise RefusedUrl(url, "no host")
    if "%" in raw_host:
        raise RefusedUrl(url, "IPv6 zone ids are not allowed")
    if _literal(raw_host) is None and _odd_ipv4(raw_host):
        raise RefusedUrl(url, f"{raw_host!r} is an IPv4 address in a non-standard spelling")
    try:
        host = httpx.URL(url).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError) as error:
        raise RefusedUrl(url, f"not a valid URL ({error})") from error
    if raw_host.isascii() and raw_host.lower() != host:
        raise RefusedUrl(url, f"ambiguous host ({raw_host!r} read as {host!r})")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_address(host: str) -> bool:
    """Whether ``host`` (as a URL carries it, IPv6 without brackets) is an IP address."""
    return _literal(host) is not None


def _odd_ipv4(host: str) -> bool:
    """True for the spellings inet_aton accepts besides the dotted quad (decimal, octal, hex,
    fewer than four parts), and for any all-numeric name (a resolver may read it as one)."""
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        pass
    labels = host.split(".")
    return all(label.isdigit() or label.lower().startswith("0x") for label in labels if label)


def _resolve(url: str, host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnresolvedHost(host, str(error)) from error
    addresses: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnresolvedHost(host, "no address")
    return addresses


def redact(url: str) -> str:
    """The URL as logs and pages may show it: no credentials, no query string (DingTalk and
    WeCom robots carry their key there) and no path segment that looks like a key (Feishu's
    robots carry it as the last one: 16 or more letters, digits, ``-`` or ``_`` with a digit
    among them), each such part shown as ``…``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparsable URL)"
    query = "?…" if parts.query else ""
    segments = parts.path.split("/")
    path = "/".join("…" if _looks_like_key(segment) else segment for segment in segments)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{path}{query}"


def _looks_like_key(segment: str) -> bool:
    return (
        len(segment) >= 16
        and bool(_KEYISH.fullmatch(segment))
        and any(ch.isdigit() for ch in segment)
    )
