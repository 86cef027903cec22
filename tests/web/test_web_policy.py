"""The review policy edited from /admin (admins): stored, audited before and after, used by
the review sweep without a restart; the settings' policy while nothing is stored, and again
after the stored one is removed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.review import T0, step
from tests.web.conftest import Web
from warning.audit import AuditEntry
from warning.clock import FrozenClock, use_clock
from warning.jobs.pipeline import sweep_review_queue
from warning.review.models import ReviewItem
from warning.review.stored_policy import current_policy
from warning.store import transaction

SETTINGS_POLICY = {  # the settings' defaults (WARNING_REVIEW_*), written out by hand
    "auto_approve": ["blue:*", "*:end"],
    "deadline_hours": {"red": 2.0, "yellow": 24.0},
    "overdue": {"red": "escalate", "yellow": "escalate"},
}
EDITED = {
    "rule": ["blue:*"],  # "*:end" unticked
    "add_level": "yellow",
    "add_kind": "new",
    "deadline_red": "1.5",
    "deadline_yellow": "",
    "deadline_blue": "",
    "overdue_red": "approve",
    "overdue_yellow": "escalate",
    "overdue_blue": "escalate",
}
EDITED_POLICY = {
    "auto_approve": ["blue:*", "yellow:new"],
    "deadline_hours": {"red": 1.5},
    "overdue": {"red": "approve"},
}


def _policy(web: Web) -> dict[str, object]:
    with transaction(web.factory) as session:
        return current_policy(session, web.context.settings).as_dict()


def _entries(web: Web) -> list[tuple[str, str, dict[str, object], dict[str, object]]]:
    with transaction(web.factory) as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(["policy_changed", "policy_reset"]))
            .order_by(AuditEntry.id)
        ).all()
        return [
            (r.action, r.actor, json.loads(r.before or "{}"), json.loads(r.after or "{}"))
            for r in rows
        ]


def test_an_admin_stores_a_policy_audited_before_and_after_and_can_go_back(web: Web) -> None:
    assert _policy(web) == SETTINGS_POLICY
    page = web.as_("ada").get("/admin").text
    assert 'action="/admin/policy"' in page and "取自设置" in page
    assert web.post("ada", "/admin/policy", EDITED).status_code == 303
    assert _policy(web) == EDITED_POLICY
    assert _entries(web) == [("policy_changed", "ada", SETTINGS_POLICY, EDITED_POLICY)]
    shown = web.as_("vera").get("/admin").text
    assert "由 <span" in shown and "1.5" in shown and "无需重启" in shown
    assert 'action="/admin/policy"' not in shown  # a viewer reads it only

    assert web.post("ada", "/admin/policy/reset", {}).status_code == 303
    assert _policy(web) == SETTINGS_POLICY
    assert _entries(web)[1] == ("policy_reset", "ada", EDITED_POLICY, SETTINGS_POLICY)
    assert web.post("ada", "/admin/policy/reset", {}).status_code == 303  # nothing stored
    assert len(_entries(web)) == 2  # nothing changed, nothing audited


@pytest.mark.parametrize(
    ("who", "change", "status"),
    [
        ("otto", {}, 403),  # an operator may not
        ("vera", {}, 403),
        ("ada", {"deadline_red": "0"}, 409),  # no deadline of no time
        ("ada", {"deadline_red": "8784.1"}, 409),  # at most a year
        ("ada", {"deadline_red": "inf"}, 409),
        ("ada", {"deadline_red": "soon"}, 409),
        ("ada", {"overdue_red": "ignore"}, 409),
        ("ada", {"rule": ["purple:*"]}, 409),
        ("ada", {"add_kind": "sometimes"}, 409),
    ],
)
def test_a_refused_policy_keeps_the_one_in_force(
    web: Web, who: str, change: dict[str, object], status: int
) -> None:
    answer = web.post(who, "/admin/policy", {**EDITED, **change})
    assert answer.status_code == status
    assert _policy(web) == SETTINGS_POLICY and _entries(web) == []


def test_a_year_of_hours_is_the_longest_deadline(web: Web) -> None:
    assert web.post("ada", "/admin/policy", {**EDITED, "deadline_red": "8784"}).status_code == 303
    assert _policy(web)["deadline_hours"] == {"red": 8784.0}


@pytest.mark.parametrize(
    ("stored", "state", "overdue"), [(True, "approved", True), (False, "pending", True)]
)
def test_the_sweep_uses_the_stored_policy_without_a_restart(
    web: Web, stored: bool, state: str, overdue: bool
) -> None:
    with use_clock(FrozenClock(T0)), transaction(web.factory) as session:
        step(session, {"copper": ("red", "up")}, now=T0)  # red: 2 hours to decide
        item_id = session.scalars(select(ReviewItem.id)).one()
    if stored:  # past the deadline a red is now approved by policy, not escalated
        assert web.post("ada", "/admin/policy", EDITED).status_code == 303
    with use_clock(FrozenClock(T0 + timedelta(hours=2))):
        sweep_review_queue(web.context)  # reads the policy now, as `warning serve` does
    with transaction(web.factory) as session:
        item = session.get(ReviewItem, item_id)
        assert item is not None and (item.state, item.overdue) == (state, overdue)
        assert session.scalar(select(func.count()).select_from(ReviewItem)) == 1
