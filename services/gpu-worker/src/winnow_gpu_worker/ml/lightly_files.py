"""Reading the JSON inputs users put under ``.lightly/`` (metadata, predictions).

``ListFiles(prefix)`` and ``ReadFile(key)`` are the LIGHTLY datasource's listing and reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ListFiles = Callable[[str], Iterable[str]]
ReadFile = Callable[[str], bytes]


def parse_json(data: bytes, key: str) -> Any:
    """``json.loads`` whose error names the file."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{key} is not valid JSON ({exc})") from exc


def listing(list_files: ListFiles, prefix: str) -> set[str]:
    """Every key under ``prefix`` (a folder ending in ``/``), as full keys."""
    return {k if k.startswith(prefix) else prefix + k for k in list_files(prefix.rstrip("/"))}


def read_json_files(keys: Iterable[str], read: ReadFile, max_workers: int) -> list[tuple[str, Any]]:
    """``(key, document)`` for each key in sorted order; object stores are read in parallel."""
    ordered = sorted(keys)

    def fetch(key: str) -> tuple[str, Any]:
        return key, parse_json(read(key), key)

    if len(ordered) > 1 and max_workers > 1:
        with ThreadPoolExecutor(max_workers=min(max_workers, len(ordered))) as pool:
            return list(pool.map(fetch, ordered))
    return [fetch(key) for key in ordered]
