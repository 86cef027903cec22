"""What the API sends and accepts (pydantic models); field names are the JSON's."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from vocabulary import ChangeKind, Direction, Level
from warning.accounts import Role
from warning.api.fields import Line, Lines
from warning.review.models import Silence
from warning.review.silences import SilenceState, state_of
from warning.review.states import ItemState, WarningState

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back without an offset: say so."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Moment = Annotated[datetime, AfterValidator(_utc)]


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many there are in all, and where this page is."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(
        cls, model: type[BaseModel], rows: Iterable[object], *, total: int, limit: int, offset: int
    ) -> Page[Any]:
        """A page of ``rows`` shown as ``model``."""
        items = [model.model_validate(row) for row in rows]
        return cls(items=items, total=total, limit=limit, offset=offset)


class Problem(BaseModel):
    """Every error: ``detail`` says what is wrong."""

    detail: Any


# a route whose service may refuse its input (422): ``detail`` says why, as text, or lists
# each problem of a malformed request; a refused submission adds ``fields`` (field: why)
REFUSED_INPUT: Final[dict[int | str, dict[str, Any]]] = {
    422: {"model": Problem, "description": "refused input: detail says why"}
}


class WarningOut(BaseModel):
    """A material's warning as approved."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    material_id: str
    state: WarningState
    level: Level
    direction: Direction
    text_zh: str
    text_en: str
    started_at: Moment
    updated_at: Moment
    resolved_at: Moment | None


class MaterialOut(BaseModel):
    """A material now: its latest assessment, latest value and active warning."""

    id: str
    name_zh: str
    name_en: str
    sector: str
    level: Level | None
    direction: Direction | None
    assessed_as_of: date | None
    reasons_zh: str | None
    reasons_en: str | None
    basis: str | None = Field(
        description="why the level stands: confirmed, pending, held, vetoed, capped, "
        "supply_only or no_data"
    )
    level_since: date | None = Field(description="since when the assessed level stands")
    earliest_change: date | None = Field(description="the earliest the level can change")
    since: Moment | None = Field(description="when the active warning started, if any")
    latest_period: date | None
    latest_value: float | None
    unit: str | None
    headline_series: str | None
    change_pct: float | None
    warning: WarningOut | None


class SeriesOut(BaseModel):
    id: str
    indicator: str
    frequency: str
    unit: str
    derived_from: str | None


class MaterialDetailOut(MaterialOut):
    series: list[SeriesOut]


class ObservationOut(BaseModel):
    period: date
    value: float
    n_obs: int | None = None
    expected: int | None = None
    complete: bool | None = None


class ObservationsOut(BaseModel):
    series_id: str
    frequency: str
    unit: str
    rule: str
    observations: list[ObservationOut]  # oldest first, this page of them
    total: int
    limit: int
    offset: int


class IndicatorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    indicator: str
    detector: str
    series_id: str
    value: float | None
    thresholds: str
    level: Level
    direction: Direction
    score: float | None
    reason_zh: str
    reason_en: str
    role: str


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    evaluation_run_id: int
    material_id: str
    as_of: date
    period: date | None
    level: Level
    direction: Direction
    score: float | None
    reasons_zh: str
    reasons_en: str
    ruleset_version: str
    basis: str
    indicator_level: Level
    indicator_direction: Direction
    level_since: date | None
    last_confirmed: date | None
    earliest_change: date | None
    basis_detail: dict[str, Any]
    indicators: list[IndicatorOut]

    @field_validator("basis_detail", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value


class ReviewItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    material_id: str
    state: ItemState
    kind: ChangeKind
    from_level: Level
    from_direction: Direction
    level: Level
    direction: Direction
    reasons_zh: str
    reasons_en: str
    assessment_id: int
    ruleset_version: str
    silenced: bool
    created_at: Moment
    updated_at: Moment
    deadline_at: Moment | None
    overdue: bool
    escalated_at: Moment | None
    snoozed_until: Moment | None
    decided_at: Moment | None
    decided_by: str | None
    comment: str | None
    final_level: Level | None
    final_direction: Direction | None
    final_text_zh: str | None
    final_text_en: str | None
    warning_id: int | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApproveIn(_Strict):
    comment: Lines | None = Field(default=None, max_length=4000)


class RejectIn(_Strict):
    reason: Lines = Field(min_length=1, max_length=4000)


class AdjustIn(_Strict):
    level: Level | None = None
    direction: Direction | None = None
    reason: Lines = Field(min_length=1, max_length=4000)
    text_zh: Lines | None = Field(default=None, max_length=8000)
    text_en: Lines | None = Field(default=None, max_length=8000)


class SnoozeIn(_Strict):
    until: datetime
    comment: Lines | None = Field(default=None, max_length=4000)

    @field_validator("until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-12-02T09:00:00+08:00")
        return value


SilencedLevel = Literal["blue", "yellow", "red"]
SilencedDirection = Literal["up", "down"]


class SilenceIn(_Strict):
    """A silence: its matchers (each null or left out: any; none at all: every change), its
    start (null: now) and end, and why. With ``enterprise`` only that enterprise's deliveries
    are muted; without, the change is muted for everyone (docs/review.md, "Silences")."""

    material: Line | None = Field(
        default=None, max_length=64, description="a material id; null: any material"
    )
    sector: Line | None = Field(
        default=None, max_length=64, description="a sector id (e.g. nonferrous); null: any"
    )
    level: SilencedLevel | None = Field(
        default=None, description="matches this level exactly (an end: the ended warning's)"
    )
    direction: SilencedDirection | None = Field(default=None, description="null: either")
    enterprise: Line | None = Field(
        default=None,
        max_length=18,
        description="a credit code of the directory: mutes only that enterprise's deliveries",
    )
    starts_at: datetime | None = Field(default=None, description="null or past: from now")
    ends_at: datetime
    comment: Lines = Field(min_length=1, max_length=4000)

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-12-02T09:00:00+08:00")
        return value

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> SilenceIn:
        if self.starts_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SilenceOut(BaseModel):
    """A silence with its matchers (null: any) and its state now."""

    id: int
    material_id: str | None
    sector: str | None
    level: Level | None
    direction: Direction | None
    enterprise: str | None = Field(description="the enterprise's credit code")
    enterprise_name: str | None
    starts_at: Moment
    ends_at: Moment
    state: SilenceState
    comment: str
    created_by: str
    created_at: Moment
    deleted_at: Moment | None
    deleted_by: str | None

    @classmethod
    def of(cls, silence: Silence, *, now: datetime) -> SilenceOut:
        """``silence`` as the API shows it at ``now``."""
        enterprise = silence.enterprise
        return cls(
            id=silence.id,
            material_id=silence.material_id,
            sector=silence.sector,
            level=silence.level,
            direction=silence.direction,
            enterprise=enterprise.credit_code if enterprise else None,
            enterprise_name=enterprise.name if enterprise else None,
            starts_at=silence.starts_at,
            ends_at=silence.ends_at,
            state=state_of(silence, now=now),
            comment=silence.comment,
            created_by=silence.created_by,
            created_at=silence.created_at,
            deleted_at=silence.deleted_at,
            deleted_by=silence.deleted_by,
        )


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: Moment
    actor: str
    action: str
    material_id: str | None
    review_item_id: int | None
    warning_id: int | None
    subject: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    comment: str | None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    disabled: bool
    created_at: Moment


class UserIn(_Strict):
    name: Line = Field(max_length=64)
    role: Role
    password: Line = Field(min_length=10, max_length=1000)

    @field_validator("role")
    @classmethod
    def _not_a_reporter(cls, role: Role) -> Role:
        if role == Role.REPORTER:
            raise ValueError(
                "a reporter is added with its enterprise: "
                "warning users add NAME --role reporter --enterprise CREDIT_CODE"
            )
        return role


class TokenIn(_Strict):
    user: Line = Field(max_length=64)
    label: Line = Field(default="", max_length=128)
    expires_days: int | None = Field(default=None, gt=0, le=3650)


class TokenOut(BaseModel):
    id: int
    user: str
    label: str
    prefix: str
    created_at: Moment
    expires_at: Moment | None
    revoked_at: Moment | None
    last_used_at: Moment | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the token itself: shown this once, never again")


class PolicyOut(BaseModel):
    auto_approve: list[str]
    deadline_hours: dict[str, float]
    overdue: dict[str, str]
