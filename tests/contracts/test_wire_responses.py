"""Every route of the lightly 1.5.26 route table (lightly-client-wire.md §2) answers with exactly
the response model of §5.1 (wire_models.py): no extra keys, 24-hex ids, integer ms timestamps,
enum values, the route's exact success status, JSON strings for string responses and ``[]`` past
the end of paginated lists. Runs the real app in-process on the local stack's Postgres and S3;
rows a worker would write (samples, runs, artifacts, tags) are inserted directly.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select, text

from tests.api.conftest import ApiUser, make_user
from tests.contracts import wire_models as wm
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
from winnow_common.ids import new_object_id, now_ms

# --- the route table (§2): number -> (method, path, success status or None for any 2xx) -------
ROUTES: dict[int, tuple[str, str, int | None]] = {
    1: ("GET", "/v1/versions/pip/minimum", 200),
    2: ("GET", "/v1/versions/pip/latest", 200),
    3: ("GET", "/v1/datasets", 200),
    4: ("POST", "/v1/datasets", 201),
    5: ("GET", "/v1/datasets/query/name/{datasetName}", 200),
    6: ("GET", "/v1/datasets/{datasetId}", 200),
    7: ("DELETE", "/v1/datasets/{datasetId}", None),
    8: ("PUT", "/v1/datasets/{datasetId}/datasource", None),
    9: ("GET", "/v1/datasets/{datasetId}/datasource", 200),
    10: ("GET", "/v1/datasets/{datasetId}/datasource/verify", 200),
    11: ("POST", "/v1/docker/worker", 201),
    12: ("GET", "/v1/docker/worker", 200),
    13: ("DELETE", "/v1/docker/worker/{workerId}", None),
    14: ("POST", "/v1/docker/worker/config/vX", 201),
    15: ("POST", "/v1/datasets/{datasetId}/docker/worker/schedule", 201),
    16: ("GET", "/v1/datasets/{datasetId}/docker/worker/schedule", 200),
    17: ("GET", "/v1/docker/runs/schedule/{scheduledId}", 200),
    18: ("GET", "/v1/docker/runs", 200),
    19: ("GET", "/v1/docker/runs/query/datasetId/{datasetId}", 200),
    20: ("GET", "/v1/docker/runs/{runId}", 200),
    21: ("GET", "/v1/docker/runs/{runId}/tags", 200),
    22: ("GET", "/v1/docker/runs/{runId}/artifacts/{artifactId}/readurl", 200),
    23: ("GET", "/v1/datasets/{datasetId}/tags", 200),
    24: ("POST", "/v1/datasets/{datasetId}/tags", 201),
    25: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}", 200),
    26: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/basic/filenames", 200),
    27: ("POST", "/v1/datasets/{datasetId}/tags/arithmetics/bitmask", 200),
    28: ("GET", "/v1/datasets/{datasetId}/mappings", 200),
    29: ("GET", "/v1/datasets/{datasetId}/samples/{sampleId}/readurl", 200),
    30: ("POST", "/v1/datasets/{datasetId}/collaboration/access", 201),
    31: ("GET", "/v1/datasets/{datasetId}/collaboration/access", 200),
    32: ("GET", "/v1/datasets/{datasetId}/samples/partial", 200),
    33: ("PUT", "/v1/datasets/{datasetId}/samples/{sampleId}", None),
}
UNAUTHENTICATED = {1, 2}
# Which test covers which route (filled by @covers; checked by the meta-test).
COVERED: dict[int, list[str]] = {}

N_SAMPLES = 5
PAGE_PAST_END = {"pageSize": 5000, "pageOffset": 5000}


def covers(*numbers: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def mark(fn: Callable[..., None]) -> Callable[..., None]:
        for n in numbers:
            COVERED.setdefault(n, []).append(fn.__name__)
        return fn

    return mark


def _png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (seed * 40 % 256, 80, 160)).save(buf, format="PNG")
    return buf.getvalue()


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


def _json(response: httpx.Response) -> Any:
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body = _json(response)
    wm.validate(body, wm.ERROR_BODY)
    return body  # type: ignore[no-any-return]


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


@pytest.fixture(scope="module")
def world(wire_client: TestClient, wire_user: ApiUser, stack_env: dict[str, str]) -> World:
    s3 = boto3.client(
        "s3",
        endpoint_url=stack_env["S3_ENDPOINT_URL"],
        aws_access_key_id=stack_env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=stack_env["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    prefix = f"contract-{uuid.uuid4().hex[:8]}"
    input_bucket, lightly_bucket = stack_env["S3_INPUT_BUCKET"], stack_env["S3_LIGHTLY_BUCKET"]
    file_names = [f"{'a' if i % 2 else 'b/c'}/img_{i:02d}.png" for i in range(N_SAMPLES)]
    images = {name: _png(i) for i, name in enumerate(file_names)}
    for name, data in images.items():
        s3.put_object(Bucket=input_bucket, Key=f"{prefix}/in/{name}", Body=data)

    name = f"contract {uuid.uuid4().hex[:8]}"
    with session_factory().begin() as session:
        user_id = session.scalar(select(User.id).where(User.email == wire_user.email))
        assert user_id
        dataset = Dataset(user_id=user_id, name=name)
        session.add(dataset)
        session.flush()
        dataset_id = dataset.id

    for purpose, path in (
        ("INPUT", f"obs://{input_bucket}/{prefix}/in"),
        ("LIGHTLY", f"obs://{lightly_bucket}/{prefix}/lightly"),
    ):
        put = wire_client.put(
            f"/v1/datasets/{dataset_id}/datasource",
            params=wire_user.params,
            json=_obs_body(stack_env, purpose, path),
        )
        assert put.status_code == 200, put.text

    artifact_bytes = b"log line 1\nlog line 2\n"
    now = now_ms()
    with session_factory().begin() as session:
        samples = [
            Sample(dataset_id=dataset_id, file_name=fn, idx=i, created_at=now)
            for i, fn in enumerate(file_names)
        ]
        session.add_all(samples)
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
        done = ScheduledRun(
            dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="DONE"
        )
        locked = ScheduledRun(
            dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="LOCKED"
        )
        session.add_all([done, locked])
        session.flush()
        run = Run(
            user_id=user_id,
            dataset_id=dataset_id,
            config_id=config.id,
            scheduled_id=done.id,
            docker_version="0.1.0",
            state="COMPLETED",
            message=f"Run completed: 3 of {N_SAMPLES} samples selected.",
        )
        session.add(run)
        session.flush()
        storage_key = f".lightly/runs/{run.id}/log.txt"
        s3.put_object(
            Bucket=lightly_bucket, Key=f"{prefix}/lightly/{storage_key}", Body=artifact_bytes
        )
        artifact = RunArtifact(
            run_id=run.id,
            type="LOG",
            file_name="log.txt",
            storage_key=storage_key,
            created_at=now,
        )
        session.add(artifact)
        initial = Tag(
            dataset_id=dataset_id,
            run_id=run.id,
            name="initial-tag",
            bit_mask_data=hex((1 << N_SAMPLES) - 1),
            tot_size=N_SAMPLES,
        )
        session.add(initial)
        session.flush()
        subset = Tag(
            dataset_id=dataset_id,
            run_id=run.id,
            prev_tag_id=initial.id,
            name="selected-tag-1",
            bit_mask_data=hex(0b10101),
            tot_size=N_SAMPLES,
        )
        worker = ComputeWorker(user_id=user_id, name=f"listed-{uuid.uuid4().hex[:6]}", labels=[])
        session.add_all([subset, worker])
        session.flush()
        ids = {
            "samples": [s.id for s in samples],
            "config": config.id,
            "scheduled": done.id,
            "locked": locked.id,
            "run": run.id,
            "artifact": artifact.id,
            "initial": initial.id,
            "subset": subset.id,
            "worker": worker.id,
        }

    return World(
        client=wire_client,
        user=wire_user,
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
        artifact_bytes=artifact_bytes,
        initial_tag_id=ids["initial"],
        subset_tag_id=ids["subset"],
        worker_id=ids["worker"],
    )


def _fetch_without_token(world: World, url: str) -> httpx.Response:
    """A plain GET of a read URL, as the client's ``requests.get``/``urlopen`` does."""
    assert isinstance(url, str) and url.startswith(("http://", "https://")), url
    assert "token=" not in url
    public = world.client.base_url
    if url.startswith(str(public).rstrip("/")):
        return world.client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    return httpx.get(url, headers={"Accept-Encoding": "gzip, deflate"}, follow_redirects=True)


# --- 1, 2: versions ----------------------------------------------------------------------


@covers(1, 2)
@pytest.mark.parametrize("number", [1, 2])
def test_version_routes_answer_json_strings(world: World, number: int) -> None:
    params = {"currentVersion": "1.5.26"} if number == 2 else None
    body = _json(world.call(number, params=params))
    wm.validate(body, wm.VERSION_STRING)
    assert tuple(int(p) for p in body.split(".")) <= (1, 5, 26) or number == 2


# --- 3..7: datasets -----------------------------------------------------------------------


@covers(3)
def test_list_datasets(world: World) -> None:
    for shared in ("False", "True"):
        body = _json(world.call(3, params={"shared": shared, "pageSize": 5000, "pageOffset": 0}))
        wm.validate(body, wm.list_of(wm.DATASET_DATA))
        if shared == "False":
            assert world.dataset_id in [d["id"] for d in body]
    team = _json(world.call(3, params={"getAssetsOfTeam": "True", "pageSize": 5000}))
    wm.validate(team, wm.list_of(wm.DATASET_DATA))
    assert _json(world.call(3, params={"shared": "False", **PAGE_PAST_END})) == []


@covers(4)
def test_create_dataset(world: World) -> None:
    name = f"created {uuid.uuid4().hex[:8]}"
    body = _json(world.call(4, json_body={"name": name, "type": "Images", "creator": "USER_PIP"}))
    wm.validate(body, wm.CREATE_ENTITY_RESPONSE)
    dataset = _json(world.call(6, datasetId=body["id"]))
    assert dataset["name"] == name and dataset["imgType"] == "full"
    duplicate = world.call(4, json_body={"name": name, "type": "Images"}, expect=409)
    _error(duplicate, 409)


@covers(5)
def test_query_dataset_by_name(world: World) -> None:
    params = {"shared": "False", "exact": "True", "pageSize": 5000, "pageOffset": 0}
    found = _json(world.call(5, params=params, datasetName=world.dataset_name))
    wm.validate(found, wm.list_of(wm.DATASET_DATA))
    assert [d["id"] for d in found] == [world.dataset_id]
    assert found[0]["nSamples"] == N_SAMPLES
    free = _json(world.call(5, params=params, datasetName=f"free {uuid.uuid4().hex}"))
    assert free == []
    past = _json(world.call(5, params={**params, **PAGE_PAST_END}, datasetName=world.dataset_name))
    assert past == []


@covers(6)
def test_get_dataset(world: World) -> None:
    body = _json(world.call(6, datasetId=world.dataset_id))
    wm.validate(body, wm.DATASET_DATA)
    assert body["id"] == world.dataset_id and body["nSamples"] == N_SAMPLES
    assert body.get("imgType") == "full"  # download_dataset refuses anything else
    _error(world.call(6, datasetId=new_object_id(), expect=404), 404)


@covers(7)
def test_delete_dataset(world: World) -> None:
    created = _json(world.call(4, json_body={"name": f"doomed {uuid.uuid4().hex[:8]}"}))
    world.call(7, datasetId=created["id"])
    _error(world.call(6, datasetId=created["id"], expect=404), 404)


# --- 8..10: datasources -------------------------------------------------------------------

DATASOURCE_BODIES: dict[str, dict[str, Any]] = {
    "LOCAL": {"fullPath": "", "webServerLocation": "http://localhost:3456"},
    "OBS": {
        "fullPath": "obs://bucket/in",
        "obsEndpoint": "http://127.0.0.1:9000",
        "obsAccessKeyId": "AK",
        "obsSecretAccessKey": "OBS-SECRET-abc123",
    },
    "S3": {
        "fullPath": "s3://bucket/in",
        "s3Region": "eu-central-1",
        "s3AccessKeyId": "AK",
        "s3SecretAccessKey": "S3-SECRET-abc123",
    },
    "GCS": {
        "fullPath": "gs://bucket/in",
        "gcsProjectId": "proj",
        "gcsCredentials": '{"type": "service_account", "private_key": "GCS-SECRET-abc123"}',
    },
    "AZURE": {
        "fullPath": "container/in",
        "accountName": "acct",
        "accountKey": "AZURE-SECRET-abc123",
    },
}
SECRET_FIELDS = {
    "OBS": "obsSecretAccessKey",
    "S3": "s3SecretAccessKey",
    "GCS": "gcsCredentials",
    "AZURE": "accountKey",
}


def _new_dataset(world: World) -> str:
    created = _json(world.call(4, json_body={"name": f"ds {uuid.uuid4().hex[:10]}"}))
    return str(created["id"])


@covers(8, 9)
@pytest.mark.parametrize("type_", list(DATASOURCE_BODIES))
def test_put_and_get_datasource(world: World, type_: str) -> None:
    dataset_id = _new_dataset(world)
    thumb = ".lightly/thumbnails/[filename]_thumb.[extension]"
    for purpose in ("INPUT", "LIGHTLY"):
        body = {"purpose": purpose, "type": type_, "thumbSuffix": thumb, **DATASOURCE_BODIES[type_]}
        world.call(8, json_body=body, datasetId=dataset_id)
    plain = _json(world.call(9, datasetId=dataset_id))
    wm.validate(plain, wm.DATASOURCE_CONFIG)
    assert (plain["purpose"], plain["type"]) == ("INPUT", type_)
    for purpose in ("INPUT", "LIGHTLY"):
        got = _json(world.call(9, params={"purpose": purpose}, datasetId=dataset_id))
        wm.validate(got, wm.DATASOURCE_CONFIG)
        assert got["purpose"] == purpose and got["fullPath"] == DATASOURCE_BODIES[type_]["fullPath"]
    _error(world.call(9, params={"purpose": "INPUT_OUTPUT"}, datasetId=dataset_id, expect=404), 404)


@covers(8, 9)
@pytest.mark.parametrize("type_", list(SECRET_FIELDS))
def test_datasource_secrets_are_encrypted_at_rest_and_masked(world: World, type_: str) -> None:
    dataset_id = _new_dataset(world)
    body = {"purpose": "INPUT", "type": type_, **DATASOURCE_BODIES[type_]}
    world.call(8, json_body=body, datasetId=dataset_id)
    secret = body[SECRET_FIELDS[type_]]
    marker = "SECRET-abc123"
    assert marker in secret
    with session_factory().begin() as session:
        rows = session.execute(
            text("SELECT * FROM datasource WHERE dataset_id = :d"), {"d": dataset_id}
        ).mappings()
        raw = [json.dumps({k: str(v) for k, v in row.items()}) for row in rows]
    assert len(raw) == 1
    assert marker not in raw[0], f"the {type_} secret is stored in clear: {raw[0]}"
    got = _json(world.call(9, datasetId=dataset_id))
    wm.validate(got, wm.DATASOURCE_CONFIG)
    assert marker not in json.dumps(got), got
    assert got[SECRET_FIELDS[type_]], "required secret fields must be masked, not empty"


@covers(10)
def test_verify_datasource(world: World) -> None:
    body = _json(world.call(10, datasetId=world.dataset_id))
    wm.validate(body, wm.DATASOURCE_CONFIG_VERIFY_DATA)
    assert body["canRead"] is True and body["canList"] is True, body


# --- 11..13: workers ----------------------------------------------------------------------


@covers(11, 12, 13)
def test_worker_registry(world: World) -> None:
    name = f"worker-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "workerType": "FULL", "labels": ["gpu"], "creator": "USER_PIP"}
    created = _json(world.call(11, json_body=body))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    again = _json(world.call(11, json_body=body))
    assert again["id"] == created["id"], "registration is idempotent by name"
    listed = _json(world.call(12))
    wm.validate(listed, wm.list_of(wm.DOCKER_WORKER_REGISTRY_ENTRY_DATA))
    by_id = {w["id"]: w for w in listed}
    assert by_id[created["id"]]["name"] == name and by_id[created["id"]]["labels"] == ["gpu"]
    assert world.worker_id in by_id
    world.call(13, workerId=created["id"])
    assert created["id"] not in [w["id"] for w in _json(world.call(12))]


# --- 14..17: configs and scheduled runs ---------------------------------------------------

V4_CONFIG = {
    "version": "V4",
    "creator": "USER_PIP",
    "config": {
        "workerType": "FULL",
        "docker": {"corruptnessCheck": {"corruptionThreshold": 0.1}},
        "lightly": {"loader": {"batchSize": 16}, "trainer": {"maxEpochs": 1}},
        "selection": {
            "nSamples": 2,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
            "autoTasks": [],
        },
    },
}


@covers(14, 15)
def test_create_config_and_schedule(world: World) -> None:
    config = _json(world.call(14, json_body=V4_CONFIG))
    wm.validate(config, wm.CREATE_ENTITY_RESPONSE)
    body = {"configId": config["id"], "priority": "MID", "runsOn": [], "creator": "USER_PIP"}
    scheduled = _json(world.call(15, json_body=body, datasetId=world.dataset_id))
    wm.validate(scheduled, wm.CREATE_ENTITY_RESPONSE)
    world.extra["scheduled_by_api"] = scheduled["id"]
    listed = _json(world.call(16, datasetId=world.dataset_id))
    assert scheduled["id"] in [s["id"] for s in listed]
    # Not picked up (no worker consumes the test queue): 404 until a run exists.
    _error(world.call(17, scheduledId=scheduled["id"], expect=404), 404)


@covers(16)
def test_list_scheduled_runs(world: World) -> None:
    open_ = _json(world.call(16, datasetId=world.dataset_id))
    wm.validate(open_, wm.list_of(wm.DOCKER_RUN_SCHEDULED_DATA))
    ids = [s["id"] for s in open_]
    # Without ?state: every scheduled run not DONE/CANCELED (LOCKED included, §6.10).
    assert world.open_scheduled_id in ids and world.scheduled_id not in ids
    for state in ("OPEN", "LOCKED", "DONE", "CANCELED"):
        body = _json(world.call(16, params={"state": state}, datasetId=world.dataset_id))
        wm.validate(body, wm.list_of(wm.DOCKER_RUN_SCHEDULED_DATA))
        assert {s["state"] for s in body} <= {state}
    done = _json(world.call(16, params={"state": "DONE"}, datasetId=world.dataset_id))
    assert [s["id"] for s in done] == [world.scheduled_id]


@covers(17)
def test_run_of_scheduled_run(world: World) -> None:
    body = _json(world.call(17, scheduledId=world.scheduled_id))
    wm.validate(body, wm.DOCKER_RUN_DATA_WORKFLOW)
    assert body["id"] == world.run_id and body["scheduledId"] == world.scheduled_id
    _error(world.call(17, scheduledId=new_object_id(), expect=404), 404)


# --- 18..22: runs --------------------------------------------------------------------------


@covers(18)
def test_list_runs(world: World) -> None:
    body = _json(world.call(18, params={"pageSize": 5000, "pageOffset": 0}))
    wm.validate(body, wm.list_of(wm.DOCKER_RUN_DATA_WORKFLOW))
    assert world.run_id in [r["id"] for r in body]
    assert _json(world.call(18, params=PAGE_PAST_END)) == []


@covers(19)
def test_list_runs_of_dataset(world: World) -> None:
    body = _json(
        world.call(19, params={"pageSize": 5000, "pageOffset": 0}, datasetId=world.dataset_id)
    )
    wm.validate(body, wm.list_of(wm.DOCKER_RUN_DATA_WORKFLOW))
    assert [r["id"] for r in body] == [world.run_id]
    assert _json(world.call(19, params=PAGE_PAST_END, datasetId=world.dataset_id)) == []


@covers(20)
def test_get_run(world: World) -> None:
    body = _json(world.call(20, runId=world.run_id))
    wm.validate(body, wm.DOCKER_RUN_DATA_WORKFLOW)
    assert body["state"] == "COMPLETED" and body["datasetId"] == world.dataset_id
    assert [a["id"] for a in body["artifacts"]] == [world.artifact_id]
    _error(world.call(20, runId=new_object_id(), expect=404), 404)


@covers(21)
def test_run_tags_newest_first(world: World) -> None:
    body = _json(world.call(21, runId=world.run_id))
    wm.validate(body, wm.list_of(wm.TAG_DATA))
    assert [t["id"] for t in body] == [world.subset_tag_id, world.initial_tag_id]


@covers(22)
def test_artifact_read_url(world: World) -> None:
    url = _json(world.call(22, runId=world.run_id, artifactId=world.artifact_id))
    assert isinstance(url, str)
    download = _fetch_without_token(world, url)
    assert download.status_code == 200, download.text
    assert "content-encoding" not in download.headers
    assert download.content == world.artifact_bytes
    _error(world.call(22, runId=world.run_id, artifactId=new_object_id(), expect=404), 404)


# --- 23..29: tags, exports, mappings, samples ---------------------------------------------


@covers(23)
def test_list_tags(world: World) -> None:
    body = _json(world.call(23, datasetId=world.dataset_id))
    wm.validate(body, wm.list_of(wm.TAG_DATA))
    by_name = {t["name"]: t for t in body}
    assert by_name["initial-tag"]["bitMaskData"] == hex((1 << N_SAMPLES) - 1)
    assert by_name["initial-tag"].get("prevTagId") is None
    assert by_name["selected-tag-1"]["prevTagId"] == world.initial_tag_id


@covers(24)
def test_create_tag(world: World) -> None:
    body = {
        "name": f"subset-{uuid.uuid4().hex[:6]}",
        "prevTagId": world.initial_tag_id,
        "bitMaskData": "0x3",
        "totSize": N_SAMPLES,
        "creator": "USER_PIP",
    }
    created = _json(world.call(24, json_body=body, datasetId=world.dataset_id))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    tag = _json(world.call(25, datasetId=world.dataset_id, tagId=created["id"]))
    wm.validate(tag, wm.TAG_DATA)
    assert (tag["name"], tag["bitMaskData"], tag["prevTagId"]) == (
        body["name"],
        "0x3",
        world.initial_tag_id,
    )
    _error(world.call(24, json_body=body, datasetId=world.dataset_id, expect=409), 409)


@covers(25)
def test_get_tag(world: World) -> None:
    body = _json(world.call(25, datasetId=world.dataset_id, tagId=world.subset_tag_id))
    wm.validate(body, wm.TAG_DATA)
    assert body["runId"] == world.run_id and body["totSize"] == N_SAMPLES
    _error(world.call(25, datasetId=world.dataset_id, tagId=new_object_id(), expect=404), 404)


def _export(world: World, fmt: str | None, offset: int = 0) -> Any:
    params: dict[str, Any] = {"pageSize": 5000, "pageOffset": offset}
    if fmt:
        params = {"fileNameFormat": fmt, **params}
    return _json(
        world.call(26, params=params, datasetId=world.dataset_id, tagId=world.subset_tag_id)
    )


@covers(26)
@pytest.mark.parametrize("fmt", [None, "NAME", "DATASOURCE_FULL", "REDIRECTED_READ_URL"])
def test_export_filenames(world: World, fmt: str | None) -> None:
    body = _export(world, fmt)
    assert isinstance(body, str), "the export must be a JSON string"
    lines = body.split("\n")
    expected = [world.file_names[i] for i in (0, 2, 4)]
    if fmt in (None, "NAME"):
        assert lines == expected
    elif fmt == "DATASOURCE_FULL":
        base = f"obs://{world.stack_env['S3_INPUT_BUCKET']}/{world.prefix}/in"
        assert lines == [f"{base}/{n}" for n in expected]
    else:
        assert len(lines) == len(expected)
        first = _fetch_without_token(world, lines[0])
        assert first.status_code == 200 and first.content == world.images[expected[0]]
    assert _export(world, fmt, offset=5000) == ""


@covers(27)
@pytest.mark.parametrize(
    ("operation", "expected"),
    [("UNION", 0b11111), ("INTERSECTION", 0b10101), ("DIFFERENCE", 0b01010)],
)
def test_tag_arithmetics(world: World, operation: str, expected: int) -> None:
    body = {
        "tagId1": world.initial_tag_id,
        "tagId2": world.subset_tag_id,
        "operation": operation,
        "creator": "USER_PIP",
    }
    result = _json(world.call(27, json_body=body, datasetId=world.dataset_id))
    wm.validate(result, wm.TAG_BIT_MASK_RESPONSE)
    assert result["bitMaskData"] == hex(expected)


@covers(28)
@pytest.mark.parametrize("field_", ["fileName", "_id"])
def test_mappings(world: World, field_: str) -> None:
    params = {"field": field_, "pageSize": 25000, "pageOffset": 0}
    body = _json(world.call(28, params=params, datasetId=world.dataset_id))
    wm.validate(body, wm.list_of(wm.STRING))
    assert body == (world.file_names if field_ == "fileName" else world.sample_ids)
    paged = _json(
        world.call(
            28, params={"field": field_, "pageSize": 2, "pageOffset": 2}, datasetId=world.dataset_id
        )
    )
    assert paged == body[2:4]
    past = {"field": field_, "pageSize": 25000, "pageOffset": 25000}
    assert _json(world.call(28, params=past, datasetId=world.dataset_id)) == []


@covers(29)
def test_sample_read_url(world: World) -> None:
    url = _json(
        world.call(
            29, params={"type": "full"}, datasetId=world.dataset_id, sampleId=world.sample_ids[1]
        )
    )
    assert isinstance(url, str)
    download = _fetch_without_token(world, url)
    assert download.status_code == 200, download.text
    assert download.content == world.images[world.file_names[1]]
    missing = world.call(
        29,
        params={"type": "full"},
        datasetId=world.dataset_id,
        sampleId=new_object_id(),
        expect=404,
    )
    _error(missing, 404)


# --- 30, 31: collaboration ----------------------------------------------------------------


@covers(30, 31)
def test_share_and_read_back(world: World) -> None:
    dataset_id = _new_dataset(world)
    assert _json(world.call(31, datasetId=dataset_id)) == []
    users = ["a@example.com", "b@example.com"]
    body = {"accessType": "WRITE", "users": users, "creator": "USER_PIP"}
    created = _json(world.call(30, json_body=body, datasetId=dataset_id))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    listed = _json(world.call(31, datasetId=dataset_id))
    wm.validate(listed, wm.list_of(wm.SHARED_ACCESS_CONFIG_DATA))
    assert [(c["accessType"], c["users"], c["teams"]) for c in listed] == [("WRITE", users, [])]
    # Sharing replaces the list; [] revokes.
    world.call(30, json_body={**body, "users": ["c@example.com"]}, datasetId=dataset_id)
    assert [c["users"] for c in _json(world.call(31, datasetId=dataset_id))] == [["c@example.com"]]
    world.call(30, json_body={**body, "users": []}, datasetId=dataset_id)
    revoked = _json(world.call(31, datasetId=dataset_id))
    wm.validate(revoked, wm.list_of(wm.SHARED_ACCESS_CONFIG_DATA))
    assert all(c["users"] == [] for c in revoked)


# --- 32, 33: samples ----------------------------------------------------------------------


@covers(32)
def test_samples_partial_file_names(world: World) -> None:
    params = {"mode": "fileNames", "pageSize": 25000, "pageOffset": 0}
    body = _json(world.call(32, params=params, datasetId=world.dataset_id))
    wm.validate(body, wm.list_of(wm.SAMPLE_DATA_MODES_FILENAMES))
    assert [(s["id"], s["fileName"]) for s in body] == list(
        zip(world.sample_ids, world.file_names, strict=True)
    )
    past = {"mode": "fileNames", "pageSize": 25000, "pageOffset": 25000}
    assert _json(world.call(32, params=past, datasetId=world.dataset_id)) == []


@covers(33)
def test_update_sample_custom_metadata(world: World) -> None:
    meta = {"image_id": 0, "number_of_people": 3, "weather": {"scenario": "cloudy"}}
    world.call(
        33,
        json_body={"customMetaData": meta},
        datasetId=world.dataset_id,
        sampleId=world.sample_ids[0],
    )
    with session_factory().begin() as session:
        stored = session.get(Sample, world.sample_ids[0])
        assert stored is not None and stored.custom_meta_data == meta
    missing = world.call(
        33,
        json_body={"customMetaData": meta},
        datasetId=world.dataset_id,
        sampleId=new_object_id(),
        expect=404,
    )
    _error(missing, 404)


# --- cross-cutting --------------------------------------------------------------------------


@covers(6)
def test_bad_token_is_rejected_with_an_error_body(world: World) -> None:
    response = world.client.get(f"/v1/datasets/{world.dataset_id}", params={"token": "not-a-token"})
    assert response.status_code in (401, 403)
    _error(response, response.status_code)


@covers(6)
def test_another_users_dataset_is_not_found(world: World) -> None:
    other = make_user()
    _error(world.call(6, datasetId=world.dataset_id, user=other, expect=404), 404)


def test_every_route_of_the_table_is_served_and_exercised(wire_client: TestClient) -> None:
    assert sorted(ROUTES) == list(range(1, 34))
    assert sorted(COVERED) == list(range(1, 34)), (
        f"routes without a test: {set(ROUTES) - set(COVERED)}"
    )
    # The OpenAPI document lists every mounted path operation (routers included).
    paths = wire_client.app.openapi()["paths"]  # type: ignore[attr-defined]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    missing = [
        f"#{n} {method} {path}"
        for n, (method, path, _) in sorted(ROUTES.items())
        if (method, path) not in served
    ]
    assert not missing, f"routes not served: {missing}"
