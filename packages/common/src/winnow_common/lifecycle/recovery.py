"""What the reconciler asks of the database: expired leases, silent workers, lost messages.

Repository calls (flush only). Rows are locked with ``SKIP LOCKED`` so that two reconcilers, or
a reconciler and a claiming worker, never act on the same run at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from winnow_common.config import RunSettings
from winnow_common.db.models import Run, RunAttempt, ScheduledRun
from winnow_common.db.repositories import jobs as job_repo
from winnow_common.db.repositories import workers as worker_repo
from winnow_common.enums import AttemptOutcome, RunState, ScheduledRunState
from winnow_common.jobs.messages import JobMessage
from winnow_common.jobs.names import Queue, TaskName, gpu_queue_for, message_priority
from winnow_common.lifecycle.attempts import (
    attempts_left,
    db_now_ms,
    end_attempt,
    mark_offline_if_idle,
    requeue,
)


@dataclass(frozen=True)
class LeaseExpiry:
    """An attempt whose lease expired, and the state its run was left in."""

    run_id: str
    attempt: int
    task: str
    stage: str | None
    run_state: str

    @property
    def run_failed(self) -> bool:
        """Whether the run ended FAILED (its crashes used up every attempt)."""
        return self.run_state == RunState.FAILED.value


def expire_leases(
    session: Session, settings: RunSettings
) -> tuple[list[LeaseExpiry], list[JobMessage]]:
    """End every open attempt whose lease expired as LOST; queue its stage again or fail the run.

    A run whose crashes used up ``max_attempts`` ends FAILED with its attempt history. Returns
    what expired and the messages to send once the transaction committed.
    """
    now = db_now_ms(session)
    expired = session.scalars(
        select(RunAttempt)
        .where(RunAttempt.ended_at.is_(None), RunAttempt.expires_at < now)
        .with_for_update(skip_locked=True)
    ).all()
    expiries: list[LeaseExpiry] = []
    out: list[JobMessage] = []
    for attempt in expired:
        silent = (now - attempt.heartbeat_at) / 1000
        end_attempt(
            session,
            attempt,
            AttemptOutcome.LOST,
            f"lease expired: no heartbeat from {attempt.holder} for {silent:.0f}s "
            "(the process died, hung or lost the database)",
            now,
        )
        mark_offline_if_idle(session, attempt.worker_id)
        run = session.get(Run, attempt.run_id)
        live = run is not None and not RunState(run.state).is_terminal
        if run is not None and live and attempts_left(session, run, settings):
            out.append(requeue(session, run, attempt))
        state = run.state if run is not None else "?"
        expiries.append(
            LeaseExpiry(attempt.run_id, attempt.number, attempt.task, attempt.stage, state)
        )
    return expiries, out


def mark_silent_workers_offline(session: Session, settings: RunSettings) -> list[str]:
    """Registered workers whose heartbeat stopped for a lease timeout are OFFLINE; their ids."""
    cutoff = db_now_ms(session) - int(settings.lease_timeout_s * 1000)
    return worker_repo.mark_silent_offline(session, cutoff)


def waiting_runs(session: Session, grace_s: float) -> list[JobMessage]:
    """Runs waiting for a message that was last sent more than ``grace_s`` ago.

    OPEN scheduled runs wait for a GPU worker; runs in GENERATING_REPORT with no open attempt
    wait for the reporter; WAITING platform jobs wait for a GPU worker. The caller checks
    which of them the broker no longer holds.
    """
    cutoff = db_now_ms(session) - int(grace_s * 1000)
    out: list[JobMessage] = []
    open_runs = session.scalars(
        select(ScheduledRun).where(
            ScheduledRun.state == ScheduledRunState.OPEN.value,
            or_(ScheduledRun.published_at.is_(None), ScheduledRun.published_at < cutoff),
        )
    )
    for scheduled in open_runs:
        out.append(
            JobMessage(
                TaskName.PROCESS_RUN,
                scheduled.id,
                gpu_queue_for(scheduled.runs_on),
                message_priority(scheduled.priority),
            )
        )
    has_open_attempt = (
        select(RunAttempt.id)
        .where(RunAttempt.run_id == Run.id, RunAttempt.ended_at.is_(None))
        .exists()
    )
    reports = session.scalars(
        select(Run).where(
            Run.state == RunState.GENERATING_REPORT.value,
            ~has_open_attempt,
            or_(Run.report_published_at.is_(None), Run.report_published_at < cutoff),
        )
    )
    for run in reports:
        out.append(JobMessage(TaskName.RENDER_REPORT, run.id, Queue.REPORTS.value, None))
    # WAITING platform jobs (sampling, 2-D projections) wait for a GPU worker, first in line.
    for job in job_repo.waiting(session, cutoff):
        out.append(JobMessage(TaskName.PLATFORM_JOB, job.id, Queue.GPU.value, 0))
    return out


def mark_published(session: Session, items: list[JobMessage]) -> None:
    """Record that these messages are (about to be) sent again."""
    now = db_now_ms(session)
    process = [i.entity_id for i in items if i.task is TaskName.PROCESS_RUN]
    report = [i.entity_id for i in items if i.task is TaskName.RENDER_REPORT]
    platform = [i.entity_id for i in items if i.task is TaskName.PLATFORM_JOB]
    if platform:
        job_repo.mark_published(session, platform, now)
    if process:
        session.execute(
            update(ScheduledRun)
            .where(
                and_(
                    ScheduledRun.id.in_(process),
                    ScheduledRun.state == ScheduledRunState.OPEN.value,
                )
            )
            .values(published_at=now)
        )
    if report:
        session.execute(update(Run).where(Run.id.in_(report)).values(report_published_at=now))
