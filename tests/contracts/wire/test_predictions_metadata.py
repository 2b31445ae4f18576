"""Wire routes 45-47: prediction task schemas, per-sample predictions and the custom metadata
configuration, with the bodies the lightly 1.5.26 client sends (its models' JSON)."""

from __future__ import annotations

import json
from typing import Any

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import World, error_body, json_of, new_dataset
from winnow_common.ids import new_object_id

# What ``PredictionTaskSchema(...).to_dict()`` and ``PredictionSingleton(...).to_dict()`` send.
SCHEMA = {
    "name": "wire-det",
    "type": "OBJECT_DETECTION",
    "categories": [{"id": 0, "name": "dog"}, {"id": 1, "name": "cat"}],
}
SINGLETONS = [
    {"type": "OBJECT_DETECTION", "taskName": "wire-det", "categoryId": 1, "score": 0.5,
     "bbox": [1, 2, 3, 4], "probabilities": [0.25, 0.75]},
]  # fmt: skip
CONFIG = {
    "name": "wire config",
    "configs": [
        {"name": "Weather", "path": "weather", "valueDataType": "CATEGORICAL_STRING",
         "defaultValue": None},
    ],
}  # fmt: skip


def _lightly_json(world: World, key: str) -> Any:
    bucket = world.stack_env["S3_LIGHTLY_BUCKET"]
    obj = world.s3.get_object(Bucket=bucket, Key=f"{world.prefix}/lightly/{key}")
    return json.loads(obj["Body"].read())


@covers(45)
def test_create_or_update_prediction_task_schema(world: World) -> None:
    params = {"predictionUUIDTimestamp": 0}
    created = json_of(world.call(45, params=params, json_body=SCHEMA, datasetId=world.dataset_id))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    again = world.call(45, params=params, json_body=SCHEMA, datasetId=world.dataset_id)
    assert again.status_code == 201 and json_of(again) == created
    assert _lightly_json(world, ".lightly/predictions/wire-det/schema.json") == {
        "task_type": "object-detection",
        "categories": SCHEMA["categories"],
    }
    assert _lightly_json(world, ".lightly/predictions/tasks.json").count("wire-det") == 1
    bad = {**SCHEMA, "categories": [{"id": 0, "name": "a"}, {"id": 0, "name": "b"}]}
    refused = world.call(45, json_body=bad, datasetId=world.dataset_id, expect=422)
    assert error_body(refused, 422)["error"].startswith("categories:")
    foreign = world.call(45, json_body=SCHEMA, datasetId=new_object_id(), expect=404)
    assert error_body(foreign, 404)["code"] == "DATASET_UNKNOWN"
    bare = world.call(45, json_body=SCHEMA, datasetId=new_dataset(world), expect=404)
    assert error_body(bare, 404)["error"].startswith("datasource:")


@covers(46)
def test_create_or_update_prediction_by_sample_id(world: World) -> None:
    world.call(45, json_body=SCHEMA, datasetId=world.dataset_id)
    sample_id, file_name = world.sample_ids[1], world.file_names[1]
    response = world.call(
        46,
        params={"predictionUUIDTimestamp": 7},
        json_body=SINGLETONS,
        datasetId=world.dataset_id,
        sampleId=sample_id,
    )
    assert response.status_code == 201
    body = json_of(response)
    wm.validate(body, wm.CREATE_ENTITY_RESPONSE)
    assert body == {"id": sample_id}
    stem = file_name.rsplit(".", 1)[0]
    assert _lightly_json(world, f".lightly/predictions/wire-det/{stem}.json") == {
        "file_name": file_name,
        "predictions": [
            {"category_id": 1, "score": 0.5, "bbox": [1, 2, 3, 4], "probabilities": [0.25, 0.75]}
        ],
    }
    wrong = [{**SINGLETONS[0], "categoryId": 9}]
    refused = world.call(
        46, json_body=wrong, datasetId=world.dataset_id, sampleId=sample_id, expect=422
    )
    assert error_body(refused, 422)["error"].startswith("categoryId:")
    missing = world.call(
        46, json_body=SINGLETONS, datasetId=world.dataset_id, sampleId=new_object_id(), expect=404
    )
    assert error_body(missing, 404)["code"] == "SAMPLE_UNKNOWN"


@covers(47)
def test_create_meta_data_configuration(world: World) -> None:
    created = json_of(world.call(47, json_body=CONFIG, datasetId=world.dataset_id))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    schema = _lightly_json(world, ".lightly/metadata/schema.json")
    assert CONFIG["configs"][0] in schema
    bad = {**CONFIG, "configs": [{**CONFIG["configs"][0], "valueDataType": "NUMBER"}]}  # type: ignore[dict-item]
    refused = world.call(47, json_body=bad, datasetId=world.dataset_id, expect=422)
    assert error_body(refused, 422)["error"].startswith("configs.0.valueDataType:")
    foreign = world.call(47, json_body=CONFIG, datasetId=new_object_id(), expect=404)
    assert error_body(foreign, 404)["code"] == "DATASET_UNKNOWN"
