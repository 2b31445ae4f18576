"""Issue 10, names and ids: overlong names, tag name conflicts, unknown ids, bad tokens and expired
links get a 4xx naming the field, never a 500.

Every error body is ``{"code": ..., "error": "<field>: <problem>"}`` (see hardening_helpers.py).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.hardening_helpers import (
    assert_field_error,
    sample_of,
    user_id_of,
)
from tests.api.helpers import (
    create_dataset,
    insert_samples,
    insert_tag,
)

# --- 15. names longer than their String(256) columns (StringDataRightTruncation) ------------


def test_overlong_names_are_422_naming_name(client: TestClient, user: ApiUser) -> None:
    long = "n" * 257
    assert_field_error(
        client.post("/v1/datasets", params=user.params, json={"name": long}), 422, "name"
    )
    dataset_id = create_dataset(client, user.params)
    insert_samples(dataset_id, ["a.png"])
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    tag = client.post(
        f"/v1/datasets/{dataset_id}/tags",
        params=user.params,
        json={"name": long, "prevTagId": tag_id, "bitMaskData": "0x1", "totSize": 1},
    )
    assert_field_error(tag, 422, "name")
    arithmetics = client.post(
        f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
        params=user.params,
        json={"tagId1": tag_id, "tagId2": tag_id, "operation": "UNION", "newTagName": long},
    )
    assert_field_error(arithmetics, 422, "newTagName")


# --- 20. tag conflicts name their field ----------------------------------------------------


def test_tag_conflicts_are_409_naming_the_field(client: TestClient, user: ApiUser) -> None:
    from winnow_common.db.models import Run, ScheduledRun, Tag, WorkerConfig
    from winnow_common.db.session import session_factory

    dataset_id = create_dataset(client, user.params)
    insert_samples(dataset_id, ["a.png", "b.png"])
    tag_id = insert_tag(dataset_id, "initial-tag", "0x3", 2)
    user_id = user_id_of(user)
    with session_factory().begin() as session:
        config = WorkerConfig(user_id=user_id, version="V4", config={})
        session.add(config)
        session.flush()
        scheduled = ScheduledRun(
            dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="DONE"
        )
        session.add(scheduled)
        session.flush()
        run = Run(
            user_id=user_id,
            dataset_id=dataset_id,
            config_id=config.id,
            scheduled_id=scheduled.id,
            docker_version="0.1.0",
        )
        session.add(run)
        session.flush()
        session.add(
            Tag(
                dataset_id=dataset_id,
                run_id=run.id,
                name="run-tag",
                bit_mask_data="0x1",
                tot_size=2,
            )
        )
        run_id = run.id

    def create(**body: Any) -> httpx.Response:
        defaults = {"prevTagId": tag_id, "bitMaskData": "0x1", "totSize": 2}
        response: httpx.Response = client.post(
            f"/v1/datasets/{dataset_id}/tags", params=user.params, json={**defaults, **body}
        )
        return response

    assert_field_error(create(name="initial-tag"), 409, "name")
    # A run's tags are its selection tag and any tag a user creates with its runId (wire §3.8):
    # only the worker's selection tag is unique per run, so this is no conflict.
    second = create(name="second-tag-of-run", runId=run_id)
    assert second.status_code == 201, second.text
    run_tags = client.get(f"/v1/docker/runs/{run_id}/tags", params=user.params).json()
    assert sorted(t["name"] for t in run_tags) == ["run-tag", "second-tag-of-run"]
    arithmetics = client.post(
        f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
        params=user.params,
        json={"tagId1": tag_id, "tagId2": tag_id, "operation": "UNION", "newTagName": "run-tag"},
    )
    assert_field_error(arithmetics, 409, "newTagName")


# --- 22. unknown ids, tokens and expired links: the 4xx names the field too -----------------


def test_unknown_ids_tokens_and_links_name_their_field(client: TestClient, user: ApiUser) -> None:
    unknown = "0" * 24
    dataset_id, sample_id = sample_of(client, user)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    p = user.params
    assert_field_error(client.get("/v1/datasets", params={"token": "nope"}), 401, "token")
    assert_field_error(client.get("/v1/datasets"), 401, "token")
    assert_field_error(client.get(f"/v1/datasets/{unknown}", params=p), 404, "datasetId")
    assert_field_error(
        client.get(f"/v1/datasets/{dataset_id}/samples/{unknown}/readurl", params=p),
        404,
        "sampleId",
    )
    assert_field_error(
        client.get(f"/v1/datasets/{dataset_id}/tags/{unknown}", params=p), 404, "tagId"
    )
    tag = {"name": "second", "prevTagId": unknown, "bitMaskData": "0x1", "totSize": 1}
    assert_field_error(
        client.post(f"/v1/datasets/{dataset_id}/tags", params=p, json=tag), 404, "prevTagId"
    )
    for field, body in (
        ("tagId1", {"tagId1": unknown, "tagId2": tag_id}),
        ("tagId2", {"tagId1": tag_id, "tagId2": unknown}),
    ):
        arithmetics = client.post(
            f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
            params=p,
            json={**body, "operation": "UNION"},
        )
        assert_field_error(arithmetics, 404, field)
    schedule = client.post(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=p, json={"configId": unknown}
    )
    assert_field_error(schedule, 404, "configId")
    assert_field_error(client.get(f"/v1/docker/runs/{unknown}", params=p), 404, "runId")
    assert_field_error(
        client.get(f"/v1/docker/runs/schedule/{unknown}", params=p), 404, "scheduledId"
    )
    expired = client.get(
        f"/v1/files/datasets/{dataset_id}/samples/{sample_id}",
        params={"expires": 1, "signature": "x"},
    )
    assert_field_error(expired, 401, "expires")
    far = int(time.time()) + 3600
    missing_sample = client.get(
        f"/v1/files/datasets/{dataset_id}/samples/{unknown}",
        params={"expires": far, "signature": "x"},
    )
    assert_field_error(missing_sample, 401, "signature")
