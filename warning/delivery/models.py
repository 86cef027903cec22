"""Delivery's tables: what is announced (notices), the outbox of messages, every attempt,
and the digests sent.

- ``notice``: one announcement of a warning: each approved change (its warning event), or a
  repeat of an active red. Routing turns it into deliveries.
- ``delivery``: one message to one contact on one channel (email, a webhook, a robot),
  carrying one or more notices gathered within ``WARNING_GROUP_WAIT``; written in the same
  transaction as the approval that causes it; claimed, sent, retried, or dead.
- ``delivery_attempt``: every try, with its outcome, status code, latency and error.
Every message the service sends is a ``delivery`` row sent only by the delivery worker:
warning notices, digests (once per kind, period and recipient, by ``dedupe_key``) and the
operators' escalations; so all of them get retries, dead letters, replay and ``/deliveries``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alerts import EndpointKind, NoticeKind
from vocabulary import Direction, Level
from warning.store.base import Base, enum_column


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"  # gathering notices, or due
    SENDING = "sending"  # claimed by a worker
    RETRYING = "retrying"  # failed, worth another try at next_attempt_at
    SENT = "sent"
    DEAD = "dead"  # failed for good (permanent, or out of retries): operators replay it
    SKIPPED = "skipped"  # recorded, never to be sent (``skip_reason`` says why)


class DeliveryKind(StrEnum):
    """What a delivery carries."""

    NOTICE = "notice"  # warning notices (``delivery_notice``)
    DIGEST = "digest"  # a digest of a period (``payload``: kind and day)
    ESCALATION = "escalation"  # review items past their deadline, to an operator
    REMINDER = "reminder"  # a reporting form due or overdue, to a contact (``payload``)
    TEST = "test"  # a review item's notice as approving it would send, to the desk (``payload``)


class Notice(Base):
    """An announcement of a warning: an approved change, or a repeat of an active red."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warning.id"), index=True)
    warning_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("warning_event.id"), unique=True
    )
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, 24))
    material_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    previous_level: Mapped[Level | None] = mapped_column(enum_column(Level, 16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """One message to one contact on one channel, in the outbox."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[DeliveryKind] = mapped_column(
        enum_column(DeliveryKind, 16), default=DeliveryKind.NOTICE
    )
    # a contact, or (an operator's escalation or digest) only an address
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(320))
    # once per key: a digest is ``digest:<kind>:<period start>:<contact or address>``
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    payload: Mapped[str | None] = mapped_column(Text)  # JSON: what a digest or escalation says
    channel: Mapped[EndpointKind] = mapped_column(enum_column(EndpointKind, 16))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("contact_endpoint.id"))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, 16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    send_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    receiver_id: Mapped[str | None] = mapped_column(String(255))  # webhook-id / Message-ID
    skip_reason: Mapped[str | None] = mapped_column(Text)  # why a skipped delivery was not sent

    notices: Mapped[list[Notice]] = relationship(secondary="delivery_notice", order_by=Notice.id)


class DeliveryNotice(Base):
    """Which notices a delivery carries."""

    __tablename__ = "delivery_notice"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), primary_key=True, index=True)


class DeliveryAttempt(Base):
    """One try at sending a delivery."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # ok, retryable, permanent
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
