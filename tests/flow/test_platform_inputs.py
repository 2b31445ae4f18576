"""Platform inputs drive a real run: predictions, custom metadata and a metadata configuration
uploaded through the API (routes 45-47 and the sample PUT) are what the worker's PREDICTIONS and
METADATA selection inputs and the report read, exactly as files put under ``.lightly/`` would be.

A first run brings the 12 images into the dataset as samples (predictions and metadata are
uploaded per sample); the second selects with THRESHOLD filters on both inputs.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.flow.conftest import Api, ImageSet, _image, schedule_config, upload
from tests.flow.test_end_to_end import (
    _bucket_lines,
    _create_dataset_with_sources,
    _download,
    _follow,
)
from tests.flow.test_worker_features import _selected

pytestmark = pytest.mark.flow

N_IMAGES = 12
DIVERSITY = {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
# Persons per image (images 0-3 and 8-9 have predictions), temperature per image (0-7 have
# metadata; 8-11 fall back to the configured default of 50).
PERSONS = {0: 1, 1: 2, 2: 1, 3: 3, 8: 1, 9: 2}
TEMPERATURES = {0: 10.0, 1: 25.0, 2: 30.0, 3: 5.0, 4: 25.0, 5: 25.0, 6: 25.0, 7: 25.0}
# Selected: a person and warmer than 20 degrees (8 and 9 only through the default).
EXPECTED = {1, 2, 8, 9}


def _images() -> tuple[ImageSet, list[str]]:
    names = [f"img_{i:02d}.png" for i in range(N_IMAGES)]
    files = {name: _image(300 + i, "PNG") for i, name in enumerate(names)}
    prefix = f"inputs-{uuid.uuid4().hex[:8]}"
    images = ImageSet(prefix=prefix, files=files, corrupt=set(), duplicates=set())
    return images, names


def _sample_ids(api: Api, dataset_id: str) -> dict[str, str]:
    response = api.call(
        "GET",
        f"/v1/datasets/{dataset_id}/samples/partial",
        params={"mode": "fileNames", "pageSize": 25000, "pageOffset": 0},
    )
    assert response.status_code == 200, response.text
    return {s["fileName"]: s["id"] for s in response.json()}


def _upload_inputs(api: Api, dataset_id: str, names: list[str]) -> None:
    """What a lightly user does: a task schema, predictions, metadata, a configuration."""
    base = f"/v1/datasets/{dataset_id}"
    schema = {
        "name": "det",
        "type": "OBJECT_DETECTION",
        "categories": [{"id": 0, "name": "car"}, {"id": 1, "name": "person"}],
    }
    version = {"predictionUUIDTimestamp": 0}
    task = api.call("POST", f"{base}/predictions/tasks", params=version, json=schema)
    assert task.status_code == 201, task.text
    ids = _sample_ids(api, dataset_id)
    assert sorted(ids) == names
    for i, persons in PERSONS.items():
        boxes = [
            {"type": "OBJECT_DETECTION", "taskName": "det", "categoryId": 1,
             "score": 0.9, "bbox": [j, j, 8, 16]}
            for j in range(persons)
        ] + [{"type": "OBJECT_DETECTION", "taskName": "det", "categoryId": 0,
              "score": 0.5, "bbox": [20, 20, 10, 10]}]  # fmt: skip
        url = f"{base}/predictions/samples/{ids[names[i]]}"
        assert api.call("POST", url, params=version, json=boxes).status_code == 201
    for i, temperature in TEMPERATURES.items():
        meta = {"image_id": i, "weather": {"temperature": temperature, "scenario": "sunny"}}
        put = api.call("PUT", f"{base}/samples/{ids[names[i]]}", json={"customMetaData": meta})
        assert put.status_code == 200, put.text
    entry = {
        "name": "Temperature",
        "path": "weather.temperature",
        "defaultValue": 50,
        "valueDataType": "NUMERIC_FLOAT",
    }
    config = api.call(
        "POST", f"{base}/configuration/metadata", json={"name": "Weather", "configs": [entry]}
    )
    assert config.status_code == 201, config.text


def _selection_config() -> dict[str, Any]:
    return {
        "selection": {
            "proportionSamples": 1.0,
            "strategies": [
                {
                    "input": {"type": "METADATA", "key": "weather.temperature"},
                    "strategy": {"type": "THRESHOLD", "threshold": 20, "operation": "BIGGER"},
                },
                {
                    "input": {
                        "type": "PREDICTIONS",
                        "task": "det",
                        "name": "CATEGORY_COUNT",
                        "categories": ["person"],
                    },
                    "strategy": {"type": "THRESHOLD", "threshold": 0, "operation": "BIGGER"},
                },
                DIVERSITY,
            ],
        }
    }


def _check_run_folder(
    s3: Any, bucket: str, root: str, names: list[str], selected: list[str]
) -> None:
    """The run folder the reporter reads carries the uploaded inputs."""
    lines = _bucket_lines(s3, bucket, f"{root}/data/metadata.jsonl")
    custom = {r["filename"]: r.get("custom") for r in map(json.loads, lines)}
    assert custom[names[1]] == {
        "image_id": 1,
        "weather": {"temperature": 25.0, "scenario": "sunny"},
    }
    assert custom[names[9]] is None
    stored = s3.get_object(Bucket=bucket, Key=f"{root}/data/predictions.json")
    digest = json.loads(stored["Body"].read())
    det = digest["det"]
    assert det["taskType"] == "object-detection"
    assert det["categoryIdToName"] == {"0": "car", "1": "person"}
    for i, name in enumerate(names):
        expected = ["car"] + ["person"] * PERSONS[i] if i in PERSONS else []
        assert sorted(det["samples"][name]["categories"]) == expected, name
    assert sorted(selected) == sorted(names[i] for i in EXPECTED)


def test_api_uploaded_predictions_and_metadata_drive_the_selection_and_the_report(
    api: Api, services: dict[str, str], s3: Any
) -> None:
    images, names = _images()
    upload(s3, services["S3_INPUT_BUCKET"], images)
    lightly_bucket = services["S3_LIGHTLY_BUCKET"]
    dataset_id = _create_dataset_with_sources(
        api,
        services,
        f"obs://{services['S3_INPUT_BUCKET']}/{images.prefix}",
        f"obs://{lightly_bucket}/{images.prefix}",
    )
    first_config = {"selection": {"nSamples": N_IMAGES, "strategies": [DIVERSITY]}}
    first, _ = _follow(api, schedule_config(api, dataset_id, first_config))
    assert first["state"] == "COMPLETED", first["message"]

    _upload_inputs(api, dataset_id, names)
    # The uploads are files of the LIGHTLY datasource, where a user would have put them.
    listed = s3.list_objects_v2(Bucket=lightly_bucket, Prefix=f"{images.prefix}/.lightly/")
    keys = {o["Key"].removeprefix(f"{images.prefix}/") for o in listed["Contents"]}
    assert {".lightly/predictions/tasks.json", ".lightly/predictions/det/schema.json",
            ".lightly/predictions/det/img_03.json", ".lightly/metadata/img_07.json",
            ".lightly/metadata/schema.json"} <= keys  # fmt: skip

    second, _ = _follow(api, schedule_config(api, dataset_id, _selection_config()))
    assert second["state"] == "COMPLETED", second["message"]
    selected = _selected(api, dataset_id, f"run-{second['id']}")
    root = f"{images.prefix}/.lightly/runs/{second['id']}"
    _check_run_folder(s3, lightly_bucket, root, names, selected)

    report = json.loads(_download(api, second, "REPORT_V2_JSON").content)
    task = report["predictionTaskInformation"]["det"]
    assert task["categoryIdToName"] == {"0": "car", "1": "person"}
    # Every selected image has one car and its persons: 2 + 1 + 1 + 2 persons.
    assert task["categoryDistribution"]["selected"]["counts"] == {"car": 4, "person": 6}
    custom = report["datasetAnalysis"]["metadataInformation"]["customNumeric"]
    assert "weather.temperature" in custom
