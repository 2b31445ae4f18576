"""A store that rides out outages: calls failing with ``StorageUnavailable`` are retried.

A missing key or refused credentials are answers, not outages, and pass through at once; only
an unreachable server is retried, with exponential backoff, for at most ``budget_s`` per call.
Picklable like the store it wraps, so DataLoader workers can read through it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from winnow_common.errors import StorageUnavailable
from winnow_common.storage.datasource import DatasourceStore

log = logging.getLogger(__name__)

T = TypeVar("T")


def backoff_delays(budget_s: float, first_s: float = 0.5, max_s: float = 10.0) -> Iterator[float]:
    """Sleep times of an exponential backoff whose sum stays within ``budget_s``."""
    spent, delay = 0.0, first_s
    while spent < budget_s:
        step = min(delay, max_s, budget_s - spent)
        yield step
        spent += step
        delay *= 2


class RetryingStore:
    """Wraps a ``DatasourceStore``; every call retries ``StorageUnavailable`` for ``budget_s``."""

    def __init__(self, inner: DatasourceStore, budget_s: float) -> None:
        self.inner = inner
        self.budget_s = budget_s

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        delays = backoff_delays(self.budget_s)
        while True:
            try:
                return fn()
            except StorageUnavailable as exc:
                delay = next(delays, None)
                if delay is None:
                    raise
                log.warning("storage unavailable (%s), retrying in %.1fs: %s", what, delay, exc)
                time.sleep(delay)

    def describe(self) -> str:
        return self.inner.describe()

    def list_files(self, prefix: str = "") -> list[str]:
        return self._call(f"list {prefix!r}", lambda: self.inner.list_files(prefix))

    def read(self, key: str) -> bytes:
        return self._call(f"read {key!r}", lambda: self.inner.read(key))

    def write(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._call(f"write {key!r}", lambda: self.inner.write(key, data, content_type))

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        # Only the start of a stream is retried; a stream cut halfway fails its reader.
        chunks = self._call(f"open {key!r}", lambda: _first_and_rest(self.inner.iter_chunks(key)))
        yield from chunks

    def full_url(self, key: str) -> str:
        return self.inner.full_url(key)

    def delete(self, key: str) -> None:
        self._call(f"delete {key!r}", lambda: self.inner.delete(key))

    def first_file(self) -> str | None:
        return self._call("list", self.inner.first_file)

    def probe(self) -> None:
        self.inner.probe()


def _first_and_rest(chunks: Iterator[bytes]) -> list[bytes] | Iterator[bytes]:
    """Pull the first chunk now (so a dead server fails here), then the rest lazily."""
    first = next(chunks, None)
    if first is None:
        return []

    def rest() -> Iterator[bytes]:
        yield first
        yield from chunks

    return rest()
