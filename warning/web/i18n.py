"""Languages of the pages: Chinese (the default) and English, through gettext catalogs.

Messages are written in English in the templates and the code (``_()`` in templates,
:func:`N_` for labels kept in tables here) and translated from the catalogs under
``warning/web/locale`` (``make messages`` extracts and compiles them with Babel). Numbers,
percentages, dates and times are formatted for the language with Babel, times in the desk's
time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta, get_timezone_name
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from vocabulary import ChangeKind, Direction, Level

Day = date  # names for the types, which Formats' methods ``date`` and ``datetime`` shadow
Moment = datetime
LANGUAGES: Final = ("zh", "en")
DEFAULT_LANGUAGE: Final = "zh"
LOCALE_DIR: Final = Path(str(files("warning.web") / "locale"))
DOMAIN: Final = "messages"
_LOCALES: Final = {"zh": Locale.parse("zh_Hans_CN"), "en": Locale.parse("en_GB")}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


LEVEL_NAMES: Final[dict[str, str]] = {
    Level.RED: N_("Red"),
    Level.YELLOW: N_("Yellow"),
    Level.BLUE: N_("Blue"),
    Level.NORMAL: N_("Normal"),
    Level.NO_DATA: N_("No data"),
}
DIRECTION_NAMES: Final[dict[str, str]] = {
    Direction.UP: N_("up (shortage or surge)"),
    Direction.DOWN: N_("down (glut or collapse)"),
    Direction.NONE: "",
}
KIND_NAMES: Final[dict[str, str]] = {
    ChangeKind.NEW: N_("New warning"),
    ChangeKind.ESCALATION: N_("Escalation"),
    ChangeKind.DE_ESCALATION: N_("De-escalation"),
    ChangeKind.DIRECTION_CHANGE: N_("Change of direction"),
    ChangeKind.END: N_("End of warning"),
}
SECTOR_NAMES: Final[dict[str, str]] = {
    "ferrous": N_("Ferrous metals"),
    "nonferrous": N_("Non-ferrous metals"),
    "new_energy": N_("New-energy materials"),
    "fertilizer": N_("Fertilisers"),
    "chemicals": N_("Chemicals"),
    "building_materials": N_("Building materials"),
}
FREQUENCY_NAMES: Final[dict[str, str]] = {
    "D": N_("Daily"),
    "W": N_("Weekly"),
    "T": N_("Ten-day"),
    "M": N_("Monthly"),
    "Q": N_("Quarterly"),
    "Y": N_("Yearly"),
}
RANGE_NAMES: Final[dict[str, str]] = {  # the material chart's time ranges
    "3m": N_("3 months"),
    "1y": N_("1 year"),
    "3y": N_("3 years"),
    "all": N_("All"),
}
DIGEST_NAMES: Final[dict[str, str]] = {  # digests and bulletins by kind
    "daily": N_("Daily digest"),
    "weekly": N_("Weekly bulletin"),
    "monthly": N_("Monthly bulletin"),
}
INDICATOR_NAMES: Final[dict[str, str]] = {
    "price": N_("Price"),
    "output": N_("Output"),
    "inventory": N_("Inventory"),
    "import": N_("Imports"),
    "export": N_("Exports"),
}
STATE_NAMES: Final[dict[str, str]] = {
    "pending": N_("Pending"),
    "snoozed": N_("Snoozed"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "superseded": N_("Superseded"),
    "active": N_("Active"),
    "resolved": N_("Resolved"),
}
DELIVERY_STATUS_NAMES: Final[dict[str, str]] = {
    "pending": N_("pending"),
    "sending": N_("sending"),
    "retrying": N_("retrying"),
    "sent": N_("sent"),
    "dead": N_("dead"),
    "skipped": N_("skipped"),
}
ACTION_NAMES: Final[dict[str, str]] = {
    "created": N_("proposed"),
    "updated": N_("proposal updated"),
    "superseded": N_("superseded"),
    "approved": N_("approved"),
    "adjusted": N_("adjusted and approved"),
    "rejected": N_("rejected"),
    "approved_by_policy": N_("approved by policy"),
    "snoozed": N_("snoozed"),
    "woken": N_("snooze ended"),
    "escalated": N_("escalated (overdue)"),
    "silence_created": N_("silence created"),
    "silence_deleted": N_("silence ended"),
    "user_added": N_("user added"),
    "user_disabled": N_("user disabled"),
    "password_set": N_("password set"),
    "token_created": N_("token created"),
    "token_revoked": N_("token revoked"),
    "suspect_cleared": N_("suspect flag cleared"),
    "delivery_replayed": N_("delivery replayed"),
    "endpoint_disabled": N_("endpoint disabled"),
    "directory_imported": N_("directory imported"),
    "unsubscribed": N_("unsubscribed"),
    "test_sent": N_("test sent"),
    "series_derived": N_("series derived again"),
    "digest_sent": N_("digest sent"),
    "policy_changed": N_("review policy changed"),
    "policy_reset": N_("review policy back to the settings"),
}
SILENCE_STATE_NAMES: Final[dict[str, str]] = {
    "pending": N_("not started yet"),
    "active": N_("in force"),
    "expired": N_("over"),
}
ROLE_NAMES: Final[dict[str, str]] = {
    "reporter": N_("Reporter"),
    "viewer": N_("Viewer"),
    "operator": N_("Operator"),
    "admin": N_("Administrator"),
}


def _utc(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite gives it back without an offset)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def _ago(language: str, minutes: int) -> str:
    return format_timedelta(
        timedelta(minutes=minutes),
        add_direction=True,
        granularity="minute",
        threshold=1.0,
        locale=_LOCALES[language],
    )


@lru_cache(maxsize=4096)
def _lasted(language: str, minutes: int) -> str:
    return format_timedelta(
        timedelta(minutes=minutes), granularity="minute", threshold=1.0, locale=_LOCALES[language]
    )


def load_translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (English needs none: messages are English)."""
    if language == "en":
        return NullTranslations()
    loaded = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(loaded, Translations):
        raise RuntimeError(
            f"no compiled catalog for {language!r} under {LOCALE_DIR}: run `make messages`"
        )
    return loaded


def resolve_language(*candidates: str | None) -> str:
    """The first of ``candidates`` that is a known language, else Chinese."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Formats:
    """Numbers, dates and times for one language, times shown in the desk's zone."""

    language: str
    zone: ZoneInfo
    gettext: Callable[[str], str]

    @property
    def locale(self) -> Locale:
        return _LOCALES[self.language]

    def number(self, value: float | None, digits: int = 2) -> str:
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def value(self, value: float | None) -> str:
        """A measured value: fewer decimals the larger it is."""
        if value is None:
            return "–"
        size = abs(value)
        return self.number(value, 0 if size >= 1000 else 1 if size >= 100 else 2)

    def percent(self, value: float | None, *, signed: bool = True) -> str:
        """``value`` in percent points (12.3 -> "+12.3%")."""
        if value is None:
            return "–"
        text = format_percent(value / 100.0, format="#,##0.0%", locale=self.locale)
        return f"+{text}" if signed and value > 0 else text

    def date(self, day: date | datetime | None, style: str = "medium") -> str:
        if day is None:
            return "–"
        if isinstance(day, datetime):
            day = _utc(day).astimezone(self.zone).date()
        return format_date(day, format=style, locale=self.locale)

    def datetime(self, moment: datetime | None, style: str = "short") -> str:
        if moment is None:
            return "–"
        pattern = "yyyy-MM-dd HH:mm" if style == "short" else "medium"
        return format_datetime(_utc(moment), format=pattern, tzinfo=self.zone, locale=self.locale)

    def ago(self, moment: Moment | None, now: Moment) -> str:
        """How long ago (or, for a future moment, in how long), e.g. "3 hours ago"."""
        if moment is None:
            return "–"
        delta: timedelta = _utc(moment) - now
        return _ago(self.language, int(delta.total_seconds() // 60))

    def waited(self, moment: Moment | None, now: Moment) -> str:
        """How long since ``moment``, without "ago" (a queue's "waiting: 4 minutes")."""
        if moment is None:
            return "–"
        return _lasted(self.language, max(0, int((now - _utc(moment)).total_seconds() // 60)))

    def zone_name(self) -> str:
        """The desk's time zone by its name in the page's language (「中国标准时间」)."""
        return get_timezone_name(self.zone, locale=self.locale)

    def label(self, table: dict[str, str], key: str | None) -> str:
        """A translated label from one of this module's tables (the key itself if unknown)."""
        if key is None:
            return "–"
        text = table.get(str(key))
        return self.gettext(text) if text else str(key)
