"""Column types shared by the tables: aware UTC times, and enums stored as their values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes, whose zone nobody knows; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value} given to a UTC column: add tzinfo")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give back aware UTC values whatever the backend returned."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _values(members: Any) -> list[str]:
    return [member.value for member in members]


def enum_column(enum: type[StrEnum], length: int,
                stored: Callable[[Any], list[str]] = _values) -> Enum:
    """A VARCHAR column holding a StrEnum as its values (no native PostgreSQL type to
    migrate when a value is added); `stored` gives the strings when they are not the values
    (product families are stored by code), in member order."""
    return Enum(enum, native_enum=False, length=length, validate_strings=True,
                values_callable=stored)
