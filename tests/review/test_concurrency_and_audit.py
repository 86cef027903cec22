"""Two operators deciding one item at once; an audit log that cannot be changed."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import Api
from tests.support.review import T0, step
from warning import clock
from warning.accounts import Role
from warning.accounts.service import add_user, create_token
from warning.audit import AuditEntry
from warning.review import decisions
from warning.review.lifecycle import InvalidMove
from warning.review.models import ReviewItem, WarningEvent
from warning.store import transaction


def pending_item(factory: sessionmaker[Session]) -> int:
    with factory() as session, session.begin():
        step(session, {"copper": ("red", "up")})
        return session.scalars(select(ReviewItem.id)).one()


@pytest.mark.postgres
def test_two_operators_approving_at_once_one_wins_one_is_refused(
    factory: sessionmaker[Session], database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("real concurrent connections: PostgreSQL")
    item_id = pending_item(factory)
    first, second = factory(), factory()
    first.begin()
    decisions.approve(first, item_id=item_id, actor="ana", comment="mine", now=T0)  # row locked
    outcome: dict[str, object] = {}

    def approve_too() -> None:
        try:
            with second.begin():
                decisions.approve(second, item_id=item_id, actor="bo", comment="mine", now=T0)
            outcome["second"] = "approved"
        except InvalidMove as refused:
            outcome["second"] = refused.reason
        except Exception as error:  # shown by the assertion below
            outcome["second"] = repr(error)

    racer = threading.Thread(target=approve_too)
    racer.start()
    wait_for_lock_waits(factory, 1)  # the second approval waits for the first's row lock
    assert racer.is_alive()
    first.commit()
    racer.join(10)
    first.close()
    second.close()
    assert "changed by someone else" in str(outcome["second"])
    with factory() as session:
        approvals = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "approved")
        )
        events = session.scalar(select(func.count()).select_from(WarningEvent))
        item = session.get(ReviewItem, item_id)
    assert approvals == 1 and events == 1
    assert item is not None and item.decided_by == "ana"


def wait_for_lock_waits(factory: sessionmaker[Session], count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    while time.monotonic() < deadline:
        with factory() as session:
            if (session.scalar(query) or 0) >= count:
                return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} connections ever waited for a lock")


@pytest.mark.postgres
def test_two_operators_approving_at_once_over_http_one_gets_200_the_other_409(
    api: Api, database_url: str
) -> None:
    """Both requests reach the item while a third connection holds its row; when it lets go
    they race on real connections: one approval, one 409 saying why, one audit entry."""
    if not database_url.startswith("postgresql"):
        pytest.skip("real concurrent connections: PostgreSQL")
    factory = api.factory
    item_id = pending_item(factory)
    with transaction(factory) as session:
        add_user(
            session,
            name="olga",
            role=Role.OPERATOR,
            password="operator-password-2",
            actor="test",
            now=clock.now(),
        )
        _token, olga = create_token(
            session, user_name="olga", label="t", expires_days=None, actor="test", now=clock.now()
        )
    headers = {"otto": api.as_("otto"), "olga": {"Authorization": f"Bearer {olga}"}}
    url = f"/api/v1/review-items/{item_id}/approve"
    answers: dict[str, tuple[int, str]] = {}

    def approve(name: str) -> None:
        answer = api.client.post(url, json={"comment": name}, headers=headers[name])
        answers[name] = (answer.status_code, answer.text)

    holder = factory()
    holder.begin()
    holder.execute(select(ReviewItem).where(ReviewItem.id == item_id).with_for_update())
    racers = [threading.Thread(target=approve, args=(name,)) for name in headers]
    for racer in racers:
        racer.start()
    try:
        wait_for_lock_waits(factory, 2)  # both requests are in, waiting for the row
    finally:
        holder.rollback()
        holder.close()
    for racer in racers:
        racer.join(20)
    assert sorted(status for status, _ in answers.values()) == [200, 409], answers
    (refused,) = [text_ for status, text_ in answers.values() if status == 409]
    assert "detail" in refused
    with factory() as session:
        approvals = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "approved")
        )
        events = session.scalar(select(func.count()).select_from(WarningEvent))
    assert approvals == 1 and events == 1


def test_the_audit_log_refuses_updates_and_deletes(factory: sessionmaker[Session]) -> None:
    pending_item(factory)
    for statement in (
        update(AuditEntry).values(actor="someone else"),
        delete(AuditEntry),
    ):
        with (
            factory() as session,
            pytest.raises(DBAPIError, match="append-only"),
            session.begin(),
        ):
            session.execute(statement)
    with factory() as session:
        entries = session.scalars(select(AuditEntry)).all()
    assert entries and all(entry.actor == "system" for entry in entries)
