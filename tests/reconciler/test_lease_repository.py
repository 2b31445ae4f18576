"""The lease repositories of ``winnow_common.lifecycle`` on the real database (the reconciler's
own, see conftest): one live attempt per run, fencing of a zombie, idempotent results, hand-back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.reconciler.conftest import RUNS, World
from winnow_common.db.models import Run, RunArtifact, RunAttempt, Sample, ScheduledRun, Tag
from winnow_common.enums import AttemptOutcome, RunState, ScheduledRunState
from winnow_common.errors import LeaseLost
from winnow_common.lifecycle import attempts, results
from winnow_common.lifecycle.attempts import claim_process_run

RESULT = results.WorkerStageResult(
    selected=["b.png", "a.png"], n_input=3, model_trained=False, model_description="test model"
)


def _tags(world: World, run_id: str) -> list[Tag]:
    with world.sessions() as session:
        return list(session.scalars(select(Tag).where(Tag.run_id == run_id)))


def test_a_live_lease_cannot_be_claimed_twice(world: World) -> None:
    scheduled_id = world.scheduled()
    first = world.claim(scheduled_id)
    with world.sessions.begin() as session:
        duplicate = claim_process_run(session, scheduled_id, "other@host:2", None, RUNS)
    assert duplicate is None  # a duplicate message finds nothing to claim
    with world.sessions.begin() as session:
        assert attempts.renew(session, first.attempt_id, RUNS, (RunState.EMBEDDING, "Embedded"))
    assert world.get(Run, first.run_id).state == RunState.EMBEDDING.value


def test_a_zombie_whose_lease_was_taken_over_writes_nothing(world: World) -> None:
    scheduled_id = world.scheduled()
    zombie = world.claim(scheduled_id)
    world.expire(zombie.run_id)
    successor = world.claim(scheduled_id)  # takes the expired lease over
    assert successor.number == 2

    with world.sessions.begin() as session:
        # The zombie's heartbeat fails: it must stop computing.
        assert not attempts.renew(session, zombie.attempt_id, RUNS)
    with pytest.raises(LeaseLost), world.sessions.begin() as session:
        results.finish_worker_stage(session, zombie.attempt_id, RESULT, None)
    assert _tags(world, zombie.run_id) == []
    with world.sessions() as session:
        first = session.get(RunAttempt, zombie.attempt_id)
        assert first is not None and first.outcome == AttemptOutcome.LOST.value


def test_recorded_results_are_idempotent_one_selection_tag(world: World) -> None:
    scheduled_id = world.scheduled()
    claim = world.claim(scheduled_id)
    # The selection recorded once already (as by a retried transaction), then the whole result.
    with world.sessions.begin() as session:
        results.record_selection(session, claim.run_id, RESULT)
        results.register_result_artifacts(session, claim.run_id, RESULT)
    with world.sessions.begin() as session:
        message = results.finish_worker_stage(session, claim.attempt_id, RESULT, "log/key.txt")
    assert message.entity_id == claim.run_id

    [tag] = _tags(world, claim.run_id)
    assert tag.name == "initial-tag" and tag.run_selection and tag.bit_mask_data == "0x3"
    with world.sessions() as session:
        run = session.get(Run, claim.run_id)
        assert run is not None and run.state == RunState.GENERATING_REPORT.value
        samples = session.scalars(select(Sample).where(Sample.dataset_id == run.dataset_id))
        assert sorted(s.file_name for s in samples) == ["a.png", "b.png"]
        kinds = session.scalars(select(RunArtifact.type).where(RunArtifact.run_id == run.id))
        assert sorted(kinds) == ["CORRUPTNESS_CHECK_INFORMATION", "LOG"]
    # The stage is done: a late duplicate message claims nothing.
    with world.sessions.begin() as session:
        assert claim_process_run(session, scheduled_id, "late@host:3", None, RUNS) is None


def test_a_handed_back_run_is_open_again_and_not_a_crash(world: World) -> None:
    scheduled_id = world.scheduled()
    claim = world.claim(scheduled_id)
    with world.sessions.begin() as session:
        message = attempts.hand_back(session, claim.attempt_id, "worker shutting down")
    assert message.entity_id == scheduled_id
    assert world.get(ScheduledRun, scheduled_id).state == ScheduledRunState.OPEN.value
    with world.sessions() as session:
        assert attempts.crash_count(session, claim.run_id) == 0
    again = world.claim(scheduled_id)
    assert again.number == 2 and again.redone_stages == [RunState.STARTED.value]
