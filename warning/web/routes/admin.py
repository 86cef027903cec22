"""Admin, ``/admin``: users and tokens (admins), silences (operators), and the review policy
and deadlines, which come from the settings and are shown read-only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from warning import clock
from warning.accounts import AccountError, Role
from warning.accounts.service import (
    add_user,
    create_token,
    disable_user,
    list_tokens,
    list_users,
    revoke_token,
)
from warning.api.deps import Context, Db
from warning.api.fields import Line, Lines, PathName, RowId
from warning.api.schemas import TokenIn, UserIn
from warning.clock import desk_zone
from warning.context import ServiceContext
from warning.errors import ServiceError
from warning.review.lifecycle import InvalidMove
from warning.review.queries import list_silences
from warning.review.silences import (
    SILENCED_DIRECTIONS,
    SILENCED_LEVELS,
    create_silence,
    delete_silence,
)
from warning.review.states import ChangeKind
from warning.review.stored_policy import policy_in_force
from warning.settings import Settings
from warning.store import read_only
from warning.web.auth import Admin, CheckedForm, Operator, Visitor
from warning.web.pages import page, serve
from warning.web.silences import (
    DEFAULT_DURATION,
    DURATION_NAMES,
    FormTimeError,
    desk_moment,
    enterprises,
    silence_end,
    silence_rows,
)

router = APIRouter(include_in_schema=False)
Text = Annotated[Lines, Form(max_length=4000)]


class AdminRefused(Exception):
    """An admin form the services refused: nothing is kept, the page says why."""

    def __init__(self, reason: str, person: Visitor) -> None:
        self.reason, self.person = reason, person
        super().__init__(reason)


def _show(
    request: Request,
    db: Session,
    context: ServiceContext,
    person: Visitor,
    *,
    problem: str | None = None,
    new_token: tuple[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    settings = context.settings
    admin = person.may(Role.ADMIN)
    return page(
        request,
        person,
        "admin.html",
        section="admin",
        users=list_users(db) if admin else [],
        tokens=list_tokens(db) if admin else [],
        silences=silence_rows(list_silences(db, include_ended=True)[:50], now=clock.now()),
        materials=context.catalog.materials,
        sectors=list(dict.fromkeys(m.sector for m in context.catalog.materials)),
        levels=SILENCED_LEVELS,
        directions=SILENCED_DIRECTIONS,
        enterprises=enterprises(db) if person.may(Role.OPERATOR) else [],
        durations=DURATION_NAMES,
        default_duration=DEFAULT_DURATION,
        roles=[role for role in Role if role != Role.REPORTER],  # reporters: the CLI
        **_policy(db, settings),
        problem=problem,
        new_token=new_token,
        status_code=status_code,
    )


@router.get("/admin")
async def admin_page(request: Request) -> Response:
    """Users, tokens, silences and the policy."""
    context: ServiceContext = request.app.state.context
    return await serve(request, lambda db, person: _show(request, db, context, person))


def _policy(db: Session, settings: Settings) -> dict[str, object]:
    """The review policy in force, whether the desk stored it, and the choices of its form."""
    policy, stored = policy_in_force(db, settings)
    return {
        "policy": policy.as_dict(),
        "policy_stored": stored,
        "policy_levels": ["red", "yellow", "blue"],
        "rule_levels": ["*", "red", "yellow", "blue", "normal"],
        "rule_kinds": ["*", *(kind.value for kind in ChangeKind)],
    }


def show_refused(request: Request, error: Exception) -> Response:
    """The app's handler of :class:`AdminRefused`: the page again, read afresh."""
    assert isinstance(error, AdminRefused)
    context: ServiceContext = request.app.state.context
    with read_only(context.factory) as db:
        return _show(request, db, context, error.person, problem=error.reason, status_code=409)


Checked = TypeVar("Checked", bound=BaseModel)


def _checked(model: type[Checked], form: Mapping[str, object], person: Visitor) -> Checked:
    """The form read as the API reads its body (:mod:`warning.api.schemas`), or
    :class:`AdminRefused` naming each field that is wrong."""
    try:
        return model.model_validate(form)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        raise AdminRefused(problems, person) from None


def _back() -> Response:
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users")
def new_user(
    request: Request,
    db: Db,
    person: Admin,
    form: CheckedForm,
    name: Annotated[Line, Form(max_length=64)] = "",
    role: Annotated[Line, Form(max_length=16)] = "viewer",
    password: Annotated[Line, Form(max_length=1000)] = "",
) -> Response:
    """Add a user (checked as the API checks it)."""
    checked = _checked(UserIn, {"name": name, "role": role, "password": password}, person)
    try:
        add_user(
            db,
            name=checked.name,
            role=checked.role,
            password=checked.password,
            actor=person.name,
            now=clock.now(),
        )
    except AccountError as refused:
        raise AdminRefused(str(refused), person) from None
    return _back()


@router.post("/admin/users/{name}/disable")
def disable(name: PathName, db: Db, person: Admin, form: CheckedForm) -> Response:
    """Disable a user: their password, sessions and tokens stop working."""
    try:
        disable_user(db, name=name, actor=person.name, now=clock.now())
    except AccountError as refused:
        raise AdminRefused(str(refused), person) from None
    return _back()


@router.post("/admin/tokens")
def new_token(
    request: Request,
    db: Db,
    context: Context,
    person: Admin,
    form: CheckedForm,
    user: Annotated[Line, Form(max_length=64)] = "",
    label: Annotated[Line, Form(max_length=128)] = "",
    expires_days: Annotated[Line, Form(max_length=8)] = "",
) -> Response:
    """Create an API token (checked as the API checks it); the page shows it this once."""
    asked = {"user": user, "label": label, "expires_days": expires_days.strip() or None}
    checked = _checked(TokenIn, asked, person)
    try:
        _token, text = create_token(
            db,
            user_name=checked.user,
            label=checked.label,
            expires_days=checked.expires_days,
            actor=person.name,
            now=clock.now(),
        )
    except AccountError as refused:
        raise AdminRefused(str(refused), person) from None
    return _show(request, db, context, person, new_token=(user, text))


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(token_id: RowId, db: Db, person: Admin, form: CheckedForm) -> Response:
    """Revoke a token."""
    try:
        revoke_token(db, token_id=token_id, actor=person.name, now=clock.now())
    except AccountError as refused:
        raise AdminRefused(str(refused), person) from None
    return _back()


@router.post("/admin/silences")
def new_silence(
    db: Db,
    context: Context,
    person: Operator,
    form: CheckedForm,
    material: Annotated[Line, Form(max_length=64)] = "",
    sector: Annotated[Line, Form(max_length=64)] = "",
    level: Annotated[Line, Form(max_length=16)] = "",
    direction: Annotated[Line, Form(max_length=8)] = "",
    enterprise: Annotated[Line, Form(max_length=18)] = "",
    starts_at: Annotated[Line, Form(max_length=32)] = "",
    duration: Annotated[Line, Form(max_length=16)] = "",
    ends_at: Annotated[Line, Form(max_length=32)] = "",
    comment: Text = "",
) -> Response:
    """Mute the changes matching the chosen matchers (none: every change) from a start (the
    desk's time; empty: now) for a preset duration or until a custom end."""
    zone, now = desk_zone(context.settings), clock.now()
    try:
        starts = desk_moment(starts_at, field="starts at", zone=zone)
        ends = silence_end(duration, starts=max(starts or now, now), ends_at=ends_at, zone=zone)
        create_silence(
            db,
            material_id=material or None,
            sector=sector or None,
            level=level or None,
            direction=direction or None,
            enterprise=enterprise or None,
            starts_at=starts,
            ends_at=ends,
            comment=comment,
            actor=person.name,
            now=now,
        )
    except (FormTimeError, ServiceError) as refused:
        raise AdminRefused(_why(refused), person) from None
    return _back()


@router.post("/admin/silences/{silence_id}/delete")
def end_silence(silence_id: RowId, db: Db, person: Operator, form: CheckedForm) -> Response:
    """End a silence now (expire it), or call off one that has not started."""
    try:
        delete_silence(db, silence_id=silence_id, actor=person.name, now=clock.now())
    except ServiceError as refused:
        raise AdminRefused(_why(refused), person) from None
    return _back()


def _why(refused: Exception) -> str:
    return refused.reason if isinstance(refused, InvalidMove) else str(refused)
