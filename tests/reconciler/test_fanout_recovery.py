"""A fanned-out EMBEDDING and the reconciler, on the real Postgres and Redis.

While a run's shard tasks wait in the broker they are its wake-up (nothing is re-published);
a shard task at work keeps the run's publication fresh; a run whose chord was lost is
re-published as a plain ``gpu.process_run``, and its next attempt fans out no more.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from celery import Celery

from tests.reconciler.conftest import World, celery_on, messages_for
from winnow_common.db.models import Run, RunAttempt, ScheduledRun
from winnow_common.enums import AttemptOutcome, ScheduledRunState
from winnow_common.ids import now_ms
from winnow_common.jobs.names import Queue, TaskName
from winnow_common.lifecycle import fanout


@pytest.fixture
def chord_app(broker_url: str) -> Iterator[Celery]:
    """The GPU worker's app as far as sending goes: a chord needs the Redis result backend."""
    app = celery_on(broker_url)
    app.conf.result_backend = broker_url
    yield app
    app.close()


def _tasks_for(world: World, entity_id: str) -> list[str]:
    names = []
    for key in world.broker.scan_iter(match=f"{Queue.GPU.value}*", count=500):
        if world.broker.type(key) != b"list":
            continue
        for raw in world.broker.lrange(key, 0, -1):
            envelope = json.loads(raw)
            if entity_id in envelope["headers"]["argsrepr"] + envelope["headers"]["kwargsrepr"]:
                names.append(envelope["headers"]["task"])
    return sorted(names)


def test_a_fanned_out_run_waits_for_its_shards_and_is_recovered_when_they_are_lost(
    world: World, chord_app: Celery
) -> None:
    scheduled_id = world.scheduled()
    claim = world.claim(scheduled_id)
    with world.sessions.begin() as session:
        message = fanout.hand_out(session, claim.attempt_id, [1, 2, 3], 4)
    message.send(chord_app)

    attempt = world.get(RunAttempt, claim.attempt_id)
    assert attempt.outcome == AttemptOutcome.HANDED_BACK.value
    assert attempt.detail == "EMBEDDING fanned out: 3 of 4 shards to the GPU workers"
    assert world.get(ScheduledRun, scheduled_id).state == ScheduledRunState.OPEN.value
    assert world.get(Run, claim.run_id).message == "Embedding 3 of 4 shards on the GPU workers"
    # Three shard tasks on the run's queue; the callback waits in the result backend.
    assert _tasks_for(world, scheduled_id) == [TaskName.EMBED_SHARD.value] * 3
    assert messages_for(world.broker, scheduled_id) == [Queue.GPU.value] * 3

    # Queued shard tasks are the run's wake-up: nothing is re-published.
    world.age_publication(scheduled_id)
    assert not [m for m in world.reconcile().republished if m.entity_id == scheduled_id]

    # A shard task at work (its message taken) keeps the publication fresh.
    world.broker.flushdb()
    with world.sessions.begin() as session:
        target = fanout.shard_target(session, scheduled_id)
        assert target is not None and (target.run_id, target.attempt) == (claim.run_id, 1)
        world.age_publication(scheduled_id)
        assert fanout.touch(session, scheduled_id)
    assert world.get(ScheduledRun, scheduled_id).published_at > now_ms() - 60_000
    assert not [m for m in world.reconcile().republished if m.entity_id == scheduled_id]

    # The shards and the chord are lost (a worker died, Redis restarted): once the grace has
    # passed the run's own message is sent again, and its next attempt knows it fanned out.
    world.age_publication(scheduled_id)
    republished = [m for m in world.reconcile().republished if m.entity_id == scheduled_id]
    assert [m.task for m in republished] == [TaskName.PROCESS_RUN]
    assert _tasks_for(world, scheduled_id) == [TaskName.PROCESS_RUN.value]
    second = world.claim(scheduled_id)
    assert second.number == 2 and fanout.fanned_out_before(second.previous)

    # Once the run is over (canceled here), a late shard task is told so.
    with world.sessions.begin() as session:
        session.get(ScheduledRun, scheduled_id).state = ScheduledRunState.CANCELED.value
    with world.sessions.begin() as session:
        assert fanout.shard_target(session, scheduled_id) is None
        assert not fanout.touch(session, scheduled_id)
