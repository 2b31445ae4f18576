"""Wire routes 8-10: datasources of every type, their secrets (encrypted at rest, masked on
read) and the verify route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import World, error_body, json_of, new_dataset
from winnow_common.db.session import session_factory

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


@covers(8, 9)
@pytest.mark.parametrize("type_", list(DATASOURCE_BODIES))
def test_put_and_get_datasource(world: World, type_: str) -> None:
    dataset_id = new_dataset(world)
    thumb = ".lightly/thumbnails/[filename]_thumb.[extension]"
    for purpose in ("INPUT", "LIGHTLY"):
        body = {"purpose": purpose, "type": type_, "thumbSuffix": thumb, **DATASOURCE_BODIES[type_]}
        world.call(8, json_body=body, datasetId=dataset_id)
    plain = json_of(world.call(9, datasetId=dataset_id))
    wm.validate(plain, wm.DATASOURCE_CONFIG)
    assert (plain["purpose"], plain["type"]) == ("INPUT", type_)
    for purpose in ("INPUT", "LIGHTLY"):
        got = json_of(world.call(9, params={"purpose": purpose}, datasetId=dataset_id))
        wm.validate(got, wm.DATASOURCE_CONFIG)
        assert got["purpose"] == purpose and got["fullPath"] == DATASOURCE_BODIES[type_]["fullPath"]
    error_body(
        world.call(9, params={"purpose": "INPUT_OUTPUT"}, datasetId=dataset_id, expect=404), 404
    )


@covers(8, 9)
@pytest.mark.parametrize("type_", list(SECRET_FIELDS))
def test_datasource_secrets_are_encrypted_at_rest_and_masked(world: World, type_: str) -> None:
    dataset_id = new_dataset(world)
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
    got = json_of(world.call(9, datasetId=dataset_id))
    wm.validate(got, wm.DATASOURCE_CONFIG)
    assert marker not in json.dumps(got), got
    assert got[SECRET_FIELDS[type_]], "required secret fields must be masked, not empty"


@covers(10)
def test_verify_datasource(world: World) -> None:
    body = json_of(world.call(10, datasetId=world.dataset_id))
    wm.validate(body, wm.DATASOURCE_CONFIG_VERIFY_DATA)
    assert body["canRead"] is True and body["canList"] is True, body
