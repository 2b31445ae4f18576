"""All seven datasource types over HTTP, and the real datasource verification (route 10)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, make_bucket, s3_client, set_obs, set_real_obs
from winnow_common.db.models import Datasource
from winnow_common.db.session import session_factory

THUMB = ".lightly/thumbnails/[filename]_thumb.[extension]"
BASE = {"id", "purpose", "type", "thumbSuffix", "fullPath"}
VERIFY_KEYS = {"canRead", "canWrite", "canList", "canOverwrite"}

# (body sent by the lightly client, secret values that must never come back or be stored plain)
CONFIGS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "LOCAL": (
        {"type": "LOCAL", "fullPath": "path/to/data", "webServerLocation": "http://localhost:3456"},
        set(),
    ),
    "OBS": (
        {
            "type": "OBS",
            "fullPath": "obs://bucket/in",
            "obsEndpoint": "http://127.0.0.1:9000",
            "obsAccessKeyId": "AK",
            "obsSecretAccessKey": "OBS-SECRET",
        },
        {"obsSecretAccessKey"},
    ),
    "S3": (
        {
            "type": "S3",
            "fullPath": "s3://bucket/in",
            "s3Region": "eu-central-1",
            "s3AccessKeyId": "AK",
            "s3SecretAccessKey": "S3-SECRET",
            "s3ServerSideEncryptionKMSKey": "arn:aws:kms:eu-central-1:123456789012:key/abc",
        },
        {"s3SecretAccessKey"},
    ),
    "S3DelegatedAccess": (
        {
            "type": "S3DelegatedAccess",
            "fullPath": "s3://bucket/in",
            "s3Region": "us-east-1",
            "s3ExternalId": "external-id-0123456789",
            "s3ARN": "arn:aws:iam::123456789012:role/curation",
        },
        set(),
    ),
    "GCS": (
        {
            "type": "GCS",
            "fullPath": "gs://bucket/in",
            "gcsProjectId": "proj",
            "gcsCredentials": '{"type": "service_account", "private_key": "GCS-SECRET"}',
        },
        {"gcsCredentials"},
    ),
    "AZURE": (
        {"type": "AZURE", "fullPath": "container/in", "accountName": "acct", "accountKey": "SAS"},
        {"accountKey"},
    ),
    "LIGHTLY": ({"type": "LIGHTLY", "fullPath": "lightly/in"}, set()),
}


def _put(client: TestClient, user: ApiUser, dataset_id: str, body: dict[str, Any]) -> Any:
    return client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)


def _verify(client: TestClient, user: ApiUser, dataset_id: str) -> Any:
    return client.get(f"/v1/datasets/{dataset_id}/datasource/verify", params=user.params)


@pytest.mark.parametrize("type_", sorted(CONFIGS))
def test_each_type_round_trips_with_exactly_its_keys(
    client: TestClient, user: ApiUser, type_: str
) -> None:
    dataset_id = create_dataset(client, user.params)
    sent, secrets = CONFIGS[type_]
    body = {"purpose": "INPUT", "thumbSuffix": THUMB, **sent}
    assert _put(client, user, dataset_id, body).status_code == 200

    got = client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params)
    assert got.status_code == 200
    data = got.json()
    assert set(data) == BASE | set(sent)
    for key, value in sent.items():
        assert data[key] == ("***" if key in secrets else value), key
    with session_factory()() as session:
        row = session.scalars(select(Datasource).where(Datasource.dataset_id == dataset_id)).one()
    for key in secrets:
        assert key not in row.options and sent[key] not in row.secrets_encrypted


def test_gcs_credentials_may_be_empty_but_are_masked(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "LIGHTLY", "type": "GCS", "fullPath": "gs://b/l", "gcsProjectId": "p"}
    assert _put(client, user, dataset_id, {**body, "gcsCredentials": ""}).status_code == 200
    got = client.get(
        f"/v1/datasets/{dataset_id}/datasource", params={**user.params, "purpose": "LIGHTLY"}
    ).json()
    assert got["gcsCredentials"] == "***" and set(got) == {"id", "purpose", "gcsProjectId"} | {
        "type", "fullPath", "gcsCredentials"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("type_", "change", "field"),
    [
        ("S3", {"s3Region": "eu-mars-1"}, "s3Region"),
        ("S3", {"s3SecretAccessKey": ""}, "s3SecretAccessKey"),
        ("S3", {"s3ServerSideEncryptionKMSKey": "kms"}, "s3ServerSideEncryptionKMSKey"),
        ("S3DelegatedAccess", {"s3ARN": "arn:aws:iam::12:role/x"}, "s3ARN"),
        ("S3DelegatedAccess", {"s3ExternalId": "short"}, "s3ExternalId"),
        ("S3DelegatedAccess", {"s3Region": "mars"}, "s3Region"),
        ("GCS", {"gcsProjectId": ""}, "gcsProjectId"),
        ("AZURE", {"accountKey": ""}, "accountKey"),
        ("OBS", {"obsEndpoint": "ftp://x"}, "obsEndpoint"),
        ("LIGHTLY", {"bucket": "x"}, "bucket"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    client: TestClient, user: ApiUser, type_: str, change: dict[str, str], field: str
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", **CONFIGS[type_][0], **change}
    response = _put(client, user, dataset_id, body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"] and response.json()["code"] == "MALFORMED_REQUEST"


def test_missing_required_secret_is_422(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", **CONFIGS["AZURE"][0]}
    del body["accountKey"]
    response = _put(client, user, dataset_id, body)
    assert response.status_code == 422 and "accountKey" in response.json()["error"]


def test_verify_obs_on_a_real_bucket_probes_everything(client: TestClient, user: ApiUser) -> None:
    bucket = make_bucket({"in/a.png": b"png-bytes", "in/sub/b.png": b"more"})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    set_real_obs(client, user.params, dataset_id, "LIGHTLY", f"obs://{bucket}/lightly")

    response = _verify(client, user, dataset_id)
    assert response.status_code == 200
    assert response.json() == dict.fromkeys(VERIFY_KEYS, True)
    # The probe object is removed again and nothing else was written.
    keys = [o["Key"] for o in s3_client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert sorted(keys) == ["in/a.png", "in/sub/b.png"]


def test_verify_s3_type_uses_the_server_endpoint(client: TestClient, user: ApiUser) -> None:
    bucket = make_bucket({"in/a.png": b"x"})
    dataset_id = create_dataset(client, user.params)
    for purpose, prefix in (("INPUT", "in"), ("LIGHTLY", "lightly")):
        body = {
            "purpose": purpose,
            "type": "S3",
            "fullPath": f"s3://{bucket}/{prefix}",
            "s3Region": "us-east-1",
            "s3AccessKeyId": os.environ["S3_ACCESS_KEY_ID"],
            "s3SecretAccessKey": os.environ["S3_SECRET_ACCESS_KEY"],
        }
        assert _put(client, user, dataset_id, body).status_code == 200
    assert _verify(client, user, dataset_id).json() == dict.fromkeys(VERIFY_KEYS, True)


def test_verify_input_output_uses_one_datasource(client: TestClient, user: ApiUser) -> None:
    bucket = make_bucket({"data/a.jpg": b"x"})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT_OUTPUT", f"obs://{bucket}/data")
    assert _verify(client, user, dataset_id).json() == dict.fromkeys(VERIFY_KEYS, True)


def test_verify_local_directories(client: TestClient, user: ApiUser, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(b"x")
    dataset_id = create_dataset(client, user.params)
    for purpose, sub in (("INPUT", "in"), ("LIGHTLY", "out")):
        body = {"purpose": purpose, "type": "LOCAL", "fullPath": str(tmp_path / sub)}
        assert _put(client, user, dataset_id, body).status_code == 200

    assert _verify(client, user, dataset_id).json() == dict.fromkeys(VERIFY_KEYS, True)
    assert list((tmp_path / "out" / ".lightly").iterdir()) == []


def test_verify_empty_input_cannot_check_reading(client: TestClient, user: ApiUser) -> None:
    bucket = make_bucket()
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    data = _verify(client, user, dataset_id).json()
    assert data["canList"] is True and data["canRead"] is False
    assert data["canWrite"] is False and data["canOverwrite"] is False
    assert set(data["errors"]) == {"canRead", "canWrite", "canOverwrite"}
    assert "no LIGHTLY datasource" in data["errors"]["canWrite"]


def test_verify_unreachable_endpoint_is_all_false(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")  # a dead endpoint
    set_obs(client, user.params, dataset_id, "LIGHTLY")
    data = _verify(client, user, dataset_id).json()
    assert {k: data[k] for k in VERIFY_KEYS} == dict.fromkeys(VERIFY_KEYS, False)
    assert set(data["errors"]) == VERIFY_KEYS
    assert all(isinstance(v, str) and v for v in data["errors"].values())


@pytest.mark.parametrize(
    ("type_", "reason"),
    [
        ("GCS", "gcsCredentials: invalid service-account key"),
        ("AZURE", "accountKey: neither a SAS token"),
    ],
)
def test_verify_cloud_types_with_broken_credentials_answer_false(
    client: TestClient, user: ApiUser, type_: str, reason: str
) -> None:
    """GCS and AZURE are read by the workers (tests/flow/test_datasource_types.py); these
    configs' credentials cannot even be parsed, so every check is false and says why."""
    dataset_id = create_dataset(client, user.params)
    for purpose in ("INPUT", "LIGHTLY"):
        assert _put(client, user, dataset_id, {"purpose": purpose, **CONFIGS[type_][0]}).is_success
    data = _verify(client, user, dataset_id).json()
    assert all(data[k] is False for k in VERIFY_KEYS)
    assert set(data["errors"]) == VERIFY_KEYS
    assert all(reason in v for v in data["errors"].values())


@pytest.mark.parametrize("type_", ["S3DelegatedAccess", "LIGHTLY"])
def test_verify_unsupported_types_answer_false(
    client: TestClient, user: ApiUser, type_: str
) -> None:
    dataset_id = create_dataset(client, user.params)
    for purpose in ("INPUT", "LIGHTLY"):
        assert _put(client, user, dataset_id, {"purpose": purpose, **CONFIGS[type_][0]}).is_success
    response = _verify(client, user, dataset_id)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == VERIFY_KEYS | {"errors"}
    assert all(data[k] is False for k in VERIFY_KEYS)
    assert set(data["errors"]) == VERIFY_KEYS
    assert all("not supported by this server" in v for v in data["errors"].values())


def test_verify_needs_a_datasource_and_the_owner(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    missing = _verify(client, user, dataset_id)
    assert missing.status_code == 404 and missing.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"
    set_obs(client, user.params, dataset_id, "INPUT")
    foreign = _verify(client, other_user, dataset_id)
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
