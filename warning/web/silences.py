"""The silences on ``/admin``: the form's times (desk time, a duration preset or a custom
end) and each silence as the page shows it (its matchers by name, its state now)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from warning.directory.models import Enterprise
from warning.review.models import Silence
from warning.review.silences import SilenceState, matchers_of, state_of
from warning.web.i18n import N_

CUSTOM: Final = "custom"
DURATIONS: Final[dict[str, timedelta]] = {  # the form's presets, as Alertmanager offers them
    "2h": timedelta(hours=2),
    "1d": timedelta(days=1),
    "7d": timedelta(weeks=1),
    "30d": timedelta(days=30),
}
DURATION_NAMES: Final[dict[str, str]] = {
    "2h": N_("2 hours"),
    "1d": N_("1 day"),
    "7d": N_("1 week"),
    "30d": N_("30 days"),
    CUSTOM: N_("until the end below"),
}
DEFAULT_DURATION: Final = "2h"


class FormTimeError(ValueError):
    """A time the silence form cannot read; the message says which field and why."""


@dataclass(frozen=True)
class SilenceRow:
    """One silence as the page lists it."""

    silence: Silence
    matchers: dict[str, Any]
    state: SilenceState


def silence_rows(silences: Sequence[Silence], *, now: datetime) -> list[SilenceRow]:
    """The silences with their matchers and their state at ``now``."""
    return [SilenceRow(s, matchers_of(s), state_of(s, now=now)) for s in silences]


def enterprises(session: Session) -> list[Enterprise]:
    """The directory's enterprises an operator may silence, whitelist first, by name."""
    return list(
        session.scalars(select(Enterprise).order_by(Enterprise.whitelist.desc(), Enterprise.name))
    )


def desk_moment(text: str, *, field: str, zone: tzinfo) -> datetime | None:
    """A ``datetime-local`` value (desk time unless it names an offset); empty: None."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FormTimeError(f"{field} {text!r}: expected a date and time") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def silence_end(duration: str, *, starts: datetime, ends_at: str, zone: tzinfo) -> datetime:
    """The end the form asks for: its start plus a preset, or the custom end (no duration
    given at all counts as custom, as the form before the presets sent)."""
    if duration in DURATIONS:
        try:
            return starts + DURATIONS[duration]
        except OverflowError:
            raise FormTimeError(
                f"starts at {starts.isoformat()}: too late for a duration"
            ) from None
    if duration not in ("", CUSTOM):
        raise FormTimeError(f"duration {duration!r}: expected one of {', '.join(DURATIONS)}")
    end = desk_moment(ends_at, field="ends at", zone=zone)
    if end is None:
        raise FormTimeError("ends at: choose a duration or give an end")
    return end
