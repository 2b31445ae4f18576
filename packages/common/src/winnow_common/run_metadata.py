"""Reading a run's ``data/metadata.jsonl`` (one JSON record per embedded file: its
``filename``, the worker's ``lightly`` metadata, the user's ``custom`` metadata), shared by the
reporter and the dashboard's galleries."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def metadata_records(raw: bytes | None, names: Sequence[str]) -> Iterator[tuple[int, Any]]:
    """``(position in names, record)`` for each record whose ``filename`` is in ``names``."""
    index = {name: i for i, name in enumerate(names)}
    for line in (raw or b"").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        i = index.get(record.get("filename"))
        if i is not None:
            yield i, record


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested values by their dotted path (``weather.temperature``); lists are left out."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= flatten(value, f"{path}.")
        elif not isinstance(value, list):
            out[path] = value
    return out


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
