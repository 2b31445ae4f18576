"""Encryption at rest for datasource secrets (Fernet, key derived from ``API_SECRET_KEY``)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

from winnow_common.config import api_settings
from winnow_common.errors import WinnowError


def _fernet() -> Fernet:
    digest = hashlib.sha256(
        b"winnow-datasource:" + api_settings().secret_key.get_secret_value().encode()
    )
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def encrypt_secrets(secrets: dict[str, str]) -> str:
    """Encrypt a dict of secret wire fields into one token."""
    return _fernet().encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str) -> dict[str, str]:
    """Decrypt what ``encrypt_secrets`` produced; empty input gives an empty dict."""
    if not token:
        return {}
    try:
        data: dict[str, str] = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise WinnowError(
            "datasource secrets cannot be decrypted (API_SECRET_KEY changed?)"
        ) from exc
    return data
