"""The reconciler re-publishes a WAITING platform job (sampling, 2-D projection) whose message
the broker lost, once, and leaves running, finished and freshly sent ones alone."""

from __future__ import annotations

import uuid

from tests.reconciler.conftest import HOUR_MS, World, messages_for
from winnow_common.db.models import Dataset, Job, User
from winnow_common.ids import now_ms
from winnow_common.jobs.names import Queue, TaskName


def _job(world: World, state: str, published_ago_ms: int) -> str:
    with world.sessions.begin() as session:
        user = User(email=f"jobs-{uuid.uuid4().hex}@winnow.test")
        session.add(user)
        session.flush()
        dataset = Dataset(user_id=user.id, name="platform jobs")
        session.add(dataset)
        session.flush()
        job = Job(
            dataset_id=dataset.id,
            user_id=user.id,
            type="SAMPLING",
            state=state,
            request={},
            published_at=now_ms() - published_ago_ms,
        )
        session.add(job)
        session.flush()
        return job.id


def test_a_waiting_job_whose_message_was_lost_is_published_again_once(world: World) -> None:
    lost = _job(world, "WAITING", HOUR_MS)
    fresh = _job(world, "WAITING", 0)
    running = _job(world, "RUNNING", HOUR_MS)
    finished = _job(world, "FINISHED", HOUR_MS)

    report = world.reconcile()

    mine = {lost, fresh, running, finished}
    assert [(m.task, m.entity_id) for m in report.republished if m.entity_id in mine] == [
        (TaskName.PLATFORM_JOB, lost)
    ]
    assert messages_for(world.broker, lost) == [Queue.GPU.value]
    assert all(messages_for(world.broker, j) == [] for j in (fresh, running, finished))
    assert world.get(Job, lost).published_at > now_ms() - 60_000
    # The broker holds it now: a later pass does not send it twice.
    with world.sessions.begin() as session:
        job = session.get(Job, lost)
        assert job is not None
        job.published_at = now_ms() - HOUR_MS
    assert lost not in {m.entity_id for m in world.reconcile().republished}
    assert messages_for(world.broker, lost) == [Queue.GPU.value]
