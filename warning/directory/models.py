"""The directory's tables: whitelist enterprises, their contacts, the contacts' webhook and
robot endpoints, and what each contact subscribes to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alerts import EndpointKind
from vocabulary import Level
from warning.store.base import Base, enum_column


class Enterprise(Base):
    """A raw-material enterprise; ``key_contact`` ones (23 of the 268) get closer attention."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    region: Mapped[str] = mapped_column(String(64), default="")
    sector: Mapped[str] = mapped_column(String(64), default="")
    whitelist: Mapped[bool] = mapped_column(Boolean, default=True)
    key_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    contacts: Mapped[list[Contact]] = relationship(back_populates="enterprise")


class Contact(Base):
    """A person at an enterprise who receives alerts, in Chinese or English."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("enterprise_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(2), default="zh")
    channels: Mapped[str] = mapped_column(String(128), default="email")  # comma-separated
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")
    endpoints: Mapped[list[ContactEndpoint]] = relationship(back_populates="contact")
    subscriptions: Mapped[list[Subscription]] = relationship(back_populates="contact")


class ContactEndpoint(Base):
    """A webhook or group robot a contact receives alerts on. ``secrets``: newest first, one
    per line (two during a rotation); the URL of a WeCom robot is itself the secret."""

    __tablename__ = "contact_endpoint"
    __table_args__ = (UniqueConstraint("contact_id", "kind", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    kind: Mapped[EndpointKind] = mapped_column(enum_column(EndpointKind, 16))
    url: Mapped[str] = mapped_column(Text)
    secrets: Mapped[str] = mapped_column(Text, default="")
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    contact: Mapped[Contact] = relationship(back_populates="endpoints")

    @property
    def secret_list(self) -> tuple[str, ...]:
        return tuple(line for line in self.secrets.splitlines() if line.strip())


class Subscription(Base):
    """What a contact wants: materials (``*`` for all) or sectors, from a level, in which
    directions."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    materials: Mapped[str] = mapped_column(Text, default="*")  # comma-separated ids or *
    sectors: Mapped[str] = mapped_column(Text, default="")  # comma-separated sectors
    min_level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    directions: Mapped[str] = mapped_column(String(16), default="up,down")
    digest: Mapped[bool] = mapped_column(Boolean, default=True)

    contact: Mapped[Contact] = relationship(back_populates="subscriptions")
