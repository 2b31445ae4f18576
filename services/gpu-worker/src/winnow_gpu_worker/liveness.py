"""This process's liveness: the registered worker's heartbeat and the graceful shutdown.

SIGTERM (Celery's warm shutdown, every deploy and pod eviction) asks the attempt in progress
to hand its run back at its next safe point. If it has not done so within
``RUN_SHUTDOWN_GRACE_S`` (a long step without safe points), a watchdog hands the run back from
here and ends the process, so the run is never left to wait for its lease to expire.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import RunSettings
from winnow_common.enums import ComputeWorkerState
from winnow_common.lifecycle.presence import WorkerPresence
from winnow_common.lifecycle.shutdown import request_shutdown

log = logging.getLogger(__name__)


@dataclass
class _Active:
    """The attempt this process works on, and how to hand it back without its cooperation."""

    attempt_id: str
    force_hand_back: Callable[[str], object]


_presence: list[WorkerPresence] = []
_active: list[_Active] = []
_lock = threading.Lock()


def start_presence(
    sessions: sessionmaker[Session], worker_id: str | None, settings: RunSettings
) -> None:
    """Start heartbeating for the registered worker (once per process)."""
    with _lock:
        if not _presence:
            _presence.append(WorkerPresence(sessions, worker_id, settings).start())


def set_presence_state(state: ComputeWorkerState) -> None:
    """IDLE / BUSY of the registered worker (no-op when not started)."""
    if _presence:
        _presence[0].set_state(state)


def stop_presence() -> None:
    """Stop heartbeating; the registered worker is OFFLINE."""
    with _lock:
        if _presence:
            _presence.pop().stop(ComputeWorkerState.OFFLINE)


def set_active(attempt_id: str, force_hand_back: Callable[[str], object]) -> None:
    """Register the attempt in progress (for the shutdown watchdog)."""
    with _lock:
        _active[:] = [_Active(attempt_id, force_hand_back)]


def clear_active(attempt_id: str) -> None:
    """The attempt ended (whatever way): nothing for the watchdog to hand back."""
    with _lock:
        _active[:] = [a for a in _active if a.attempt_id != attempt_id]


def begin_shutdown(reason: str, grace_s: float) -> None:
    """Ask the attempt to hand back; after ``grace_s`` hand it back forcibly and exit."""
    request_shutdown(reason)
    with _lock:
        busy = bool(_active)
    if not busy:
        return
    log.warning("%s: handing the run back (at most %.0fs)", reason, grace_s)
    timer = threading.Timer(grace_s, _force, args=(reason,))
    timer.daemon = True
    timer.start()


def _force(reason: str) -> None:
    with _lock:
        active = list(_active)
    if not active:
        return
    log.error("the run did not stop within the shutdown grace time; handing it back now")
    for attempt in active:
        try:
            attempt.force_hand_back(f"{reason} (forced after the grace time)")
        except Exception:
            log.exception("could not hand back attempt %s", attempt.attempt_id)
    stop_presence()
    logging.shutdown()
    os._exit(0)
