"""``lastSeen`` of a registered worker: a daemon thread writes its state every heartbeat.

The reconciler marks a worker OFFLINE when this stops for a lease timeout (process killed,
machine gone). A worker marked OFFLINE during a database outage puts itself back on the next
beat.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import RunSettings
from winnow_common.db.repositories import workers as worker_repo
from winnow_common.enums import ComputeWorkerState
from winnow_common.lifecycle.attempts import db_now_ms

log = logging.getLogger(__name__)


class WorkerPresence:
    """Heartbeats of one registered worker (a no-op without a worker id)."""

    def __init__(
        self, sessions: sessionmaker[Session], worker_id: str | None, settings: RunSettings
    ) -> None:
        self.sessions = sessions
        self.worker_id = worker_id
        self.settings = settings
        self.state = ComputeWorkerState.IDLE
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="worker-presence", daemon=True)

    def start(self) -> WorkerPresence:
        """Start beating (only for a registered worker)."""
        if self.worker_id is not None:
            self._thread.start()
        return self

    def set_state(self, state: ComputeWorkerState) -> None:
        """IDLE / BUSY; written at once (best effort) and with every beat."""
        self.state = state
        self._wake.set()

    def stop(self, final: ComputeWorkerState = ComputeWorkerState.OFFLINE) -> None:
        """Stop beating and record ``final`` (a graceful shutdown is OFFLINE)."""
        self._stopped.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.state = final
        self.beat()

    def beat(self) -> bool:
        """Write lastSeen and the state once; False when the database did not answer."""
        if self.worker_id is None:
            return True
        try:
            with self.sessions.begin() as session:
                now = db_now_ms(session)
                worker_repo.record_heartbeat(session, self.worker_id, self.state, now)
        except Exception as exc:
            log.warning("could not record the heartbeat of worker %s: %s", self.worker_id, exc)
            return False
        return True

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self.beat()
            self._wake.wait(timeout=self.settings.heartbeat_interval_s)
            self._wake.clear()
