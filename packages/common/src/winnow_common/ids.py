"""Identifiers and timestamps in the Lightly wire format."""

from __future__ import annotations

import os
import re
import threading
import time

OBJECT_ID_PATTERN = r"^[a-f0-9]{24}$"
_OBJECT_ID_RE = re.compile(OBJECT_ID_PATTERN)
_counter_lock = threading.Lock()
_counter = int.from_bytes(os.urandom(3), "big")
_process_bytes = os.urandom(5)


def new_object_id() -> str:
    """A MongoDB-style ObjectId: 4 bytes seconds, 5 random bytes, 3 bytes counter, lowercase hex.

    The Lightly client validates every id against ``^[a-f0-9]{24}$``; a time prefix also keeps
    ids roughly sortable by creation.
    """
    global _counter
    with _counter_lock:
        _counter = (_counter + 1) % (1 << 24)
        count = _counter
    return (int(time.time()).to_bytes(4, "big") + _process_bytes + count.to_bytes(3, "big")).hex()


def is_object_id(value: str) -> bool:
    """Whether ``value`` is a well-formed 24-hex lowercase id."""
    return bool(_OBJECT_ID_RE.match(value))


def now_ms() -> int:
    """Milliseconds since the epoch, as every wire timestamp is."""
    return time.time_ns() // 1_000_000
