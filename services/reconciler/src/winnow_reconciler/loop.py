"""One reconciler pass, and the loop that repeats it.

A pass has three steps, each in its own short transaction; messages are sent only after the
transaction that decided them has committed (a message is a wake-up, never the state):

a. leases that expired end LOST; their runs are queued again, or FAILED once their crashes
   used up ``RUN_MAX_ATTEMPTS``;
b. registered workers whose heartbeat stopped for a lease timeout become OFFLINE;
c. runs waiting for a message last sent more than ``RECONCILER_REPUBLISH_GRACE_S`` ago whose
   message the broker no longer holds are published again.

A message the broker refuses is not lost: Postgres still says the run waits, so step (c) of a
later pass sends it again. With Redis down, (a) and (b) still happen; with Postgres down, the
pass logs one warning and does nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import ReconcilerSettings, RunSettings
from winnow_common.enums import RunState
from winnow_common.jobs.messages import JobMessage, queued_entities, send_all
from winnow_common.lifecycle.recovery import (
    LeaseExpiry,
    expire_leases,
    mark_published,
    mark_silent_workers_offline,
    waiting_runs,
)

log = logging.getLogger("winnow_reconciler")


@dataclass
class ReconcileReport:
    """What one pass did (and what it could not do)."""

    expired: list[LeaseExpiry] = field(default_factory=list)
    requeued: list[JobMessage] = field(default_factory=list)
    offline_workers: list[str] = field(default_factory=list)
    republished: list[JobMessage] = field(default_factory=list)
    unsent: list[JobMessage] = field(default_factory=list)
    database_error: str | None = None
    broker_error: str | None = None

    @property
    def did_something(self) -> bool:
        """Whether the pass changed anything (or failed to)."""
        return bool(
            self.expired
            or self.requeued
            or self.offline_workers
            or self.republished
            or self.unsent
            or self.database_error
            or self.broker_error
        )


def _describe(message: JobMessage) -> str:
    return f"{message.task.value} {message.entity_id}"


def _terminal(state: str) -> bool:
    try:
        return RunState(state).is_terminal
    except ValueError:
        return True  # the run is gone


def _lost_messages(session: Session, redis_client: Any, grace_s: float) -> list[JobMessage]:
    """Step (c)'s question: waiting runs whose message the broker does not hold."""
    waiting = waiting_runs(session, grace_s)
    if not waiting:
        return []
    queued = queued_entities(redis_client)  # raises when Redis is down
    return [m for m in waiting if (m.task.value, m.entity_id) not in queued]


def reconcile_once(
    session_factory: sessionmaker[Session],
    celery_app: Celery,
    redis_client: Any,
    run_settings: RunSettings,
    reconciler_settings: ReconcilerSettings,
) -> ReconcileReport:
    """One pass of steps (a), (b) and (c); never raises for an outage of Postgres or Redis."""
    report = ReconcileReport()
    try:
        # (a) expired leases -> LOST; the run queued again or FAILED.
        with session_factory.begin() as session:
            report.expired, report.requeued = expire_leases(session, run_settings)
        report.unsent += send_all(celery_app, report.requeued)
        # (b) silent registered workers -> OFFLINE.
        with session_factory.begin() as session:
            report.offline_workers = mark_silent_workers_offline(session, run_settings)
        # (c) lost messages -> published again.
        grace = reconciler_settings.republish_grace_s
        try:
            with session_factory.begin() as session:
                lost = _lost_messages(session, redis_client, grace)
                mark_published(session, lost)
        except DBAPIError:
            raise
        except Exception as exc:  # the broker is down: Postgres keeps the runs waiting
            report.broker_error = f"{type(exc).__name__}: {exc}"
        else:
            report.republished = lost
            report.unsent += send_all(celery_app, lost)
    except DBAPIError as exc:
        report.database_error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    _log_report(report, run_settings, reconciler_settings)
    return report


def _log_report(
    report: ReconcileReport, run_settings: RunSettings, reconciler_settings: ReconcilerSettings
) -> None:
    for item in report.expired:
        where = f" in {item.stage}" if item.stage else ""
        if item.run_failed:
            log.info(
                "run %s FAILED: attempt %d (%s) lost its lease%s and the run used up its "
                "%d attempts",
                item.run_id,
                item.attempt,
                item.task,
                where,
                run_settings.max_attempts,
            )
        elif _terminal(item.run_state):
            log.info(
                "attempt %d of run %s lost its lease (the run is %s)",
                item.attempt,
                item.run_id,
                item.run_state,
            )
        else:
            log.info(
                "re-queued run %s (attempt %d) after lease expired: attempt %d (%s) lost%s",
                item.run_id,
                item.attempt + 1,
                item.attempt,
                item.task,
                where,
            )
    for worker_id in report.offline_workers:
        log.info(
            "worker %s is OFFLINE: no heartbeat for over %.0fs",
            worker_id,
            run_settings.lease_timeout_s,
        )
    if report.republished:
        count = len(report.republished)
        log.info(
            "re-published %d lost message%s (waiting for over %.0fs, not in the broker): %s",
            count,
            "" if count == 1 else "s",
            reconciler_settings.republish_grace_s,
            ", ".join(_describe(m) for m in report.republished),
        )
    if report.unsent:
        log.warning(
            "broker refused %d message(s); they are sent again on a later pass: %s",
            len(report.unsent),
            ", ".join(_describe(m) for m in report.unsent),
        )
    if report.broker_error:
        log.warning("broker unreachable, lost messages not checked: %s", report.broker_error)
    if report.database_error:
        log.warning("database unreachable, pass skipped: %s", report.database_error)


def _touch(path: Path | None) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        log.warning("could not touch the health file %s: %s", path, exc)


def health_ok(path: Path, interval_s: float, now: float | None = None) -> bool:
    """Whether the loop touched ``path`` recently (within 3 intervals, at least 30 s)."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age <= max(30.0, 3 * interval_s)


def run_forever(
    session_factory: sessionmaker[Session],
    celery_app: Celery,
    redis_client: Any,
    run_settings: RunSettings,
    reconciler_settings: ReconcilerSettings,
    stop: threading.Event,
    health_file: Path | None = None,
) -> None:
    """Run a pass every ``interval_s`` until ``stop`` is set; no error ends the loop.

    ``health_file`` (optional) is touched after every pass, failed ones included: it says the
    loop is alive, not that the servers are (see :func:`health_ok`).
    """
    interval = reconciler_settings.interval_s
    log.info(
        "reconciler started: a pass every %.1fs, lease timeout %.0fs, re-publish grace %.0fs, "
        "at most %d crashed attempts per run",
        interval,
        run_settings.lease_timeout_s,
        reconciler_settings.republish_grace_s,
        run_settings.max_attempts,
    )
    while not stop.is_set():
        started = time.monotonic()
        try:
            reconcile_once(
                session_factory, celery_app, redis_client, run_settings, reconciler_settings
            )
        except Exception:  # a bug must not stop the loop; the next pass tries again
            log.exception("reconciler pass failed")
        _touch(health_file)
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
    log.info("reconciler stopped")
