"""Server-Sent Events of one run: its state, message, progress, stages, attempts and log tail.

The stream holds no database connection: each tick opens a short session, reads a snapshot
and closes it before anything is sent. The attempts' log files are read from the run's LIGHTLY
datasource every ``LOG_EVERY_S`` (an ended attempt's file once). An event is sent only when
something changed, a comment every ``HEARTBEAT_S`` keeps proxies from closing the stream, and
an ``end`` event follows the run's end state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from winnow_api.runs import service as run_service
from winnow_api.runs import timeline
from winnow_api.runs.service import RunSnapshot
from winnow_common.db.session import session_factory
from winnow_common.enums import RunState
from winnow_common.storage import RunKeys, open_datasource_row

log = logging.getLogger(__name__)

TICK_S = 0.5
LOG_EVERY_S = 2.0
HEARTBEAT_S = 15.0
# An ended run's logs are read from at most this many of its last attempts.
MAX_LOGGED_ATTEMPTS = 5


def _snapshot(run_id: str) -> RunSnapshot | None:
    """One short read-only transaction; the connection is back in the pool on return (closing
    the session ends the transaction and keeps the loaded rows readable)."""
    with session_factory()() as session:
        return run_service.snapshot(session, run_id)


def _read_logs(snap: RunSnapshot, cache: dict[int, list[str]]) -> dict[int, list[str]]:
    """The attempts' log lines; an ended attempt's file is kept in ``cache`` once read."""
    if snap.lightly is None:
        return {}
    try:
        store = open_datasource_row(snap.lightly)
    except Exception as exc:  # a datasource this server cannot open: no log, still events
        log.warning("run %s: cannot open its LIGHTLY datasource: %s", snap.run.id, exc)
        return {}
    keys = RunKeys.for_run(snap.run.id)
    out: dict[int, list[str]] = {}
    for attempt in list(snap.attempts)[-MAX_LOGGED_ATTEMPTS:]:
        if attempt.number in cache:
            out[attempt.number] = cache[attempt.number]
            continue
        try:
            text = store.read(keys.attempt_log(attempt.number)).decode("utf-8", "replace")
        except Exception:  # not flushed yet, or storage refused: try again next time
            continue
        out[attempt.number] = text.splitlines()
        if attempt.ended_at is not None:
            cache[attempt.number] = out[attempt.number]
    return out


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def run_events(run_id: str) -> AsyncIterator[str]:
    """The stream of ``run`` events, ending with ``end`` once the run has ended."""
    yield "retry: 3000\n\n"
    cache: dict[int, list[str]] = {}
    logs: dict[int, list[str]] = {}
    last: dict[str, Any] | None = None
    last_sent = last_log = -1e9
    while True:
        snap = await asyncio.to_thread(_snapshot, run_id)
        if snap is None:
            yield _event("end", {"id": run_id, "gone": True})
            return
        ended = RunState(snap.run.state).is_terminal
        now = time.monotonic()
        if ended or now - last_log >= LOG_EVERY_S:
            logs = await asyncio.to_thread(_read_logs, snap, cache)
            last_log = now
        data = timeline.payload(snap, logs)
        if data != last:
            yield _event("run", data)
            last, last_sent = data, now
        elif now - last_sent >= HEARTBEAT_S:
            yield ": keep-alive\n\n"
            last_sent = now
        if ended:
            yield _event("end", {"id": run_id, "state": snap.run.state})
            return
        await asyncio.sleep(TICK_S)
