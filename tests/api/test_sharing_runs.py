"""Sharing reaches a run's attempts and checkpoint: a collaborator of a shared dataset lists the
attempts of the owner's run (GET /v1/docker/runs/{id}/attempts) and a collaborator's run may
start from the owner's run's checkpoint (``checkpointRunId``, the worker's database hooks); a
stranger gets the 404 of a missing run and a PipelineError naming ``checkpointRunId``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser, make_user
from tests.api.helpers import (
    create_dataset,
    insert_run,
    make_bucket,
    s3_client,
    set_real_obs,
)
from winnow_common.db.models import (
    RunArtifact,
    RunAttempt,
    User,
)
from winnow_common.db.session import session_factory
from winnow_common.errors import PipelineError
from winnow_common.ids import now_ms
from winnow_gpu_worker.run_hooks import database_hooks

CHECKPOINT = b"checkpoint bytes \x00\x01\x02"


@dataclass
class SharedRun:
    """The owner's COMPLETED run (two attempts, a CHECKPOINT artifact) on a shared dataset."""

    owner: ApiUser
    collaborator: ApiUser
    stranger: ApiUser
    run_id: str


def _user_id(user: ApiUser) -> str:
    with session_factory().begin() as session:
        row = session.query(User).filter(User.email == user.email).one()
        return row.id


def _insert_run(dataset_id: str, bucket: str) -> str:
    """A COMPLETED run of the owner with two attempts and a CHECKPOINT in the LIGHTLY bucket."""
    with session_factory().begin() as session:
        run = insert_run(session, dataset_id)
        now = now_ms()
        for number, (task, outcome) in enumerate(
            [("gpu.process_run", "DONE"), ("reports.render_report", "DONE")], start=1
        ):
            session.add(
                RunAttempt(
                    run_id=run.id, number=number, task=task, holder=f"node-{number}",
                    started_at=now + number, heartbeat_at=now + number,
                    expires_at=now + 60_000, ended_at=now + 10 + number, outcome=outcome,
                    stage="COMPLETED",
                )
            )  # fmt: skip
        key = f".lightly/runs/{run.id}/checkpoint.ckpt"
        s3_client().put_object(Bucket=bucket, Key=f"lightly/{key}", Body=CHECKPOINT)
        session.add(
            RunArtifact(
                run_id=run.id, type="CHECKPOINT", file_name="checkpoint.ckpt", storage_key=key,
                created_at=now,
            )
        )  # fmt: skip
        return run.id


@pytest.fixture
def shared_run(client: TestClient, migrated_db: str) -> SharedRun:
    owner, collaborator, stranger = make_user(), make_user(), make_user()
    dataset_id = create_dataset(client, owner.params, f"runs-{uuid.uuid4().hex[:8]}")
    bucket = make_bucket({"in/a.png": b"a"})
    set_real_obs(client, owner.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    set_real_obs(client, owner.params, dataset_id, "LIGHTLY", f"obs://{bucket}/lightly")
    run_id = _insert_run(dataset_id, bucket)
    response = client.post(
        f"/v1/datasets/{dataset_id}/collaboration/access",
        params=owner.params,
        json={"accessType": "WRITE", "users": [collaborator.email], "creator": "USER_PIP"},
    )
    assert response.status_code == 201, response.text
    return SharedRun(owner, collaborator, stranger, run_id)


def test_collaborator_lists_the_owners_run_attempts(
    client: TestClient, shared_run: SharedRun
) -> None:
    path = f"/v1/docker/runs/{shared_run.run_id}/attempts"
    as_owner = client.get(path, params=shared_run.owner.params)
    assert as_owner.status_code == 200, as_owner.text
    as_collaborator = client.get(path, params=shared_run.collaborator.params)
    assert as_collaborator.status_code == 200, as_collaborator.text
    attempts = as_collaborator.json()
    assert attempts == as_owner.json()
    assert [(a["number"], a["task"], a["holder"], a["outcome"]) for a in attempts] == [
        (1, "gpu.process_run", "node-1", "DONE"),
        (2, "reports.render_report", "node-2", "DONE"),
    ]
    as_stranger = client.get(path, params=shared_run.stranger.params)
    assert as_stranger.status_code == 404
    assert as_stranger.json()["error"].startswith("runId:")


def test_collaborator_run_reads_the_owners_checkpoint(shared_run: SharedRun) -> None:
    collaborator_hooks = database_hooks(session_factory, _user_id(shared_run.collaborator))
    assert collaborator_hooks.run_checkpoint(shared_run.run_id) == CHECKPOINT
    owner_hooks = database_hooks(session_factory, _user_id(shared_run.owner))
    assert owner_hooks.run_checkpoint(shared_run.run_id) == CHECKPOINT
    stranger_hooks = database_hooks(session_factory, _user_id(shared_run.stranger))
    with pytest.raises(PipelineError, match=f"checkpointRunId {shared_run.run_id}: no such run"):
        stranger_hooks.run_checkpoint(shared_run.run_id)
