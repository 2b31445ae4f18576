"""Predictions: task schemas and per-sample predictions land in the LIGHTLY datasource at the
keys the worker reads, in Lightly's format, and the worker's own reader accepts them."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import (
    create_dataset,
    insert_samples,
    make_bucket,
    s3_client,
    set_real_obs,
)
from winnow_common.storage import S3Store
from winnow_gpu_worker.ml.predictions import category_count, load_predictions

NAMES = ["a.png", "sub/b.jpg", "c.png"]
DET = {
    "name": "det",
    "type": "OBJECT_DETECTION",
    "categories": [{"id": 0, "name": "car"}, {"id": 3, "name": "person"}],
}
CLS = {"name": "cls", "type": "CLASSIFICATION", "categories": [{"id": 1, "name": "day"}]}


@pytest.fixture
def dataset(client: TestClient, user: ApiUser) -> dict[str, Any]:
    """INPUT ``in/`` and LIGHTLY ``lightly/`` in one real bucket; three samples."""
    bucket = make_bucket()
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    set_real_obs(client, user.params, dataset_id, "LIGHTLY", f"obs://{bucket}/lightly")
    return {"id": dataset_id, "bucket": bucket, "sample_ids": insert_samples(dataset_id, NAMES)}


def _read(bucket: str, key: str) -> Any:
    return json.loads(s3_client().get_object(Bucket=bucket, Key=f"lightly/{key}")["Body"].read())


def _keys(bucket: str) -> list[str]:
    listed = s3_client().list_objects_v2(Bucket=bucket, Prefix="lightly/")
    return sorted(o["Key"].removeprefix("lightly/") for o in listed.get("Contents", []))


def _task(client: TestClient, user: ApiUser, dataset_id: str, body: Any, **params: Any) -> Any:
    return client.post(
        f"/v1/datasets/{dataset_id}/predictions/tasks",
        params={**user.params, "predictionUUIDTimestamp": 0, **params},
        json=body,
    )


def _predict(client: TestClient, user: ApiUser, dataset_id: str, sample_id: str, body: Any) -> Any:
    return client.post(
        f"/v1/datasets/{dataset_id}/predictions/samples/{sample_id}",
        params={**user.params, "predictionUUIDTimestamp": 0},
        json=body,
    )


def _box(category: int, score: float, bbox: list[float], task: str = "det") -> dict[str, Any]:
    return {"type": "OBJECT_DETECTION", "taskName": task, "categoryId": category,
            "score": score, "bbox": bbox}  # fmt: skip


def test_task_schemas_are_written_and_listed_once(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    first = _task(client, user, dataset["id"], DET)
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"id"} and len(first.json()["id"]) == 24
    assert _read(dataset["bucket"], ".lightly/predictions/det/schema.json") == {
        "task_type": "object-detection",
        "categories": [{"id": 0, "name": "car"}, {"id": 3, "name": "person"}],
    }
    assert _read(dataset["bucket"], ".lightly/predictions/tasks.json") == ["det"]

    # An update replaces the schema, keeps the id and lists the task once.
    renamed = {**DET, "categories": [{"id": 0, "name": "vehicle"}, {"id": 3, "name": "person"}]}
    again = _task(client, user, dataset["id"], renamed)
    assert again.status_code == 201 and again.json() == first.json()
    assert _read(dataset["bucket"], ".lightly/predictions/det/schema.json")["categories"][0] == {
        "id": 0,
        "name": "vehicle",
    }
    assert _task(client, user, dataset["id"], CLS).status_code == 201
    keypoints = {
        "name": "pose",
        "type": "KEYPOINT_DETECTION",
        "categories": [{"id": 0, "name": "human", "keypointNames": ["head", "foot"]}],
    }
    assert _task(client, user, dataset["id"], keypoints).status_code == 201
    assert _read(dataset["bucket"], ".lightly/predictions/tasks.json") == ["det", "cls", "pose"]
    assert _read(dataset["bucket"], ".lightly/predictions/pose/schema.json") == {
        "task_type": "keypoint-detection",
        "categories": [{"id": 0, "name": "human", "keypoint_names": ["head", "foot"]}],
    }
    # Without the (deprecated) version parameter too.
    unversioned = client.post(
        f"/v1/datasets/{dataset['id']}/predictions/tasks", params=user.params, json=CLS
    )
    assert unversioned.status_code == 201


def test_predictions_land_per_sample_and_task_and_the_worker_reads_them(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    assert _task(client, user, dataset["id"], DET).status_code == 201
    assert _task(client, user, dataset["id"], CLS).status_code == 201
    sample_id = dataset["sample_ids"][1]
    body = [
        _box(0, 0.9, [1, 2, 10.5, 20]),
        _box(3, 0.4, [0, 0, 5, 5]) | {"probabilities": [0.6, 0.4]},
        {"type": "CLASSIFICATION", "taskName": "cls", "categoryId": 1, "score": 1},
    ]
    response = _predict(client, user, dataset["id"], sample_id, body)
    assert response.status_code == 201, response.text
    assert response.json() == {"id": sample_id}
    assert _read(dataset["bucket"], ".lightly/predictions/det/sub/b.json") == {
        "file_name": "sub/b.jpg",
        "predictions": [
            {"category_id": 0, "score": 0.9, "bbox": [1.0, 2.0, 10.5, 20.0]},
            {"category_id": 3, "score": 0.4, "bbox": [0, 0, 5, 5], "probabilities": [0.6, 0.4]},
        ],
    }
    assert _read(dataset["bucket"], ".lightly/predictions/cls/sub/b.json") == {
        "file_name": "sub/b.jpg",
        "predictions": [{"category_id": 1, "score": 1.0}],
    }
    # The same upload again replaces (never appends); another sample gets its own file.
    assert _predict(client, user, dataset["id"], sample_id, body[:1]).status_code == 201
    other = dataset["sample_ids"][0]
    assert _predict(client, user, dataset["id"], other, [_box(3, 0.5, [0, 0, 1, 1])]).is_success
    assert _read(dataset["bucket"], ".lightly/predictions/det/sub/b.json")["predictions"] == [
        {"category_id": 0, "score": 0.9, "bbox": [1.0, 2.0, 10.5, 20.0]}
    ]

    # The worker's reader, on the same store, finds exactly these predictions.
    store = S3Store(
        bucket=dataset["bucket"],
        prefix="lightly",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region="us-east-1",
    )
    preds = load_predictions(store.list_files, store.read, "det", NAMES)
    assert preds.task_type == "object-detection"
    assert category_count(preds, NAMES, ["person"]).tolist() == [1, 0, 0]
    assert category_count(preds, NAMES).tolist() == [1, 1, 0]


@pytest.mark.parametrize(
    ("prediction", "field"),
    [
        (_box(7, 0.5, [0, 0, 1, 1]), "categoryId"),
        (_box(0, 0.5, [0, 0, 1]), "bbox"),
        (_box(0, 1.5, [0, 0, 1, 1]), "score"),
        (_box(0, 0.5, [0, 0, 1, 1]) | {"probabilities": [1.0]}, "probabilities"),
        (_box(0, 0.5, [0, 0, 1, 1], task="nope"), "taskName"),
        (_box(0, 0.5, [0, 0, 1, 1], task="a/b"), "taskName"),
        ({"type": "CLASSIFICATION", "taskName": "det", "categoryId": 0, "score": 1}, "type"),
        ({"type": "OBJECT_DETECTION", "taskName": "det", "categoryId": 0, "score": 1}, "bbox"),
        (_box(0, 0.5, [0, 0, 1, 1]) | {"extra": 1}, "extra"),
    ],
)
def test_bad_predictions_are_refused_naming_the_field(
    client: TestClient, user: ApiUser, dataset: dict[str, Any], prediction: Any, field: str
) -> None:
    assert _task(client, user, dataset["id"], DET).status_code == 201
    good = _box(0, 0.5, [0, 0, 1, 1])
    response = _predict(client, user, dataset["id"], dataset["sample_ids"][0], [good, prediction])
    assert response.status_code == 422, response.text
    assert field in response.json()["error"].split(":")[0], response.json()
    # Nothing was written: the good prediction of the same request neither.
    assert _keys(dataset["bucket"]) == [
        ".lightly/predictions/det/schema.json",
        ".lightly/predictions/tasks.json",
    ]


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ({**DET, "categories": [{"id": 0, "name": "a"}, {"id": 0, "name": "b"}]}, "categories"),
        ({**DET, "categories": [{"id": 0, "name": "a"}, {"id": 1, "name": "a"}]}, "categories"),
        ({**DET, "categories": []}, "categories"),
        ({**DET, "categories": [{"id": -1, "name": "a"}]}, "categories"),
        ({**DET, "name": "a/b"}, "name"),
        ({**DET, "name": ".."}, "name"),
        ({**DET, "type": "CAPTIONING"}, "type"),
    ],
)
def test_bad_task_schemas_are_refused_naming_the_field(
    client: TestClient, user: ApiUser, dataset: dict[str, Any], schema: Any, field: str
) -> None:
    response = _task(client, user, dataset["id"], schema)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"].split(":")[0], response.json()
    assert _keys(dataset["bucket"]) == []


def test_access_and_datasource_errors(
    client: TestClient, user: ApiUser, other_user: ApiUser, dataset: dict[str, Any]
) -> None:
    foreign = _task(client, other_user, dataset["id"], DET)
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
    sample_id = dataset["sample_ids"][0]
    foreign = _predict(client, other_user, dataset["id"], sample_id, [])
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
    unknown = _predict(client, user, dataset["id"], "0" * 24, [])
    assert unknown.status_code == 404 and unknown.json()["code"] == "SAMPLE_UNKNOWN"
    negative = _task(client, user, dataset["id"], DET, predictionUUIDTimestamp=-1)
    assert negative.status_code == 422
    assert negative.json()["error"].startswith("predictionUUIDTimestamp")

    bare = create_dataset(client, user.params)
    set_real_obs(client, user.params, bare, "INPUT", f"obs://{dataset['bucket']}/in")
    bare_sample = insert_samples(bare, ["x.png"])[0]
    for response in (
        _task(client, user, bare, DET),
        _predict(client, user, bare, bare_sample, [_box(0, 0.5, [0, 0, 1, 1])]),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"
        assert response.json()["error"].startswith("datasource: ")
    assert _keys(dataset["bucket"]) == []
