"""The review policy edited from ``/admin`` (admins): which changes approve themselves, each
level's review deadline and what an item past it gets. Stored, audited before and after, and
used by the next evaluation and sweep without a restart (:mod:`warning.review.stored_policy`);
removing it goes back to the settings' policy."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from vocabulary import Level
from warning import clock
from warning.api.deps import Context, Db
from warning.api.fields import Line
from warning.review.stored_policy import PolicyInvalid, reset_policy, save_policy
from warning.web.auth import Admin, CheckedForm
from warning.web.routes.admin import AdminRefused

router = APIRouter(include_in_schema=False)
LEVELS: Final = (Level.RED.value, Level.YELLOW.value, Level.BLUE.value)
Short = Annotated[Line, Form(max_length=32)]


@router.post("/admin/policy")
def edit_policy(
    db: Db,
    context: Context,
    person: Admin,
    form: CheckedForm,
    rule: Annotated[list[Line] | None, Form()] = None,
    add_level: Short = "",
    add_kind: Short = "",
    deadline_red: Short = "",
    deadline_yellow: Short = "",
    deadline_blue: Short = "",
    overdue_red: Short = "escalate",
    overdue_yellow: Short = "escalate",
    overdue_blue: Short = "escalate",
) -> Response:
    """Store the policy the form describes: the rules kept (``rule``) and one added, each
    level's deadline in hours (empty: none) and what an item past it gets."""
    rules = list(rule or [])
    if add_level and add_kind:
        rules.append(f"{add_level}:{add_kind}")
    deadlines = {"red": deadline_red, "yellow": deadline_yellow, "blue": deadline_blue}
    actions = {"red": overdue_red, "yellow": overdue_yellow, "blue": overdue_blue}
    hours: dict[str, object] = {}
    for level in LEVELS:
        text = deadlines[level].strip()
        if text:
            try:
                hours[level] = float(text)
            except ValueError:
                hours[level] = text  # refused by the policy's check, naming the level
    data: dict[str, object] = {
        "auto_approve": rules,
        "deadline_hours": hours,
        "overdue": {level: actions[level] for level in LEVELS if level in hours},
    }
    try:
        save_policy(db, data=data, settings=context.settings, actor=person.name, now=clock.now())
    except PolicyInvalid as refused:
        raise AdminRefused(str(refused), person) from None
    return RedirectResponse("/admin#policy", status_code=303)


@router.post("/admin/policy/reset")
def reset(db: Db, context: Context, person: Admin, form: CheckedForm) -> Response:
    """Remove the stored policy: the settings' is in force again."""
    reset_policy(db, settings=context.settings, actor=person.name, now=clock.now())
    return RedirectResponse("/admin#policy", status_code=303)
