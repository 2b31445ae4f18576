"""Custom metadata, one store: the Configurator's entries and ``upload_custom_metadata``'s
per-sample PUTs land in the LIGHTLY datasource's ``.lightly/metadata/`` (Lightly's format),
where the worker's METADATA input reads them with each configured path's default."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import ApiUser
from tests.api.helpers import (
    create_dataset,
    insert_samples,
    make_bucket,
    s3_client,
    set_real_obs,
)
from winnow_common.db.models import MetadataConfiguration, Sample
from winnow_common.db.session import session_factory
from winnow_common.storage import S3Store
from winnow_gpu_worker.ml.custom_metadata import (
    load_custom_metadata,
    load_metadata_schema,
    metadata_values,
)

NAMES = ["a.png", "sub/b.jpg", "c.png"]
TEMPERATURE = {
    "name": "Temperature",
    "path": "weather.temperature",
    "defaultValue": 50,
    "valueDataType": "NUMERIC_FLOAT",
}
SCENARIO = {
    "name": "Scenario",
    "path": "weather.scenario",
    "defaultValue": None,
    "valueDataType": "CATEGORICAL_STRING",
}


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


def _configure(client: TestClient, user: ApiUser, dataset_id: str, body: Any) -> Any:
    return client.post(
        f"/v1/datasets/{dataset_id}/configuration/metadata", params=user.params, json=body
    )


def _store(bucket: str) -> S3Store:
    return S3Store(
        bucket=bucket,
        prefix="lightly",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region="us-east-1",
    )


def test_configurations_are_stored_and_written_to_schema_json(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    first = _configure(client, user, dataset["id"], {"name": "Weather", "configs": [TEMPERATURE]})
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"id"}
    assert _read(dataset["bucket"], ".lightly/metadata/schema.json") == [TEMPERATURE]

    # A second configuration adds its paths; for a path configured again the newest wins.
    newer = {**TEMPERATURE, "name": "Temp (C)", "defaultValue": 0}
    second = _configure(client, user, dataset["id"], {"name": "More", "configs": [SCENARIO, newer]})
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    assert _read(dataset["bucket"], ".lightly/metadata/schema.json") == [newer, SCENARIO]
    with session_factory()() as session:
        rows = session.scalars(
            select(MetadataConfiguration)
            .where(MetadataConfiguration.dataset_id == dataset["id"])
            .order_by(MetadataConfiguration.created_at, MetadataConfiguration.id)
        ).all()
        assert [(r.id, r.name, r.configs) for r in rows] == [
            (first.json()["id"], "Weather", [TEMPERATURE]),
            (second.json()["id"], "More", [SCENARIO, newer]),
        ]


def test_uploaded_metadata_and_configured_default_reach_the_worker_reader(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    configured = _configure(client, user, dataset["id"], {"name": "W", "configs": [TEMPERATURE]})
    assert configured.status_code == 201
    meta = {"image_id": 1, "weather": {"temperature": 12.5, "scenario": "rainy"}}
    url = f"/v1/datasets/{dataset['id']}/samples/{dataset['sample_ids'][1]}"
    assert client.put(url, params=user.params, json={"customMetaData": meta}).status_code == 200
    assert _read(dataset["bucket"], ".lightly/metadata/sub/b.json") == {
        "file_name": "sub/b.jpg",
        "type": "image",
        "metadata": meta,
    }
    with session_factory()() as session:  # the row keeps its copy for the API's listings
        stored = session.get(Sample, dataset["sample_ids"][1])
        assert stored is not None and stored.custom_meta_data == meta
    # A second PUT replaces the whole record, as lightly's customMetaData does.
    replaced = {"image_id": 1, "weather": {"temperature": 30}}
    assert client.put(url, params=user.params, json={"customMetaData": replaced}).is_success
    assert _read(dataset["bucket"], ".lightly/metadata/sub/b.json")["metadata"] == replaced

    store = _store(dataset["bucket"])
    schema = load_metadata_schema(store.list_files, store.read)
    records = load_custom_metadata(store.list_files, store.read, NAMES)
    assert records == {"sub/b.jpg": replaced}
    values = metadata_values(records, "weather.temperature", NAMES, schema)
    assert values.tolist() == [50.0, 30.0, 50.0]  # type: ignore[union-attr]
    without_config = metadata_values(records, "weather.temperature", NAMES)
    assert [math.isnan(v) for v in without_config] == [True, False, True]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({**TEMPERATURE, "path": ""}, "configs.0.path"),
        ({**TEMPERATURE, "path": "a..b"}, "configs.0.path"),
        ({**TEMPERATURE, "name": ""}, "configs.0.name"),
        ({**TEMPERATURE, "valueDataType": "NUMERIC_COMPLEX"}, "configs.0.valueDataType"),
        ({k: v for k, v in TEMPERATURE.items() if k != "defaultValue"}, "configs.0.defaultValue"),
        ({**TEMPERATURE, "colour": "red"}, "configs.0.colour"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(
    client: TestClient, user: ApiUser, dataset: dict[str, Any], entry: Any, field: str
) -> None:
    response = _configure(client, user, dataset["id"], {"name": "W", "configs": [entry]})
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith(f"{field}:"), response.json()
    assert _keys(dataset["bucket"]) == []


def test_config_errors(
    client: TestClient, user: ApiUser, other_user: ApiUser, dataset: dict[str, Any]
) -> None:
    twice = _configure(client, user, dataset["id"], {"name": "W", "configs": [TEMPERATURE] * 2})
    assert twice.status_code == 422 and twice.json()["error"].startswith("configs:")
    long_name = _configure(client, user, dataset["id"], {"name": "n" * 300, "configs": []})
    assert long_name.status_code == 422 and long_name.json()["error"].startswith("name:")
    foreign = _configure(client, other_user, dataset["id"], {"name": "W", "configs": []})
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
    assert _keys(dataset["bucket"]) == []

    bare = create_dataset(client, user.params)
    no_lightly = _configure(client, user, bare, {"name": "W", "configs": [TEMPERATURE]})
    assert no_lightly.status_code == 404
    assert no_lightly.json()["error"].startswith("datasource: ")
    with session_factory()() as session:
        assert not session.scalars(
            select(MetadataConfiguration).where(MetadataConfiguration.dataset_id == bare)
        ).all()
