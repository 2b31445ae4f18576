"""Wire routes 11-22: the worker registry, configs and scheduled runs, runs, their tags and
artifact read URLs."""

from __future__ import annotations

import uuid

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import (
    PAGE_PAST_END,
    World,
    error_body,
    fetch_without_token,
    json_of,
)
from winnow_common.ids import new_object_id

# --- 11..13: workers ----------------------------------------------------------------------


@covers(11, 12, 13)
def test_worker_registry(world: World) -> None:
    name = f"worker-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "workerType": "FULL", "labels": ["gpu"], "creator": "USER_PIP"}
    created = json_of(world.call(11, json_body=body))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    again = json_of(world.call(11, json_body=body))
    assert again["id"] == created["id"], "registration is idempotent by name"
    listed = json_of(world.call(12))
    wm.validate(listed, wm.list_of(wm.DOCKER_WORKER_REGISTRY_ENTRY_DATA))
    by_id = {w["id"]: w for w in listed}
    assert by_id[created["id"]]["name"] == name and by_id[created["id"]]["labels"] == ["gpu"]
    assert world.worker_id in by_id
    world.call(13, workerId=created["id"])
    assert created["id"] not in [w["id"] for w in json_of(world.call(12))]


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
    config = json_of(world.call(14, json_body=V4_CONFIG))
    wm.validate(config, wm.CREATE_ENTITY_RESPONSE)
    body = {"configId": config["id"], "priority": "MID", "runsOn": [], "creator": "USER_PIP"}
    scheduled = json_of(world.call(15, json_body=body, datasetId=world.dataset_id))
    wm.validate(scheduled, wm.CREATE_ENTITY_RESPONSE)
    world.extra["scheduled_by_api"] = scheduled["id"]
    listed = json_of(world.call(16, datasetId=world.dataset_id))
    assert scheduled["id"] in [s["id"] for s in listed]
    # Not picked up (no worker consumes the test queue): 404 until a run exists.
    error_body(world.call(17, scheduledId=scheduled["id"], expect=404), 404)


@covers(16)
def test_list_scheduled_runs(world: World) -> None:
    open_ = json_of(world.call(16, datasetId=world.dataset_id))
    wm.validate(open_, wm.list_of(wm.DOCKER_RUN_SCHEDULED_DATA))
    ids = [s["id"] for s in open_]
    # Without ?state: every scheduled run not DONE/CANCELED (LOCKED included, §6.10).
    assert world.open_scheduled_id in ids and world.scheduled_id not in ids
    for state in ("OPEN", "LOCKED", "DONE", "CANCELED"):
        body = json_of(world.call(16, params={"state": state}, datasetId=world.dataset_id))
        wm.validate(body, wm.list_of(wm.DOCKER_RUN_SCHEDULED_DATA))
        assert {s["state"] for s in body} <= {state}
    done = json_of(world.call(16, params={"state": "DONE"}, datasetId=world.dataset_id))
    assert [s["id"] for s in done] == [world.scheduled_id]


@covers(17)
def test_run_of_scheduled_run(world: World) -> None:
    body = json_of(world.call(17, scheduledId=world.scheduled_id))
    wm.validate(body, wm.DOCKER_RUN_DATA_WORKFLOW)
    assert body["id"] == world.run_id and body["scheduledId"] == world.scheduled_id
    error_body(world.call(17, scheduledId=new_object_id(), expect=404), 404)


# --- 18..22: runs --------------------------------------------------------------------------


@covers(18)
def test_list_runs(world: World) -> None:
    body = json_of(world.call(18, params={"pageSize": 5000, "pageOffset": 0}))
    wm.validate(body, wm.list_of(wm.DOCKER_RUN_DATA_WORKFLOW))
    assert world.run_id in [r["id"] for r in body]
    assert json_of(world.call(18, params=PAGE_PAST_END)) == []


@covers(19)
def test_list_runs_of_dataset(world: World) -> None:
    body = json_of(
        world.call(19, params={"pageSize": 5000, "pageOffset": 0}, datasetId=world.dataset_id)
    )
    wm.validate(body, wm.list_of(wm.DOCKER_RUN_DATA_WORKFLOW))
    assert [r["id"] for r in body] == [world.run_id]
    assert json_of(world.call(19, params=PAGE_PAST_END, datasetId=world.dataset_id)) == []


@covers(20)
def test_get_run(world: World) -> None:
    body = json_of(world.call(20, runId=world.run_id))
    wm.validate(body, wm.DOCKER_RUN_DATA_WORKFLOW)
    assert body["state"] == "COMPLETED" and body["datasetId"] == world.dataset_id
    assert [a["id"] for a in body["artifacts"]] == [world.artifact_id]
    error_body(world.call(20, runId=new_object_id(), expect=404), 404)


@covers(21)
def test_run_tags_newest_first(world: World) -> None:
    body = json_of(world.call(21, runId=world.run_id))
    wm.validate(body, wm.list_of(wm.TAG_DATA))
    assert [t["id"] for t in body] == [world.subset_tag_id, world.initial_tag_id]


@covers(22)
def test_artifact_read_url(world: World) -> None:
    url = json_of(world.call(22, runId=world.run_id, artifactId=world.artifact_id))
    assert isinstance(url, str)
    download = fetch_without_token(world, url)
    assert download.status_code == 200, download.text
    assert "content-encoding" not in download.headers
    assert download.content == world.artifact_bytes
    error_body(world.call(22, runId=world.run_id, artifactId=new_object_id(), expect=404), 404)
