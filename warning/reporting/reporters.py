"""Reporters: users of the ``reporter`` role, each tied to one enterprise of the directory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warning.accounts import Role, User
from warning.accounts.service import add_user
from warning.audit import record
from warning.directory.models import Enterprise
from warning.errors import Invalid
from warning.reporting.models import Reporter


class UnknownEnterprise(Invalid):
    """No enterprise of the directory has this credit code."""


def enterprise_by_code(session: Session, *, credit_code: str) -> Enterprise:
    """The enterprise with ``credit_code``; :class:`UnknownEnterprise` without one."""
    enterprise = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))
    if enterprise is None:
        raise UnknownEnterprise(
            f"--enterprise {credit_code!r}: no enterprise of the directory has this credit code"
        )
    return enterprise


def add_reporter(
    session: Session, *, name: str, password: str, credit_code: str, actor: str, now: datetime
) -> User:
    """A new user of the reporter role for the enterprise with ``credit_code`` (audited)."""
    enterprise = enterprise_by_code(session, credit_code=credit_code)
    user = add_user(session, name=name, role=Role.REPORTER, password=password, actor=actor, now=now)
    session.add(Reporter(user_id=user.id, enterprise_id=enterprise.id, created_at=now))
    record(
        session,
        at=now,
        actor=actor,
        action="reporter_added",
        subject=f"user:{name}",
        after={"enterprise": enterprise.credit_code},
    )
    return user


def enterprise_of(session: Session, *, user: User) -> Enterprise | None:
    """The enterprise a reporter reports for (None for any other user, or a reporter made
    without one)."""
    if user.role != Role.REPORTER:
        return None
    return session.scalar(
        select(Enterprise)
        .join(Reporter, Reporter.enterprise_id == Enterprise.id)
        .where(Reporter.user_id == user.id)
    )
