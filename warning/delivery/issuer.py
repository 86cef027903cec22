"""Who issues bulletins and digests, and their document numbers (GB/T 9704: 发文字号).

A document number is ``机关代字〔年份〕序号号`` with six-sided brackets, e.g. 原材预警〔2026〕12号.
Bulletins are numbered by a deterministic scheme derived from the period, so a bulletin
downloaded twice, or by two replicas, carries the same number: the prefix
(``WARNING_ISSUER_DOC_PREFIX``) is followed by the kind (日 daily, 周 weekly, 月 monthly);
the year and serial are the period's first day's day of the year (daily), ISO week-numbering
year and week (weekly), or year and month (monthly).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from alerts.digest import DigestKind, Issuer
from warning.settings import Settings

KIND_MARKS: Final = {DigestKind.DAILY: "日", DigestKind.WEEKLY: "周", DigestKind.MONTHLY: "月"}


def document_number(prefix: str, year: int, serial: int) -> str:
    """``document_number("原材预警", 2026, 12)`` -> ``原材预警〔2026〕12号``."""
    if not prefix.strip():
        raise ValueError("a document number needs its 机关代字 (prefix)")
    if not 1000 <= year <= 9999:
        raise ValueError(f"a document number's year has four digits, not {year}")
    if serial < 1:
        raise ValueError(f"a document number's serial starts at 1, not {serial}")
    return f"{prefix.strip()}〔{year}〕{serial}号"


def bulletin_number(prefix: str, kind: DigestKind, period_start: date) -> str:
    """The number of the bulletin of ``kind`` whose period starts on ``period_start``."""
    if kind is DigestKind.DAILY:
        year, serial = period_start.year, period_start.timetuple().tm_yday
    elif kind is DigestKind.WEEKLY:
        year, serial, _weekday = period_start.isocalendar()
    else:
        year, serial = period_start.year, period_start.month
    return document_number(f"{prefix}{KIND_MARKS[kind]}", year, serial)


def issuer_of(settings: Settings) -> Issuer:
    """The issuing office as the settings name it (the contact: ``WARNING_MAIL_FROM`` when
    ``WARNING_ISSUER_CONTACT`` is empty)."""
    return Issuer(
        name_zh=settings.issuer_name_zh,
        name_en=settings.issuer_name_en,
        contact=settings.issuer_contact or settings.mail_from,
    )
