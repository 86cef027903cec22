"""Signed unsubscribe links: a table of tokens and what the page reads from them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from alerts.unsubscribe import read_unsubscribe_token, unsubscribe_token, unsubscribe_url

SECRET = "page-secret"
GOOD = unsubscribe_token("contact-42", SECRET)
PAYLOAD, SIGNATURE = GOOD.split(".")
OTHER_PAYLOAD = unsubscribe_token("contact-43", SECRET).split(".")[0]


@pytest.mark.parametrize(
    ("token", "secret", "expected"),
    [
        (GOOD, SECRET, ("contact-42", "all")),
        (unsubscribe_token("c-7", SECRET, scope="digest"), SECRET, ("c-7", "digest")),
        (GOOD, "another-secret", None),
        (f"{OTHER_PAYLOAD}.{SIGNATURE}", SECRET, None),  # a signature moved to another contact
        (PAYLOAD, SECRET, None),
        ("", SECRET, None),
        ("!!!.???", SECRET, None),
        (GOOD, "", None),
    ],
)
def test_tokens(token: str, secret: str, expected: tuple[str, str] | None) -> None:
    assert read_unsubscribe_token(token, secret) == expected


def test_the_url_carries_the_token_under_the_public_url() -> None:
    url = unsubscribe_url("https://warning.example.gov.cn/", "contact-42", SECRET)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "warning.example.gov.cn",
        "/unsubscribe",
    )
    token = parse_qs(parts.query)["t"][0]
    assert read_unsubscribe_token(token, SECRET) == ("contact-42", "all")


def test_a_secret_is_required() -> None:
    with pytest.raises(ValueError, match="secret"):
        unsubscribe_token("c", "")
