"""Users and API tokens. Tokens are random strings; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import ApiToken, User
from winnow_common.errors import Unauthorized


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """Create a new token for ``user`` and return it in clear (shown once)."""
    token = secrets.token_hex(24)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def ensure_user(session: Session, email: str) -> User:
    """The user with ``email``, created if missing."""
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email)
        session.add(user)
        session.flush()
    return user


def authenticate(session: Session, token: str | None) -> User:
    """The user a token belongs to, or ``Unauthorized``."""
    if not token:
        raise Unauthorized("token: missing; pass ?token=<your Winnow API token>")
    user = session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token))
    )
    if user is None:
        raise Unauthorized("token: invalid token")
    return user
