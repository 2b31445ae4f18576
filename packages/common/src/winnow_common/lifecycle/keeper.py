"""The heartbeat of an attempt: a daemon thread renews its lease while the run computes.

The compute never waits for the database: state updates are handed to the keeper, which sends
the latest one with the next renewal. If the lease cannot be renewed (the database is gone for
most of a lease timeout, or the reconciler ended the attempt), the keeper marks it lost and
``check()`` stops the run at its next safe point, before anyone else can take it over.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import RunSettings
from winnow_common.enums import RunState
from winnow_common.errors import HandBackRequested, LeaseLost
from winnow_common.lifecycle.attempts import renew
from winnow_common.lifecycle.retry import is_transient
from winnow_common.lifecycle.shutdown import shutdown_requested

log = logging.getLogger(__name__)

# The holder gives up this share of the lease timeout after its last successful renewal, so it
# has stopped before the lease expires in the database and another attempt may start.
SELF_STOP_SHARE = 0.8


class LeaseKeeper:
    """Renews ``attempt_id`` every ``heartbeat_interval_s``; carries the run's latest state."""

    def __init__(
        self, sessions: sessionmaker[Session], attempt_id: str, settings: RunSettings
    ) -> None:
        self.sessions = sessions
        self.attempt_id = attempt_id
        self.settings = settings
        self._lock = threading.Lock()
        self._pending: tuple[RunState, str] | None = None
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._lost: str | None = None
        self._last_ok = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name=f"lease-{attempt_id}", daemon=True)

    def start(self) -> LeaseKeeper:
        """Start the heartbeat thread; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop heartbeating (the attempt is ended by its holder's final transaction)."""
        self._stopped.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.settings.heartbeat_interval_s + 5)

    @property
    def lost_reason(self) -> str | None:
        """Why the lease was lost (None while it holds)."""
        return self._lost

    def report(self, state: RunState, message: str) -> None:
        """Record the run's state; written with the next renewal (soon: the thread is woken)."""
        with self._lock:
            self._pending = (state, message)
        self._wake.set()

    def check(self) -> None:
        """Raise ``LeaseLost`` or ``HandBackRequested`` when the run must stop here."""
        if self._lost is not None:
            raise LeaseLost(self._lost)
        reason = shutdown_requested()
        if reason is not None:
            raise HandBackRequested(reason)

    def beat(self) -> bool:
        """Renew once now; False when the lease is (or just became) lost."""
        with self._lock:
            pending = self._pending
        try:
            with self.sessions.begin() as session:
                ok = renew(session, self.attempt_id, self.settings, pending)
        except Exception as exc:
            if not is_transient(exc):
                log.exception("lease renewal of attempt %s failed", self.attempt_id)
            silent = time.monotonic() - self._last_ok
            if silent > self.settings.lease_timeout_s * SELF_STOP_SHARE:
                self._lose(
                    f"the lease could not be renewed for {silent:.0f}s "
                    f"({type(exc).__name__}: the database is unreachable)"
                )
                return False
            log.warning("lease renewal failed (%s); retrying", type(exc).__name__)
            return self._lost is None
        if not ok:
            self._lose("the attempt was ended by someone else (its lease had expired)")
            return False
        self._last_ok = time.monotonic()
        with self._lock:
            if self._pending is pending:
                self._pending = None
        return True

    def _lose(self, reason: str) -> None:
        if self._lost is None:
            log.error("attempt %s lost its lease: %s", self.attempt_id, reason)
            self._lost = reason

    def _loop(self) -> None:
        interval = self.settings.heartbeat_interval_s
        next_renewal = time.monotonic() + interval
        while not self._stopped.is_set():
            self._wake.wait(timeout=max(0.0, next_renewal - time.monotonic()))
            self._wake.clear()
            if self._stopped.is_set() or self._lost is not None:
                return
            self.beat()
            next_renewal = time.monotonic() + interval
