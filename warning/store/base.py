"""The declarative base of every table, and the column helpers every domain shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are fixed so migrations match on every database."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware datetime (SQLite gives back naive UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def enum_column(enum: type[StrEnum], length: int) -> Enum:
    """A column type storing a :class:`~enum.StrEnum`'s values as plain text (VARCHAR), read
    back as members; a string that is no member is refused before it reaches the database."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )
