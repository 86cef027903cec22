"""The issuing office from settings, and document numbers (机关代字〔年份〕序号号)."""

from __future__ import annotations

from datetime import date

import pytest

from alerts.digest import DigestKind
from warning.delivery.issuer import bulletin_number, document_number, issuer_of
from warning.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WARNING_CONFIG", "WARNING_ISSUER_CONTACT", "WARNING_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("prefix", "year", "serial", "expected"),
    [
        ("原材预警", 2026, 12, "原材预警〔2026〕12号"),
        ("原材预警", 2026, 1, "原材预警〔2026〕1号"),
        (" 工信原 ", 1999, 366, "工信原〔1999〕366号"),
    ],
)
def test_document_numbers(prefix: str, year: int, serial: int, expected: str) -> None:
    assert document_number(prefix, year, serial) == expected


@pytest.mark.parametrize(
    ("prefix", "year", "serial", "problem"),
    [
        ("", 2026, 1, "机关代字"),
        ("原材预警", 2026, 0, "serial starts at 1, not 0"),
        ("原材预警", 26, 1, "four digits, not 26"),
    ],
)
def test_a_bad_document_number_is_refused(
    prefix: str, year: int, serial: int, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        document_number(prefix, year, serial)


@pytest.mark.parametrize(
    ("kind", "start", "expected"),
    [
        (DigestKind.DAILY, date(2026, 1, 1), "原材预警日〔2026〕1号"),
        (DigestKind.DAILY, date(2026, 12, 31), "原材预警日〔2026〕365号"),
        (DigestKind.WEEKLY, date(2026, 11, 30), "原材预警周〔2026〕49号"),
        # the ISO week-numbering year: the week of Monday 2024-12-30 is 2025's first
        (DigestKind.WEEKLY, date(2024, 12, 30), "原材预警周〔2025〕1号"),
        (DigestKind.MONTHLY, date(2026, 11, 1), "原材预警月〔2026〕11号"),
    ],
)
def test_bulletin_numbers_follow_the_period(kind: DigestKind, start: date, expected: str) -> None:
    assert bulletin_number("原材预警", kind, start) == expected


def test_the_issuer_defaults_and_the_contact_falls_back_to_the_sender() -> None:
    settings = load_settings(mail_from="desk@example.gov.cn")
    issuer = issuer_of(settings)
    assert issuer.name_zh == "原材料供需预警办公室"
    assert issuer.name_en == "Raw-Material Supply-Demand Early-Warning Office"
    assert issuer.contact == "desk@example.gov.cn"
    assert settings.issuer_doc_prefix == "原材预警"
    own = issuer_of(load_settings(issuer_contact="电话 010-1234 5678"))
    assert own.contact == "电话 010-1234 5678"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("WARNING_ISSUER_NAME_ZH", "  ", r"WARNING_ISSUER_NAME_ZH: .*non-empty"),
        ("WARNING_ISSUER_NAME_EN", "Office\nBcc: x", r"WARNING_ISSUER_NAME_EN: .*one line"),
        ("WARNING_ISSUER_CONTACT", "a\r\nb", r"WARNING_ISSUER_CONTACT: .*one line"),
        ("WARNING_ISSUER_DOC_PREFIX", "原材〔预警〕", r"WARNING_ISSUER_DOC_PREFIX: .*brackets"),
        ("WARNING_ISSUER_DOC_PREFIX", "原材预警2026", r"WARNING_ISSUER_DOC_PREFIX: .*digits"),
        ("WARNING_ISSUER_DOC_PREFIX", "很长" * 9, r"WARNING_ISSUER_DOC_PREFIX: .*at most 16"),
    ],
)
def test_bad_issuer_settings_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=expected):
        load_settings()
