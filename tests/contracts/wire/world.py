"""The seeded world of the wire tests and the helpers that call and check its routes.

One user's dataset with OBS datasources on the local S3, samples, a finished run with a LOG
artifact, two tags and a listed worker; the rows a worker would write are inserted directly.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.conftest import ApiUser
from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import ROUTES, UNAUTHENTICATED
from winnow_common.db.models import (
    ComputeWorker,
    Dataset,
    Run,
    RunArtifact,
    Sample,
    ScheduledRun,
    Tag,
    User,
    WorkerConfig,
)
from winnow_common.db.session import session_factory
from winnow_common.ids import now_ms

N_SAMPLES = 5
PAGE_PAST_END = {"pageSize": 5000, "pageOffset": 5000}
ARTIFACT_BYTES = b"log line 1\nlog line 2\n"


@dataclass
class World:
    """One user's dataset with datasources, samples, a finished run, artifacts and tags."""

    client: TestClient
    user: ApiUser
    user_id: str
    s3: Any
    stack_env: dict[str, str]
    prefix: str
    dataset_id: str
    dataset_name: str
    sample_ids: list[str]
    file_names: list[str]
    images: dict[str, bytes]
    config_id: str
    scheduled_id: str
    open_scheduled_id: str
    run_id: str
    artifact_id: str
    artifact_bytes: bytes
    initial_tag_id: str
    subset_tag_id: str
    worker_id: str
    extra: dict[str, Any] = field(default_factory=dict)

    def call(
        self,
        number: int,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        expect: int | str | None = "route",
        user: ApiUser | None = None,
        **path: str,
    ) -> httpx.Response:
        """Request route ``number`` of the table; assert its success status unless told not to."""
        method, template, status = ROUTES[number]
        query = dict(params or {})
        if number not in UNAUTHENTICATED:
            query["token"] = (user or self.user).token  # last, as the client sends it
        response = self.client.request(
            method, template.format(**path), params=query, json=json_body
        )
        wanted = status if expect == "route" else expect
        if wanted is None:
            assert 200 <= response.status_code < 300, (number, response.status_code, response.text)
        elif isinstance(wanted, int):
            assert response.status_code == wanted, (number, response.status_code, response.text)
        return response


def json_of(response: httpx.Response) -> Any:
    """The response's JSON body, after checking it is served as JSON."""
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()


def error_body(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error body of a ``status`` response, validated against the wire's error model."""
    assert response.status_code == status, (response.status_code, response.text)
    body = json_of(response)
    wm.validate(body, wm.ERROR_BODY)
    return body  # type: ignore[no-any-return]


def new_dataset(world: World) -> str:
    """A fresh, empty dataset of the world's user, created through the API."""
    created = json_of(world.call(4, json_body={"name": f"ds {uuid.uuid4().hex[:10]}"}))
    return str(created["id"])


def fetch_without_token(world: World, url: str) -> httpx.Response:
    """A plain GET of a read URL, as the client's ``requests.get``/``urlopen`` does."""
    assert isinstance(url, str) and url.startswith(("http://", "https://")), url
    assert "token=" not in url
    public = world.client.base_url
    if url.startswith(str(public).rstrip("/")):
        return world.client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    return httpx.get(url, headers={"Accept-Encoding": "gzip, deflate"}, follow_redirects=True)


def _png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (seed * 40 % 256, 80, 160)).save(buf, format="PNG")
    return buf.getvalue()


def _obs_body(stack_env: dict[str, str], purpose: str, full_path: str) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "type": "OBS",
        "thumbSuffix": ".lightly/thumbnails/[filename]_thumb.[extension]",
        "fullPath": full_path,
        "obsEndpoint": stack_env["S3_ENDPOINT_URL"],
        "obsAccessKeyId": stack_env["S3_ACCESS_KEY_ID"],
        "obsSecretAccessKey": stack_env["S3_SECRET_ACCESS_KEY"],
    }


def _s3_client(stack_env: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=stack_env["S3_ENDPOINT_URL"],
        aws_access_key_id=stack_env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=stack_env["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )


def _upload_images(s3: Any, bucket: str, prefix: str) -> dict[str, bytes]:
    """PNGs under ``prefix/in/`` in two folders, by file name (the samples' order)."""
    file_names = [f"{'a' if i % 2 else 'b/c'}/img_{i:02d}.png" for i in range(N_SAMPLES)]
    images = {name: _png(i) for i, name in enumerate(file_names)}
    for name, data in images.items():
        s3.put_object(Bucket=bucket, Key=f"{prefix}/in/{name}", Body=data)
    return images


def _insert_dataset(email: str, name: str) -> tuple[str, str]:
    """The user's id and a new dataset's id."""
    with session_factory().begin() as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        assert user_id
        dataset = Dataset(user_id=user_id, name=name)
        session.add(dataset)
        session.flush()
        return user_id, dataset.id


def _attach_datasources(
    client: TestClient, user: ApiUser, stack_env: dict[str, str], dataset_id: str, prefix: str
) -> None:
    for purpose, path in (
        ("INPUT", f"obs://{stack_env['S3_INPUT_BUCKET']}/{prefix}/in"),
        ("LIGHTLY", f"obs://{stack_env['S3_LIGHTLY_BUCKET']}/{prefix}/lightly"),
    ):
        put = client.put(
            f"/v1/datasets/{dataset_id}/datasource",
            params=user.params,
            json=_obs_body(stack_env, purpose, path),
        )
        assert put.status_code == 200, put.text


def _insert_config_and_schedules(session: Session, user_id: str, dataset_id: str) -> dict[str, Any]:
    """A V4 config and two scheduled runs of it: one DONE, one LOCKED."""
    config = WorkerConfig(
        user_id=user_id,
        version="V4",
        config={
            "workerType": "FULL",
            "selection": {
                "nSamples": 2,
                "strategies": [
                    {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
                ],
            },
        },
    )
    session.add(config)
    session.flush()
    done = ScheduledRun(dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="DONE")
    locked = ScheduledRun(
        dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="LOCKED"
    )
    session.add_all([done, locked])
    session.flush()
    return {"config": config.id, "scheduled": done.id, "locked": locked.id}


def _insert_run_and_log(
    session: Session, s3: Any, lightly_root: tuple[str, str], ids: dict[str, Any], now: int
) -> RunArtifact:
    """The COMPLETED run of the DONE scheduled run (its id into ``ids``) and its LOG artifact,
    uploaded to S3; the artifact gets its id at the next flush."""
    user_id, dataset_id = ids["user"], ids["dataset"]
    run = Run(
        user_id=user_id,
        dataset_id=dataset_id,
        config_id=ids["config"],
        scheduled_id=ids["scheduled"],
        docker_version="0.1.0",
        state="COMPLETED",
        message=f"Run completed: 3 of {N_SAMPLES} samples selected.",
    )
    session.add(run)
    session.flush()
    storage_key = f".lightly/runs/{run.id}/log.txt"
    bucket, prefix = lightly_root
    s3.put_object(Bucket=bucket, Key=f"{prefix}/lightly/{storage_key}", Body=ARTIFACT_BYTES)
    artifact = RunArtifact(
        run_id=run.id, type="LOG", file_name="log.txt", storage_key=storage_key, created_at=now
    )
    session.add(artifact)
    ids["run"] = run.id
    return artifact


def _insert_tags_and_worker(session: Session, ids: dict[str, Any]) -> None:
    """The run's ``initial-tag`` (every sample), a subset tag below it, and a listed worker."""
    initial = Tag(
        dataset_id=ids["dataset"],
        run_id=ids["run"],
        name="initial-tag",
        bit_mask_data=hex((1 << N_SAMPLES) - 1),
        tot_size=N_SAMPLES,
    )
    session.add(initial)
    session.flush()
    subset = Tag(
        dataset_id=ids["dataset"],
        run_id=ids["run"],
        prev_tag_id=initial.id,
        name="selected-tag-1",
        bit_mask_data=hex(0b10101),
        tot_size=N_SAMPLES,
    )
    worker = ComputeWorker(user_id=ids["user"], name=f"listed-{uuid.uuid4().hex[:6]}", labels=[])
    session.add_all([subset, worker])
    session.flush()
    ids.update(initial=initial.id, subset=subset.id, worker=worker.id)


def _insert_worker_rows(
    s3: Any, lightly_root: tuple[str, str], user_id: str, dataset_id: str, file_names: list[str]
) -> dict[str, Any]:
    """Samples, config, scheduled runs, run, artifact, tags, worker: one transaction."""
    now = now_ms()
    ids: dict[str, Any] = {"user": user_id, "dataset": dataset_id}
    with session_factory().begin() as session:
        samples = [
            Sample(dataset_id=dataset_id, file_name=fn, idx=i, created_at=now)
            for i, fn in enumerate(file_names)
        ]
        session.add_all(samples)
        ids.update(_insert_config_and_schedules(session, user_id, dataset_id))
        artifact = _insert_run_and_log(session, s3, lightly_root, ids, now)
        _insert_tags_and_worker(session, ids)
        ids["samples"] = [s.id for s in samples]
        ids["artifact"] = artifact.id
    return ids


def build_world(client: TestClient, user: ApiUser, stack_env: dict[str, str]) -> World:
    """Seed the world on the real Postgres and S3 of the local stack."""
    s3 = _s3_client(stack_env)
    prefix = f"contract-{uuid.uuid4().hex[:8]}"
    images = _upload_images(s3, stack_env["S3_INPUT_BUCKET"], prefix)
    file_names = list(images)
    name = f"contract {uuid.uuid4().hex[:8]}"
    user_id, dataset_id = _insert_dataset(user.email, name)
    _attach_datasources(client, user, stack_env, dataset_id, prefix)
    lightly_root = (stack_env["S3_LIGHTLY_BUCKET"], prefix)
    ids = _insert_worker_rows(s3, lightly_root, user_id, dataset_id, file_names)
    return World(
        client=client,
        user=user,
        user_id=user_id,
        s3=s3,
        stack_env=stack_env,
        prefix=prefix,
        dataset_id=dataset_id,
        dataset_name=name,
        sample_ids=ids["samples"],
        file_names=file_names,
        images=images,
        config_id=ids["config"],
        scheduled_id=ids["scheduled"],
        open_scheduled_id=ids["locked"],
        run_id=ids["run"],
        artifact_id=ids["artifact"],
        artifact_bytes=ARTIFACT_BYTES,
        initial_tag_id=ids["initial"],
        subset_tag_id=ids["subset"],
        worker_id=ids["worker"],
    )
