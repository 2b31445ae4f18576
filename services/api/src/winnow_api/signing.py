"""Signed, expiring download URLs: fetched with a plain GET, no token (the client's downloads)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import NamedTuple
from urllib.parse import urlencode

from winnow_common.config import api_settings
from winnow_common.errors import Unauthorized


class Signed(NamedTuple):
    """The query of a signed URL: when it expires (epoch seconds) and its signature."""

    expires: int
    signature: str


def _signature(path: str, expires: int) -> str:
    key = api_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def signed_url(path: str, ttl_s: int | None = None) -> str:
    """An absolute URL for ``path`` (starting with /) valid for ``ttl_s`` seconds."""
    settings = api_settings()
    expires = int(time.time()) + (ttl_s or settings.signed_url_ttl_s)
    query = urlencode({"expires": expires, "signature": _signature(path, expires)})
    return f"{settings.public_url.rstrip('/')}{path}?{query}"


def verify_signature(path: str, expires: int, signature: str) -> None:
    """Raise ``Unauthorized`` unless the signature matches and has not expired."""
    if expires < time.time():
        raise Unauthorized("expires: this download link has expired; ask for a new read URL")
    # Bytes, not str: compare_digest refuses str with non-ASCII characters (a TypeError).
    expected = _signature(path, expires).encode()
    if not hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass")):
        raise Unauthorized("signature: invalid download signature")


def sample_file_path(dataset_id: str, sample_id: str) -> str:
    """The path of the signed route that streams a sample's file from the INPUT datasource."""
    return f"/v1/files/datasets/{dataset_id}/samples/{sample_id}"


def sample_read_url(dataset_id: str, sample_id: str) -> str:
    """A token-free, expiring URL for a sample's full image (read URLs and exports)."""
    return signed_url(sample_file_path(dataset_id, sample_id))
