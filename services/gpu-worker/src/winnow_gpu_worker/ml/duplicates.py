"""Exact (byte-identical) duplicate detection."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def content_hash(data: bytes) -> str:
    """Return the SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def find_exact_duplicates(hashes: Mapping[str, str]) -> dict[str, str]:
    """Map each duplicate filename to the filename that is kept for its content.

    ``hashes`` maps filename -> content hash. Within each group of equal hashes the first
    filename in sorted order is kept, so the result does not depend on listing order.
    """
    kept_by_hash: dict[str, str] = {}
    duplicates: dict[str, str] = {}
    for name in sorted(hashes):
        digest = hashes[name]
        kept = kept_by_hash.setdefault(digest, name)
        if kept != name:
            duplicates[name] = kept
    return duplicates
