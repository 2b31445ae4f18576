"""Users and API tokens. Tokens are random strings; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from winnow_common.db.models import User
from winnow_common.db.repositories import users as user_repo
from winnow_common.errors import Unauthorized


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """Create a new token for ``user`` and return it in clear (shown once)."""
    token = secrets.token_hex(24)
    user_repo.add_token(session, user.id, hash_token(token))
    return token


def ensure_user(session: Session, email: str) -> User:
    """The user with ``email``, created if missing."""
    user = user_repo.by_email(session, email)
    if user is None:
        user = User(email=email)
        user_repo.add(session, user)
    return user


def authenticate(session: Session, token: str | None) -> User:
    """The user a token belongs to, or ``Unauthorized``."""
    if not token:
        raise Unauthorized("token: missing; pass ?token=<your Winnow API token>")
    user = user_repo.by_token_hash(session, hash_token(token))
    if user is None:
        raise Unauthorized("token: invalid token")
    return user
