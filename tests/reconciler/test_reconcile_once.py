"""``reconcile_once`` on the real database and Redis: leases, workers, lost messages, outages."""

from __future__ import annotations

import socket
import uuid

import redis
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.reconciler.conftest import HOUR_MS, World, celery_on, messages_for
from winnow_common.config import RunSettings
from winnow_common.db.models import ComputeWorker, Run, RunAttempt, ScheduledRun, User
from winnow_common.enums import ComputeWorkerState, RunState, ScheduledRunState
from winnow_common.ids import now_ms
from winnow_common.jobs.messages import JobMessage, queued_entities
from winnow_common.jobs.names import Queue, TaskName

PROCESS = TaskName.PROCESS_RUN.value
REPORT = TaskName.RENDER_REPORT.value


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ids(messages: list[JobMessage], *mine: str) -> list[str]:
    """The entity ids of ``messages`` that are among ``mine`` (the database is shared by the
    tests of this folder: runs of earlier tests may be waiting too)."""
    return sorted(m.entity_id for m in messages if m.entity_id in mine)


def _attempts(world: World, run_id: str) -> list[RunAttempt]:
    with world.sessions() as session:
        rows = session.scalars(
            select(RunAttempt).where(RunAttempt.run_id == run_id).order_by(RunAttempt.number)
        )
        return list(rows)


def test_an_expired_lease_ends_lost_and_the_run_is_queued_again(world: World) -> None:
    scheduled_id = world.scheduled()
    claim = world.claim(scheduled_id)
    world.expire(claim.run_id)

    report = world.reconcile()

    [attempt] = _attempts(world, claim.run_id)
    assert attempt.outcome == "LOST" and attempt.ended_at is not None
    assert "lease expired" in (attempt.detail or "")
    assert world.get(ScheduledRun, scheduled_id).state == ScheduledRunState.OPEN.value
    run = world.get(Run, claim.run_id)
    assert run.state == RunState.STARTED.value and "Waiting for a worker" in run.message
    [expiry] = [e for e in report.expired if e.run_id == claim.run_id]
    assert expiry.attempt == 1 and expiry.stage == RunState.STARTED.value
    assert not expiry.run_failed
    assert _ids(report.requeued, scheduled_id) == [scheduled_id]
    assert (PROCESS, scheduled_id) in queued_entities(world.broker)
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value]
    assert not report.unsent and report.database_error is None

    # Nothing more to do: no second message, no second expiry.
    again = world.reconcile()
    assert not [e for e in again.expired if e.run_id == claim.run_id] and not _ids(
        again.republished, scheduled_id
    )
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value]

    # The next claim takes the run over as attempt 2.
    assert world.claim(scheduled_id).number == 2


def test_a_run_that_keeps_crashing_ends_failed_with_its_attempts(world: World) -> None:
    runs = RunSettings(lease_timeout_s=30, heartbeat_interval_s=5, max_attempts=2)
    scheduled_id = world.scheduled()
    claim = world.claim(scheduled_id, runs)
    world.expire(claim.run_id)
    first = world.reconcile(runs)
    assert _ids(first.requeued, scheduled_id) == [scheduled_id]

    world.broker.flushdb()
    second_claim = world.claim(scheduled_id, runs)
    assert second_claim.number == 2
    world.expire(claim.run_id)
    second = world.reconcile(runs)

    run = world.get(Run, claim.run_id)
    assert run.state == RunState.FAILED.value
    assert "after 2 crashed attempts (RUN_MAX_ATTEMPTS=2)" in run.message
    assert "attempt 1 (gpu.process_run on test-worker@host:1): LOST" in run.message
    assert "attempt 2 (gpu.process_run on test-worker@host:1): LOST" in run.message
    assert run.error_type == "AttemptsExhausted"
    assert world.get(ScheduledRun, scheduled_id).state == ScheduledRunState.DONE.value
    assert [e.run_failed for e in second.expired if e.run_id == claim.run_id] == [True]
    assert not _ids(second.requeued, scheduled_id)
    assert messages_for(world.broker, scheduled_id) == []


def test_a_worker_whose_heartbeat_stopped_goes_offline(world: World) -> None:
    with world.sessions.begin() as session:
        user = User(email=f"workers-{uuid.uuid4().hex}@winnow.test")
        session.add(user)
        session.flush()
        silent = ComputeWorker(
            user_id=user.id,
            name="silent",
            state=ComputeWorkerState.BUSY.value,
            labels=[],
            last_seen_at=now_ms() - HOUR_MS,
        )
        alive = ComputeWorker(
            user_id=user.id,
            name="alive",
            state=ComputeWorkerState.IDLE.value,
            labels=[],
            last_seen_at=now_ms(),
        )
        session.add_all([silent, alive])
        session.flush()
        silent_id, alive_id = silent.id, alive.id

    report = world.reconcile()

    assert [w for w in report.offline_workers if w in (silent_id, alive_id)] == [silent_id]
    assert world.get(ComputeWorker, silent_id).state == ComputeWorkerState.OFFLINE.value
    assert world.get(ComputeWorker, alive_id).state == ComputeWorkerState.IDLE.value
    assert silent_id not in world.reconcile().offline_workers  # already OFFLINE


def test_a_lost_message_is_published_again_exactly_once(world: World) -> None:
    scheduled_id = world.scheduled(published_ago_ms=HOUR_MS)
    never_sent = world.scheduled(published_ago_ms=None)
    fresh = world.scheduled(published_ago_ms=0)  # within the grace: its message may be on its way

    report = world.reconcile()

    assert _ids(report.republished, scheduled_id, never_sent, fresh) == sorted(
        [scheduled_id, never_sent]
    )
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value]
    assert messages_for(world.broker, never_sent) == [Queue.GPU.value]
    assert messages_for(world.broker, fresh) == []
    assert world.get(ScheduledRun, scheduled_id).published_at > now_ms() - 60_000

    # Even once the grace has passed again, a message the broker holds is not sent twice.
    world.age_publication(scheduled_id)
    again = world.reconcile()
    assert not _ids(again.republished, scheduled_id)
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value]


def test_a_run_whose_message_is_queued_is_left_alone(world: World) -> None:
    scheduled_id = world.scheduled(published_ago_ms=HOUR_MS)
    JobMessage(TaskName.PROCESS_RUN, scheduled_id, Queue.GPU.value, None).send(world.celery_app)

    report = world.reconcile()

    assert not _ids(report.republished, scheduled_id)
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value]


def test_a_run_waiting_for_its_report_gets_its_message_again(world: World) -> None:
    run_id = world.run_in_report_stage(report_published_ago_ms=HOUR_MS)

    report = world.reconcile()

    assert [m.task.value for m in report.republished if m.entity_id == run_id] == [REPORT]
    assert messages_for(world.broker, run_id) == [Queue.REPORTS.value]
    assert not _ids(world.reconcile().republished, run_id)


def test_with_redis_down_leases_still_expire_and_the_run_is_sent_later(world: World) -> None:
    scheduled_id = world.scheduled()
    claim = world.claim(scheduled_id)
    world.expire(claim.run_id)
    waiting = world.scheduled(published_ago_ms=HOUR_MS)  # its message may be lost: ask Redis
    port = _closed_port()
    dead_url = f"redis://127.0.0.1:{port}/0"
    dead_broker = redis.Redis.from_url(dead_url, socket_connect_timeout=1, socket_timeout=1)
    dead_app = celery_on(dead_url)
    try:
        report = world.reconcile(celery_app=dead_app, broker=dead_broker)
    finally:
        dead_app.close()

    [attempt] = _attempts(world, claim.run_id)
    assert attempt.outcome == "LOST"
    assert claim.run_id in [e.run_id for e in report.expired]
    assert _ids(report.unsent, scheduled_id) == [scheduled_id]
    assert report.broker_error is not None and report.database_error is None
    assert world.get(ScheduledRun, scheduled_id).state == ScheduledRunState.OPEN.value
    # Not marked as published: Redis could not say whether it holds the message.
    assert not _ids(report.republished, waiting)
    assert world.get(ScheduledRun, waiting).published_at < now_ms() - HOUR_MS + 60_000

    # Redis is back (its queue empty): the waiting run is published at once, the re-queued
    # one once the grace since its (failed) publication has passed.
    back = world.reconcile()
    assert _ids(back.republished, scheduled_id, waiting) == [waiting]
    world.age_publication(scheduled_id)
    later = world.reconcile()
    assert _ids(later.republished, scheduled_id, waiting) == [scheduled_id]
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value]
    assert messages_for(world.broker, waiting) == [Queue.GPU.value]


def test_with_postgres_down_the_pass_only_reports_it(world: World) -> None:
    from sqlalchemy import create_engine

    port = _closed_port()
    engine = create_engine(
        f"postgresql+psycopg://winnow:winnow@127.0.0.1:{port}/winnow",
        connect_args={"connect_timeout": 2},
    )
    try:
        report = world.reconcile(sessions=sessionmaker(bind=engine))
    finally:
        engine.dispose()
    assert report.database_error is not None
    assert "OperationalError" in report.database_error
    assert not report.expired and not report.republished
