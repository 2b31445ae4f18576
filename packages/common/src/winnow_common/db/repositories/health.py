"""The database health check."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def ping(session: Session) -> None:
    """One database round trip."""
    session.execute(text("SELECT 1"))
