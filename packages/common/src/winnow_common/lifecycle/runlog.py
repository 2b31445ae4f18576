"""A run's ``log.txt``: every attempt's own log, each after a header that says how it ended.

Each attempt writes ``logs/attempt-NN.txt`` while it runs (every ``RUN_LOG_FLUSH_INTERVAL_S``
and when it ends), so the log of a process that was killed survives up to its last flush.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from winnow_common.errors import StorageError
from winnow_common.lifecycle.attempts import AttemptInfo
from winnow_common.storage import DatasourceStore, RunKeys

log = logging.getLogger(__name__)


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def attempt_header(attempt: AttemptInfo) -> str:
    """``===== attempt 2 of gpu.process_run on gpu-x@host, 12:00:01 -> 12:00:40: LOST ...``."""
    return (
        f"===== attempt {attempt.number}: {attempt.task} on {attempt.holder}, "
        f"started {_when(attempt.started_at)}, ended {_when(attempt.ended_at)}: "
        f"{attempt.describe().split(': ', 1)[1]} ====="
    )


def compose_run_log(store: DatasourceStore, keys: RunKeys, attempts: list[AttemptInfo]) -> bytes:
    """The whole log of a run from its attempts' logs, in attempt order."""
    parts: list[str] = []
    if len(attempts) > 1:
        parts.append(f"This run took {len(attempts)} attempts:")
        parts.extend(f"  - {a.describe()}" for a in attempts)
        parts.append("")
    for attempt in attempts:
        parts.append(attempt_header(attempt))
        try:
            text = store.read(keys.attempt_log(attempt.number)).decode("utf-8", "replace")
        except StorageError:
            text = "(no log was saved: the process ended before it could write one)\n"
        parts.append(text.rstrip("\n"))
        parts.append("")
    return ("\n".join(parts) + "\n").encode()


def write_attempt_log(store: DatasourceStore, keys: RunKeys, number: int, lines: list[str]) -> bool:
    """Store one attempt's log lines; best effort (a log never fails a run)."""
    try:
        store.write(keys.attempt_log(number), ("\n".join(lines) + "\n").encode(), "text/plain")
    except Exception as exc:
        log.warning("could not store the log of attempt %d: %s", number, exc)
        return False
    return True


def write_run_log(store: DatasourceStore, keys: RunKeys, attempts: list[AttemptInfo]) -> str | None:
    """Write ``log.txt`` from the attempts' logs; its key, or None when storage refused."""
    try:
        store.write(keys.log, compose_run_log(store, keys, attempts), "text/plain")
    except Exception as exc:
        log.warning("could not store the run log %s: %s", keys.log, exc)
        return None
    return keys.log
