"""Declarative base with a naming convention, so Alembic names constraints predictably."""

from __future__ import annotations

from sqlalchemy import BigInteger, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from winnow_common.ids import new_object_id, now_ms

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ObjectIdMixin:
    """A 24-hex ObjectId primary key, the id format the Lightly wire protocol requires."""

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_object_id)


class TimestampMixin:
    """Creation and modification times in epoch milliseconds (the wire's unit)."""

    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
    last_modified_at: Mapped[int] = mapped_column(BigInteger, default=now_ms, onupdate=now_ms)
