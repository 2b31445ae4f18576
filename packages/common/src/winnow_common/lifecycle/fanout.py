"""A run's EMBEDDING spread over several GPU workers: the attempt's side and the shards' side.

The attempt that reaches EMBEDDING with several shards left may hand the run back as a
*fan-out* (:func:`hand_out`): its attempt ends HANDED_BACK (not a crash) with a detail that
says so, the scheduled run is OPEN again, and instead of a plain ``gpu.process_run`` the worker
publishes a chord of ``gpu.embed_shard`` tasks whose callback is that ``gpu.process_run``. A run
fans out at most once (:func:`fanned_out_before`): whatever shard is still missing when the next
attempt claims it (a shard task lost, failed or interrupted; the chord never fired and the
reconciler re-published the run) is embedded by that attempt itself.

A shard task holds no lease (the run is OPEN while the shards are embedded). It reads what it
needs with :func:`shard_target` and keeps the run's wake-up fresh with :func:`touch`, so the
reconciler does not re-publish a run whose shards are still being worked on.

Repository calls: they flush and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from winnow_common.db.models import Run, RunAttempt, ScheduledRun
from winnow_common.enums import AttemptOutcome, RunState, ScheduledRunState
from winnow_common.jobs.messages import ShardFanOut
from winnow_common.jobs.names import gpu_queue_for
from winnow_common.lifecycle.attempts import AttemptInfo, db_now_ms, hand_back

# The detail of a fanned-out attempt starts with this (how a later attempt knows).
FANOUT_DETAIL = "EMBEDDING fanned out"


def fanout_detail(n_shards: int, count: int) -> str:
    """The fanned-out attempt's detail: ``EMBEDDING fanned out: 5 of 6 shards to the workers``."""
    return f"{FANOUT_DETAIL}: {n_shards} of {count} shards to the GPU workers"


def fanned_out_before(previous: Iterable[AttemptInfo]) -> bool:
    """Whether an earlier attempt of the run already fanned its EMBEDDING out."""
    return any(
        a.outcome == AttemptOutcome.HANDED_BACK.value and (a.detail or "").startswith(FANOUT_DETAIL)
        for a in previous
    )


def run_queue(session: Session, scheduled_run_id: str) -> str:
    """The queue the scheduled run's GPU work goes to (its ``runsOn`` label set)."""
    scheduled = session.get(ScheduledRun, scheduled_run_id)
    assert scheduled is not None
    return gpu_queue_for(scheduled.runs_on)


def hand_out(session: Session, attempt_id: str, shards: Iterable[int], count: int) -> ShardFanOut:
    """End the caller's attempt HANDED_BACK as a fan-out; the chord to send after the commit."""
    wanted = tuple(shards)
    message = hand_back(session, attempt_id, fanout_detail(len(wanted), count))
    run = session.scalar(select(Run).where(Run.scheduled_id == message.entity_id))
    if run is not None:
        run.message = f"Embedding {len(wanted)} of {count} shards on the GPU workers"
    session.flush()
    return ShardFanOut(
        message.task, message.entity_id, message.queue, message.priority, shards=wanted
    )


@dataclass(frozen=True)
class ShardTarget:
    """What a shard task needs of the database: the run, and the attempt that fanned it out."""

    run_id: str
    attempt: int
    user_id: str


def shard_target(session: Session, scheduled_run_id: str) -> ShardTarget | None:
    """The run a shard task works for, or None when it no longer wants shards.

    It wants them while it is not over (its scheduled run neither DONE nor CANCELED, the run
    not terminal) and no attempt of its GPU stage finished.
    """
    scheduled = session.get(ScheduledRun, scheduled_run_id)
    if scheduled is None or scheduled.state in (
        ScheduledRunState.DONE.value,
        ScheduledRunState.CANCELED.value,
    ):
        return None
    run = session.scalar(select(Run).where(Run.scheduled_id == scheduled_run_id))
    if run is None or RunState(run.state).is_terminal:
        return None
    if run.state == RunState.GENERATING_REPORT.value:
        return None  # the GPU stage is done
    number = session.scalar(select(func.max(RunAttempt.number)).where(RunAttempt.run_id == run.id))
    return ShardTarget(run.id, int(number or 0), run.user_id)


def touch(session: Session, scheduled_run_id: str) -> bool:
    """A shard task is working: the OPEN run's wake-up counts as just sent.

    Returns whether the run still wants shards (see :func:`shard_target`).
    """
    session.execute(
        update(ScheduledRun)
        .where(
            ScheduledRun.id == scheduled_run_id,
            ScheduledRun.state == ScheduledRunState.OPEN.value,
        )
        .values(published_at=db_now_ms(session))
    )
    return shard_target(session, scheduled_run_id) is not None
