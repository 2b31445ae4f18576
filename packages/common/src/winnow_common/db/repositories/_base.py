"""What the repositories share: pages of a listing, inserts a constraint may refuse."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from winnow_common.db.base import Base

Ts = TypeVarTuple("Ts")


class UniqueViolation(Exception):
    """A constraint refused the row (a concurrent insert of the same key, a deleted parent)."""


def paged(stmt: Select[*Ts], offset: int, limit: int | None) -> Select[*Ts]:
    """Lightly's item-offset pagination of a statement that has a stable ORDER BY."""
    stmt = stmt.offset(offset)
    return stmt.limit(limit) if limit is not None else stmt


def add_unique(session: Session, row: Base) -> None:
    """Add and flush ``row`` in a savepoint; ``UniqueViolation`` when a constraint refuses it.

    The savepoint keeps the request's transaction usable after the refusal, so the caller can
    answer a 409 (or re-read the row that won) instead of failing with a 500.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise UniqueViolation(str(exc.orig or exc)) from exc
