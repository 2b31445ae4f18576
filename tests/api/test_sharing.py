"""Sharing grants access: a collaborator (email in the WRITE config) reads the dataset and its
datasource, tags, runs, artifacts, samples and exports and writes its contents; only the owner
deletes it, changes its datasources or its sharing (403); revoking takes effect on the next
request; anyone else gets the 404 of a missing dataset."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser, GpuQueue, make_user
from tests.api.helpers import (
    DIVERSITY,
    create_config,
    create_dataset,
    insert_run,
    insert_samples,
    insert_tag,
    make_bucket,
    s3_client,
    set_real_obs,
)
from winnow_common.db.models import Dataset, Run, RunArtifact, ScheduledRun
from winnow_common.db.session import session_factory
from winnow_common.ids import now_ms

NAMES = ["a.png", "b.png", "c.png"]
LOG = b"run log\n"


@dataclass
class Shared:
    """An owner's dataset (real S3 datasources, samples, a tag, a finished run with a LOG
    artifact) shared with ``collaborator``; ``stranger`` is nobody to it."""

    owner: ApiUser
    collaborator: ApiUser
    stranger: ApiUser
    dataset_id: str
    name: str
    bucket: str
    sample_ids: list[str]
    tag_id: str
    run_id: str
    artifact_id: str


def _insert_run(dataset_id: str, bucket: str) -> tuple[str, str]:
    """A COMPLETED run of the dataset's owner with a LOG artifact in the LIGHTLY bucket."""
    with session_factory().begin() as session:
        run = insert_run(session, dataset_id)
        key = f".lightly/runs/{run.id}/log.txt"
        s3_client().put_object(Bucket=bucket, Key=f"lightly/{key}", Body=LOG)
        artifact = RunArtifact(
            run_id=run.id, type="LOG", file_name="log.txt", storage_key=key, created_at=now_ms()
        )
        session.add(artifact)
        session.flush()
        return run.id, artifact.id


def _share(client: TestClient, user: ApiUser, dataset_id: str, emails: list[str]) -> Any:
    return client.post(
        f"/v1/datasets/{dataset_id}/collaboration/access",
        params=user.params,
        json={"accessType": "WRITE", "users": emails, "creator": "USER_PIP"},
    )


@pytest.fixture
def shared(client: TestClient, migrated_db: str) -> Shared:
    owner, collaborator, stranger = make_user(), make_user(), make_user()
    name = f"shared-{uuid.uuid4().hex[:8]}"
    dataset_id = create_dataset(client, owner.params, name)
    bucket = make_bucket({f"in/{n}": f"image {n}".encode() for n in NAMES})
    set_real_obs(client, owner.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    set_real_obs(client, owner.params, dataset_id, "LIGHTLY", f"obs://{bucket}/lightly")
    sample_ids = insert_samples(dataset_id, NAMES)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x7", 3)
    run_id, artifact_id = _insert_run(dataset_id, bucket)
    # Emails match case-insensitively.
    assert _share(client, owner, dataset_id, [collaborator.email.upper()]).status_code == 201
    return Shared(
        owner, collaborator, stranger, dataset_id, name, bucket, sample_ids, tag_id, run_id,
        artifact_id,
    )  # fmt: skip


def _get(client: TestClient, user: ApiUser, path: str, **params: Any) -> Any:
    response = client.get(path, params={**params, **user.params})
    assert response.status_code == 200, (path, response.text)
    return response.json()


def _fetch(client: TestClient, url: str) -> bytes:
    assert "token" not in url
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.text
    return response.content


def test_collaborator_reads_everything_the_owner_sees(client: TestClient, shared: Shared) -> None:
    ds = f"/v1/datasets/{shared.dataset_id}"
    for path in (ds, f"{ds}/tags", f"{ds}/datasource", f"/v1/docker/runs/{shared.run_id}"):
        assert _get(client, shared.collaborator, path) == _get(client, shared.owner, path)
    source = _get(client, shared.collaborator, f"{ds}/datasource", purpose="INPUT")
    assert source["fullPath"] == f"obs://{shared.bucket}/in"
    secret = os.environ["S3_SECRET_ACCESS_KEY"]
    assert secret not in str(source) and source["obsSecretAccessKey"] != secret
    mapping = _get(client, shared.collaborator, f"{ds}/mappings", field="fileName")
    assert mapping == NAMES
    runs = _get(client, shared.collaborator, f"/v1/docker/runs/query/datasetId/{shared.dataset_id}")
    assert [r["id"] for r in runs] == [shared.run_id]
    run_tags = _get(client, shared.collaborator, f"/v1/docker/runs/{shared.run_id}/tags")
    assert run_tags == []
    read_url = _get(
        client,
        shared.collaborator,
        f"/v1/docker/runs/{shared.run_id}/artifacts/{shared.artifact_id}/readurl",
    )
    assert _fetch(client, read_url) == LOG
    sample_url = _get(client, shared.collaborator, f"{ds}/samples/{shared.sample_ids[1]}/readurl")
    assert _fetch(client, sample_url) == b"image b.png"
    tasks = _get(client, shared.collaborator, f"{ds}/tags/{shared.tag_id}/export/LabelStudio/tasks")
    assert [t["data"]["lightlyFileName"] for t in tasks] == NAMES
    assert _fetch(client, tasks[2]["data"]["image"]) == b"image c.png"
    names = _get(client, shared.collaborator, f"{ds}/tags/{shared.tag_id}/export/basic/filenames")
    assert names == "\n".join(NAMES)
    configs = _get(client, shared.collaborator, f"{ds}/collaboration/access")
    assert configs[0]["users"] == [shared.collaborator.email.upper()]
    # /v1/docker/runs lists the runs a user started: the owner's run is not the collaborator's.
    assert _get(client, shared.collaborator, "/v1/docker/runs") == []
    assert [r["id"] for r in _get(client, shared.owner, "/v1/docker/runs")] == [shared.run_id]


def test_collaborator_writes_contents(client: TestClient, shared: Shared) -> None:
    tags_url = f"/v1/datasets/{shared.dataset_id}/tags"
    body = {"name": "picked", "prevTagId": shared.tag_id, "bitMaskData": "0x5", "totSize": 3}
    created = client.post(tags_url, params=shared.collaborator.params, json=body)
    assert created.status_code == 201, created.text
    owner_view = _get(client, shared.owner, f"{tags_url}/{created.json()['id']}")
    assert (owner_view["name"], owner_view["bitMaskData"]) == ("picked", "0x5")
    update = client.put(
        f"/v1/datasets/{shared.dataset_id}/samples/{shared.sample_ids[0]}",
        params=shared.collaborator.params,
        json={"customMetaData": {"weather": "sunny"}},
    )
    assert update.status_code == 200, update.text
    samples = _get(
        client, shared.owner, f"/v1/datasets/{shared.dataset_id}/samples/partial", mode="full"
    )
    assert samples[0]["customMetaData"] == {"weather": "sunny"}
    deleted = client.delete(f"{tags_url}/{created.json()['id']}", params=shared.collaborator.params)
    assert deleted.status_code == 200
    assert [t["name"] for t in _get(client, shared.owner, tags_url)] == ["initial-tag"]


def test_only_the_owner_deletes_changes_datasources_or_shares(
    client: TestClient, shared: Shared
) -> None:
    ds = f"/v1/datasets/{shared.dataset_id}"
    refused = {
        "delete it": client.delete(ds, params=shared.collaborator.params),
        "change its datasources": client.put(
            f"{ds}/datasource",
            params=shared.collaborator.params,
            json={"purpose": "INPUT", "type": "LOCAL", "fullPath": "/tmp/elsewhere"},
        ),
        "change who it is shared with": _share(client, shared.collaborator, shared.dataset_id, []),
    }
    for action, response in refused.items():
        assert response.status_code == 403, (action, response.text)
        body = response.json()
        assert body["code"] == "FORBIDDEN" and body["error"].startswith("datasetId:")
        assert action in body["error"] and "collaborator" in body["error"]
    # Nothing changed.
    assert _get(client, shared.owner, ds)["id"] == shared.dataset_id
    source = _get(client, shared.owner, f"{ds}/datasource", purpose="INPUT")
    assert source["fullPath"] == f"obs://{shared.bucket}/in"
    configs = _get(client, shared.owner, f"{ds}/collaboration/access")
    assert configs[0]["users"] == [shared.collaborator.email.upper()]


def test_revoking_removes_access_on_the_next_request(client: TestClient, shared: Shared) -> None:
    ds = f"/v1/datasets/{shared.dataset_id}"
    assert _get(client, shared.collaborator, ds)["id"] == shared.dataset_id
    assert _share(client, shared.owner, shared.dataset_id, []).status_code == 201
    for path in (ds, f"{ds}/tags", f"/v1/docker/runs/{shared.run_id}"):
        gone = client.get(path, params=shared.collaborator.params)
        assert gone.status_code == 404, (path, gone.text)
    listed = _get(client, shared.collaborator, "/v1/datasets", shared="true")
    assert shared.dataset_id not in [d["id"] for d in listed]
    # Sharing with someone else only does not restore it; sharing again does.
    only_stranger = _share(client, shared.owner, shared.dataset_id, [shared.stranger.email])
    assert only_stranger.status_code == 201
    assert client.get(ds, params=shared.collaborator.params).status_code == 404
    assert _get(client, shared.stranger, ds)["id"] == shared.dataset_id
    again = _share(client, shared.owner, shared.dataset_id, [shared.collaborator.email])
    assert again.status_code == 201
    assert _get(client, shared.collaborator, ds)["id"] == shared.dataset_id


def test_strangers_get_the_404_of_a_missing_dataset(client: TestClient, shared: Shared) -> None:
    missing_id = "0" * 24
    for template in (
        "/v1/datasets/{}",
        "/v1/datasets/{}/tags",
        "/v1/datasets/{}/datasource",
        "/v1/datasets/{}/collaboration/access",
        "/v1/docker/runs/query/datasetId/{}",
        "/v1/datasets/{}/tags/" + shared.tag_id + "/export/LabelBoxV4/datarows",
    ):
        foreign = client.get(template.format(shared.dataset_id), params=shared.stranger.params)
        missing = client.get(template.format(missing_id), params=shared.stranger.params)
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == {
            **missing.json(),
            "error": missing.json()["error"].replace(missing_id, shared.dataset_id),
        }
    run = client.get(f"/v1/docker/runs/{shared.run_id}", params=shared.stranger.params)
    assert run.status_code == 404 and run.json()["code"] == "DOCKER_RUN_UNKNOWN"
    delete = client.delete(f"/v1/datasets/{shared.dataset_id}", params=shared.stranger.params)
    assert delete.status_code == 404
    assert _get(client, shared.stranger, "/v1/datasets", shared="true") == []


def test_listings_separate_own_and_shared(client: TestClient, shared: Shared) -> None:
    def ids(user: ApiUser, **params: Any) -> list[str]:
        page = {"pageSize": 5000, "pageOffset": 0, **params}
        return [d["id"] for d in _get(client, user, "/v1/datasets", **page)]

    own = create_dataset(client, shared.collaborator.params)
    assert ids(shared.collaborator, shared="false") == [own] == ids(shared.collaborator)
    assert ids(shared.collaborator, shared="true") == [shared.dataset_id]
    assert ids(shared.collaborator, getAssetsOfTeam="true") == []
    assert ids(shared.owner, shared="false") == [shared.dataset_id]
    assert ids(shared.owner, shared="true") == []
    listed = _get(client, shared.collaborator, "/v1/datasets", shared="true")[0]
    assert listed == _get(client, shared.owner, f"/v1/datasets/{shared.dataset_id}")

    def by_name(user: ApiUser, **params: Any) -> list[str]:
        url = f"/v1/datasets/query/name/{shared.name}"
        return [d["id"] for d in _get(client, user, url, exact="true", **params)]

    assert by_name(shared.collaborator, shared="false") == []
    assert by_name(shared.collaborator, shared="true") == [shared.dataset_id]
    assert by_name(shared.collaborator, getAssetsOfTeam="true") == []
    assert by_name(shared.owner, shared="false") == [shared.dataset_id]
    assert by_name(shared.stranger, shared="true") == []


def test_a_collaborators_run_is_visible_to_the_owner(
    client: TestClient, shared: Shared, gpu_queue: GpuQueue
) -> None:
    """A collaborator schedules a run (with their own config) on the shared dataset; the owner
    sees the scheduled run, the run a worker made of it and lists it by dataset."""
    selection = {"nSamples": 2, "strategies": DIVERSITY}
    config = create_config(client, shared.collaborator.params, {"selection": selection})
    assert config.status_code == 201, config.text
    scheduled = client.post(
        f"/v1/datasets/{shared.dataset_id}/docker/worker/schedule",
        params=shared.collaborator.params,
        json={"configId": config.json()["id"], "priority": "MID", "creator": "USER_PIP"},
    )
    assert scheduled.status_code == 201, scheduled.text
    scheduled_id = scheduled.json()["id"]
    assert gpu_queue.count() == 1
    listed = _get(client, shared.owner, f"/v1/datasets/{shared.dataset_id}/docker/worker/schedule")
    assert scheduled_id in [s["id"] for s in listed]
    with session_factory().begin() as session:
        row = session.get(ScheduledRun, scheduled_id)
        owner_id = session.get(Dataset, shared.dataset_id).user_id  # type: ignore[union-attr]
        assert row is not None and row.user_id != owner_id
        run = Run(
            user_id=row.user_id,
            dataset_id=shared.dataset_id,
            config_id=row.config_id,
            scheduled_id=scheduled_id,
            docker_version="0.1.0",
            state="STARTED",
            message="started",
        )
        session.add(run)
        session.flush()
        run_id = run.id
    by_scheduled = _get(client, shared.owner, f"/v1/docker/runs/schedule/{scheduled_id}")
    assert by_scheduled["id"] == run_id
    assert _get(client, shared.owner, f"/v1/docker/runs/{run_id}")["state"] == "STARTED"
    by_dataset = _get(client, shared.owner, f"/v1/docker/runs/query/datasetId/{shared.dataset_id}")
    assert [r["id"] for r in by_dataset] == [shared.run_id, run_id]
    stranger = client.get(f"/v1/docker/runs/schedule/{scheduled_id}", params=shared.stranger.params)
    assert stranger.status_code == 404
