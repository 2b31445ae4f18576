"""Datasets and datasources over HTTP, with the Lightly wire rules."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, set_obs
from winnow_common.db.models import Datasource
from winnow_common.db.session import session_factory

OBJECT_ID = re.compile(r"^[a-f0-9]{24}$")
DATASET_KEYS = {
    "id", "name", "userId", "type", "imgType", "nSamples", "sizeInBytes", "createdAt",
    "lastModifiedAt", "datasources",
}  # fmt: skip


def test_versions_need_no_token(client: TestClient) -> None:
    assert client.get("/v1/versions/pip/minimum").json() == "1.5.26"
    assert client.get("/v1/versions/pip/latest", params={"currentVersion": "1.5.26"}).json()
    assert client.get("/health").json() == {"status": "ok"}


def test_create_get_query_list_delete(client: TestClient, user: ApiUser) -> None:
    free = client.get("/v1/datasets/query/name/my data set", params={**user.params, "exact": True})
    assert free.status_code == 200 and free.json() == []

    dataset_id = create_dataset(client, user.params, "my data set")
    assert OBJECT_ID.match(dataset_id)

    got = client.get(f"/v1/datasets/{dataset_id}", params=user.params).json()
    assert set(got) == DATASET_KEYS
    assert got["name"] == "my data set" and got["imgType"] == "full" and got["type"] == "Images"
    assert isinstance(got["createdAt"], int) and got["createdAt"] > 1_600_000_000_000

    by_name = client.get(
        "/v1/datasets/query/name/my%20data%20set", params={**user.params, "exact": "True"}
    ).json()
    assert [d["id"] for d in by_name] == [dataset_id]

    listed = client.get("/v1/datasets", params={**user.params, "pageSize": 5000, "pageOffset": 0})
    assert dataset_id in [d["id"] for d in listed.json()]
    past_end = client.get("/v1/datasets", params={**user.params, "pageSize": 5, "pageOffset": 50})
    assert past_end.json() == []

    again = client.post("/v1/datasets", params=user.params, json={"name": "my data set"})
    assert again.status_code == 409 and again.json()["code"] == "DATASET_NAME_EXISTS"

    assert client.delete(f"/v1/datasets/{dataset_id}", params=user.params).status_code == 200
    gone = client.get(f"/v1/datasets/{dataset_id}", params=user.params)
    assert gone.status_code == 404 and gone.json()["code"] == "DATASET_UNKNOWN"


def test_tokens_are_required_and_checked(client: TestClient, user: ApiUser) -> None:
    missing = client.get("/v1/datasets")
    assert missing.status_code == 401 and "token" in missing.json()["error"]
    wrong = client.get("/v1/datasets", params={"token": "not-a-token"})
    assert wrong.status_code == 401 and wrong.json() == {
        "code": "UNAUTHORIZED",
        "error": "token: invalid token",
    }


def test_one_user_never_sees_anothers_dataset(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    for method, path in (
        ("GET", f"/v1/datasets/{dataset_id}"),
        ("DELETE", f"/v1/datasets/{dataset_id}"),
        ("GET", f"/v1/datasets/{dataset_id}/datasource"),
        ("GET", f"/v1/datasets/{dataset_id}/tags"),
    ):
        response = client.request(method, path, params=other_user.params)
        assert response.status_code == 404, (method, path, response.text)
    listed = client.get("/v1/datasets", params=other_user.params).json()
    assert dataset_id not in [d["id"] for d in listed]
    assert client.get(f"/v1/datasets/{dataset_id}", params=user.params).status_code == 200


def test_malformed_input_names_the_field(client: TestClient, user: ApiUser) -> None:
    bad_name = client.post("/v1/datasets", params=user.params, json={"name": "!x"})
    assert bad_name.status_code == 422 and "name" in bad_name.json()["error"]
    bad_id = client.get("/v1/datasets/not-an-id", params=user.params)
    assert bad_id.status_code == 422 and "datasetId" in bad_id.json()["error"]


def test_datasource_secrets_are_encrypted_and_masked(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    set_obs(client, user.params, dataset_id, "LIGHTLY")

    default = client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params).json()
    assert default["purpose"] == "INPUT" and default["type"] == "OBS"
    assert default["obsSecretAccessKey"] == "***" and default["obsAccessKeyId"] == "AK"
    assert set(default) == {
        "id", "purpose", "type", "thumbSuffix", "fullPath", "obsEndpoint", "obsAccessKeyId",
        "obsSecretAccessKey",
    }  # fmt: skip
    lightly = client.get(
        f"/v1/datasets/{dataset_id}/datasource", params={**user.params, "purpose": "LIGHTLY"}
    ).json()
    assert lightly["purpose"] == "LIGHTLY" and lightly["fullPath"] == "obs://bucket/lightly"

    with session_factory()() as session:
        rows = session.scalars(select(Datasource).where(Datasource.dataset_id == dataset_id))
        stored = [r.secrets_encrypted for r in rows]
    assert len(stored) == 2 and all(s and "SECRET-VALUE" not in s for s in stored)

    dataset = client.get(f"/v1/datasets/{dataset_id}", params=user.params).json()
    assert len(dataset["datasources"]) == 2


def test_unknown_datasource_is_404(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    response = client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params)
    assert response.status_code == 404 and response.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"


def test_a_videos_dataset_is_accepted(client: TestClient, user: ApiUser) -> None:
    response = client.post(
        "/v1/datasets", params=user.params, json={"name": "my videos", "type": "Videos"}
    )
    assert response.status_code == 201, response.text
    dataset_id = response.json()["id"]
    fetched = client.get(f"/v1/datasets/{dataset_id}", params=user.params).json()
    assert fetched["type"] == "Videos" and fetched["name"] == "my videos"
    assert "parentDatasetId" not in fetched
    listed = client.get("/v1/datasets", params=user.params).json()
    assert "my videos" in [d["name"] for d in listed]


def test_a_parent_dataset_must_be_usable_by_the_caller(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    parent = create_dataset(client, user.params)
    strangers = create_dataset(client, other_user.params)
    body = {"name": "my crops", "type": "Crops", "parentDatasetId": strangers}
    refused = client.post("/v1/datasets", params=user.params, json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == f"parentDatasetId: dataset {strangers} does not exist"
    created = client.post(
        "/v1/datasets", params=user.params, json={**body, "parentDatasetId": parent}
    )
    assert created.status_code == 201, created.text
    fetched = client.get(f"/v1/datasets/{created.json()['id']}", params=user.params).json()
    assert fetched["type"] == "Crops" and fetched["parentDatasetId"] == parent
