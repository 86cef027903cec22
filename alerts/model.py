"""What the engine is given and what it gives back: warning events, recipients, endpoints,
messages and delivery results. Plain frozen dataclasses; the service fills them from its tables.

A :class:`Message` is one recipient on one endpoint with one or more :class:`WarningEvent`
(grouping is the service's job; :func:`inhibit` is the engine's: within a message a red for a
material hides that material's lower levels). Sending a message gives a
:class:`DeliveryResult` that says whether a failure is worth retrying.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from vocabulary import Direction, Level, level_rank


class NoticeKind(StrEnum):
    """Why a warning is being notified: one of its approved changes (the service's
    ``vocabulary.ChangeKind``, worded as news), or a repeat of an active red."""

    NEW = "new"
    ESCALATED = "escalated"
    DE_ESCALATED = "de-escalated"
    DIRECTION_CHANGED = "direction_changed"
    RESOLVED = "resolved"
    REPEAT = "repeat"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class EndpointKind(StrEnum):
    """The channels; each has a module in :mod:`alerts.channels`."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    DINGTALK = "dingtalk"
    WECOM = "wecom"
    FEISHU = "feishu"


@dataclass(frozen=True)
class Chart:
    """A small PNG chart, sent inline (CID) in email; ``alt`` is its text in the message's
    language."""

    png: bytes
    alt: str = ""


@dataclass(frozen=True)
class Advice:
    """What a level and direction mean for the reader, and what they might do (advisory)."""

    meaning_zh: str = ""
    meaning_en: str = ""
    actions_zh: tuple[str, ...] = ()
    actions_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class WarningEvent:
    """One change of one warning, as the desk decided it: everything a message shows of it.

    A message is rendered from this alone (never from the service's board at send time), so
    what a contact reads agrees with the decision that caused it, however late it is sent.

    ``event_id`` identifies this change (stable: the ids the receivers see derive from it);
    ``earlier_event_ids`` are the events of the same warning already notified, oldest first
    (email threads on them). ``level`` and ``direction`` are the warning's after the change;
    for an end (``resolved``) they are those of the warning that ended. ``reasons_zh`` /
    ``reasons_en`` are whole statements, plain text, never markup; the engine puts a statement
    of the change itself first (:func:`alerts.statements.headline`). ``basis`` is the rules'
    basis code (``confirmed``, ``held``, ...), translated when shown. Dates: ``data_as_of``,
    the data the evaluation was made on; ``since``, the day the warning's level stands since;
    ``decided_at``, when the desk (or its policy) decided. ``latest_*`` is the value shown
    beside it: its series, period and unit.
    """

    warning_id: str
    event_id: str
    change: NoticeKind
    material_id: str
    material_zh: str
    material_en: str
    level: Level
    direction: Direction
    basis: str
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]
    since: date
    latest_value: float | None
    latest_unit: str
    latest_date: date | None
    link: str
    previous_level: Level | None = None
    chart: Chart | None = None
    earlier_event_ids: tuple[str, ...] = ()
    previous_direction: Direction | None = None
    data_as_of: date | None = None
    decided_at: datetime | None = None
    latest_series_zh: str = ""
    latest_series_en: str = ""
    adjusted: bool = False  # the desk changed the proposed level, direction or text
    advice: Advice = field(default_factory=Advice)

    def material_name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en

    def reasons(self, language: Language) -> tuple[str, ...]:
        """The statements of this event in ``language``: the change itself first."""
        from alerts.statements import headline  # a leaf module of words; imported late

        own = self.reasons_zh if language is Language.ZH else self.reasons_en
        return (headline(self, language), *own)

    def series_name(self, language: Language) -> str:
        return self.latest_series_zh if language is Language.ZH else self.latest_series_en

    def meaning(self, language: Language) -> str:
        return self.advice.meaning_zh if language is Language.ZH else self.advice.meaning_en

    def actions(self, language: Language) -> tuple[str, ...]:
        return self.advice.actions_zh if language is Language.ZH else self.advice.actions_en


@dataclass(frozen=True)
class Issuer:
    """The issuing office and the contact line readers are given."""

    name_zh: str
    name_en: str
    contact: str

    def name(self, language: Language) -> str:
        return self.name_zh if language is Language.ZH else self.name_en


@dataclass(frozen=True)
class Recipient:
    """A contact of a whitelist enterprise. ``unsubscribe_url`` is the signed https link to the
    web page (the service signs it); without it no List-Unsubscribe header is sent."""

    contact_name: str
    email: str
    language: Language
    enterprise_name: str
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """Where a message goes: an email address (``url`` is ``mailto:`` or empty) or a webhook or
    robot URL. ``secrets`` are the signing secrets, newest first; a webhook sends one signature
    per secret while a rotation is under way. ``endpoint_id`` is stable (ids derive from it)."""

    endpoint_id: str
    kind: EndpointKind
    url: str = ""
    secrets: tuple[str, ...] = ()

    def __repr__(self) -> str:  # secrets and robot keys never reach a log
        return f"Endpoint(endpoint_id={self.endpoint_id!r}, kind={self.kind.value!r})"


@dataclass(frozen=True)
class Message:
    """One recipient on one endpoint, with one or more events (already grouped)."""

    recipient: Recipient
    endpoint: Endpoint
    events: tuple[WarningEvent, ...]
    issuer: Issuer | None = None  # who issues it, and how to ask
    #: a test send: the notice as it would go out, to a person of the desk, marked as a test
    #: in its subject and body (never a warning to an enterprise)
    test: bool = False

    def __post_init__(self) -> None:
        if not self.events:
            raise ValueError("a message carries at least one warning event")

    @property
    def language(self) -> Language:
        return self.recipient.language

    @property
    def delivery_id(self) -> str:
        """Stable for these events on this endpoint: the same message sent twice has the same id
        (the webhook-id receivers de-duplicate on). With one event it depends only on
        (event, endpoint)."""
        return delivery_id(self.endpoint.endpoint_id, [e.event_id for e in self.events])


def delivery_id(endpoint_id: str, event_ids: list[str] | tuple[str, ...]) -> str:
    """``msg_`` + a digest of the endpoint id and the sorted event ids."""
    text = "\n".join([endpoint_id, *sorted(event_ids)])
    return "msg_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Outcome(StrEnum):
    OK = "ok"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt: ``ok``, ``retryable`` (try again later, after ``retry_after_s`` if the
    receiver said so) or ``permanent`` (will not heal by itself). ``disable_endpoint`` is set
    when the receiver says the endpoint is gone (HTTP 410). ``delivery_id`` is the id the
    receiver saw (webhook-id, Message-ID)."""

    outcome: Outcome
    delivery_id: str
    latency_s: float
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    disable_endpoint: bool = False
    response_excerpt: str = field(default="", compare=False)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


def inhibit(events: list[WarningEvent] | tuple[WarningEvent, ...]) -> tuple[WarningEvent, ...]:
    """Within one message, a red for a material hides that material's lower levels.

    Resolutions are kept (they say a warning is over). Order is kept.
    """
    red_materials = {
        e.material_id
        for e in events
        if e.level is Level.RED and e.change is not NoticeKind.RESOLVED
    }
    red = level_rank(Level.RED)
    return tuple(
        e
        for e in events
        if e.change is NoticeKind.RESOLVED
        or e.material_id not in red_materials
        or level_rank(e.level) >= red
    )


def most_severe(events: tuple[WarningEvent, ...]) -> Level:
    """The highest level among the events in force (for subjects and card colours); an end
    of warning counts as normal: the warning it names is over."""
    return max(
        (Level.NORMAL if e.change is NoticeKind.RESOLVED else e.level for e in events),
        key=level_rank,
    )


def as_utc_seconds(moment: datetime) -> int:
    """Unix seconds of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime (the service's clock is UTC and aware)")
    return int(moment.timestamp())


def make_message(
    recipient: Recipient,
    endpoint: Endpoint,
    events: list[WarningEvent] | tuple[WarningEvent, ...],
    issuer: Issuer | None = None,
) -> Message:
    """A message of ``events`` after :func:`inhibit`, most severe first (stable otherwise)."""
    kept = inhibit(events)
    ordered = sorted(kept, key=lambda e: -level_rank(e.level))
    return Message(recipient=recipient, endpoint=endpoint, events=tuple(ordered), issuer=issuer)
