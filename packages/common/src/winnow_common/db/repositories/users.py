"""Users and their API tokens (only a token's SHA-256 is stored)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import ApiToken, User


def by_email(session: Session, email: str) -> User | None:
    """The user with ``email``."""
    return session.scalar(select(User).where(User.email == email))


def by_token_hash(session: Session, token_hash: str) -> User | None:
    """The user a token (by its hash) belongs to."""
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash)
    )


def add(session: Session, user: User) -> None:
    """Insert a user."""
    session.add(user)
    session.flush()


def add_token(session: Session, user_id: str, token_hash: str) -> None:
    """Store a token's hash for the user."""
    session.add(ApiToken(user_id=user_id, token_hash=token_hash))
    session.flush()
