"""Small request helpers shared by the API tests."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from winnow_common.db.models import Dataset, Run, ScheduledRun, WorkerConfig

DIVERSITY = [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]


def create_dataset(client: TestClient, params: dict[str, str], name: str | None = None) -> str:
    body = {"name": name or f"ds-{uuid.uuid4().hex[:8]}", "type": "Images", "creator": "USER_PIP"}
    response = client.post("/v1/datasets", params=params, json=body)
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    return dataset_id


def set_obs(client: TestClient, params: dict[str, str], dataset_id: str, purpose: str) -> None:
    body = {
        "purpose": purpose,
        "type": "OBS",
        "fullPath": f"obs://bucket/{purpose.lower()}",
        "obsEndpoint": "http://127.0.0.1:9",
        "obsAccessKeyId": "AK",
        "obsSecretAccessKey": "SECRET-VALUE",
        "thumbSuffix": ".lightly/thumbnails/[filename]_thumb.[extension]",
    }
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=params, json=body)
    assert response.status_code == 200, response.text


def create_config(client: TestClient, params: dict[str, str], config: dict[str, Any]) -> Any:
    return client.post(
        "/v1/docker/worker/config/vX",
        params=params,
        json={"version": "V4", "config": {"workerType": "FULL", **config}, "creator": "USER_PIP"},
    )


# --- samples, tags and a real S3 datasource (issue 5 tests) ----------------------------


def insert_samples(dataset_id: str, file_names: list[str]) -> list[str]:
    """Insert samples directly (only runs create them over the API); ids in idx order."""
    from winnow_common.db.models import Sample
    from winnow_common.db.session import session_factory
    from winnow_common.ids import now_ms

    with session_factory().begin() as session:
        samples = [
            Sample(dataset_id=dataset_id, file_name=name, idx=i, created_at=now_ms())
            for i, name in enumerate(file_names)
        ]
        session.add_all(samples)
        session.flush()
        return [s.id for s in samples]


def insert_tag(dataset_id: str, name: str, bitmask: str, tot_size: int) -> str:
    """Insert a tag directly (as a run's ``initial-tag`` would be)."""
    from winnow_common.db.models import Tag
    from winnow_common.db.session import session_factory

    with session_factory().begin() as session:
        tag = Tag(dataset_id=dataset_id, name=name, bit_mask_data=bitmask, tot_size=tot_size)
        session.add(tag)
        session.flush()
        return tag.id


def s3_client() -> Any:
    """boto3 on the test stack's S3 server (settings exported by the ``migrated_db`` fixture)."""
    import os

    import boto3

    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )


def make_bucket(objects: dict[str, bytes] | None = None) -> str:
    """A fresh bucket on the test S3 server holding ``objects`` (key -> bytes)."""
    s3 = s3_client()
    bucket = f"api-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    for key, data in (objects or {}).items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    return bucket


def set_real_obs(
    client: TestClient, params: dict[str, str], dataset_id: str, purpose: str, full_path: str
) -> None:
    """An OBS datasource on the test stack's real S3 server (``set_obs`` uses a dead one)."""
    import os

    body = {
        "purpose": purpose,
        "type": "OBS",
        "fullPath": full_path,
        "obsEndpoint": os.environ["S3_ENDPOINT_URL"],
        "obsAccessKeyId": os.environ["S3_ACCESS_KEY_ID"],
        "obsSecretAccessKey": os.environ["S3_SECRET_ACCESS_KEY"],
    }
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=params, json=body)
    assert response.status_code == 200, response.text


def insert_run(
    session: Session,
    dataset_id: str,
    *,
    state: str = "COMPLETED",
    scheduled_state: str = "DONE",
    message: str = "done",
    **run_fields: Any,
) -> Run:
    """A run of the dataset's owner, with its worker config and scheduled run, flushed in the
    caller's session (which adds attempts, artifacts or tags to it)."""
    dataset = session.get(Dataset, dataset_id)
    assert dataset is not None, dataset_id
    config = WorkerConfig(user_id=dataset.user_id, version="V4", config={"workerType": "FULL"})
    session.add(config)
    session.flush()
    scheduled = ScheduledRun(
        dataset_id=dataset_id, user_id=dataset.user_id, config_id=config.id, state=scheduled_state
    )
    session.add(scheduled)
    session.flush()
    run = Run(
        user_id=dataset.user_id,
        dataset_id=dataset_id,
        config_id=config.id,
        scheduled_id=scheduled.id,
        docker_version="0.1.0",
        state=state,
        message=message,
        **run_fields,
    )
    session.add(run)
    session.flush()
    return run
