"""Tag creation, tag arithmetics, mappings and the three filename export formats."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import (
    create_dataset,
    insert_samples,
    insert_tag,
    make_bucket,
    set_real_obs,
)

OBJECT_ID = re.compile(r"^[a-f0-9]{24}$")
NAMES = [f"img_{i:02d}.png" for i in range(5)]


@pytest.fixture
def tagged(client: TestClient, user: ApiUser) -> dict[str, Any]:
    """A dataset with five samples and an ``initial-tag`` holding all of them."""
    dataset_id = create_dataset(client, user.params)
    sample_ids = insert_samples(dataset_id, NAMES)
    initial = insert_tag(dataset_id, "initial-tag", "0x1f", 5)
    return {"dataset_id": dataset_id, "sample_ids": sample_ids, "initial": initial}


def _create(client: TestClient, user: ApiUser, dataset_id: str, **body: Any) -> Any:
    return client.post(f"/v1/datasets/{dataset_id}/tags", params=user.params, json=body)


def _body(prev: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "subset",
        "prevTagId": prev,
        "bitMaskData": "0x3",
        "totSize": 5,
        "creator": "USER_PIP",
        **changes,
    }


def test_create_tag_is_201_and_listed(
    client: TestClient, user: ApiUser, tagged: dict[str, Any]
) -> None:
    dataset_id = tagged["dataset_id"]
    response = _create(client, user, dataset_id, **_body(tagged["initial"]))
    assert response.status_code == 201
    assert set(response.json()) == {"id"} and OBJECT_ID.match(response.json()["id"])

    tag = client.get(
        f"/v1/datasets/{dataset_id}/tags/{response.json()['id']}", params=user.params
    ).json()
    assert set(tag) == {
        "id", "datasetId", "prevTagId", "name", "bitMaskData", "totSize", "createdAt",
        "lastModifiedAt",
    }  # fmt: skip
    assert tag["prevTagId"] == tagged["initial"] and tag["bitMaskData"] == "0x3"
    assert tag["totSize"] == 5 and tag["name"] == "subset"
    names = [
        t["name"] for t in client.get(f"/v1/datasets/{dataset_id}/tags", params=user.params).json()
    ]
    assert names == ["initial-tag", "subset"]


@pytest.mark.parametrize(
    ("changes", "status", "needle"),
    [
        ({"name": "initial-tag"}, 409, "initial-tag"),
        ({"totSize": 6}, 422, "totSize"),
        ({"bitMaskData": "0x20"}, 422, "bitMaskData"),
        ({"bitMaskData": "0X3"}, 422, "bitMaskData"),
        ({"name": "!bad"}, 422, "name"),
        ({"prevTagId": "0" * 24}, 404, "0" * 24),
        ({"runId": "0" * 24}, 404, "runId"),
    ],
)
def test_create_tag_rejects_bad_input(
    client: TestClient,
    user: ApiUser,
    tagged: dict[str, Any],
    changes: dict[str, Any],
    status: int,
    needle: str,
) -> None:
    response = _create(client, user, tagged["dataset_id"], **_body(tagged["initial"], **changes))
    assert response.status_code == status, response.text
    assert needle in response.json()["error"]
    if status == 409:
        assert response.json()["code"] == "TAG_NAME_EXISTS"
    if "prevTagId" in changes:
        assert response.json()["code"] == "TAG_UNKNOWN"


def test_prev_tag_of_another_dataset_is_404(
    client: TestClient, user: ApiUser, tagged: dict[str, Any]
) -> None:
    other_dataset = create_dataset(client, user.params)
    other_tag = insert_tag(other_dataset, "initial-tag", "0x1", 1)
    response = _create(client, user, tagged["dataset_id"], **_body(other_tag))
    assert response.status_code == 404 and response.json()["code"] == "TAG_UNKNOWN"


def test_another_users_dataset_is_404(
    client: TestClient, user: ApiUser, other_user: ApiUser, tagged: dict[str, Any]
) -> None:
    dataset_id = tagged["dataset_id"]
    created = _create(client, other_user, dataset_id, **_body(tagged["initial"]))
    assert created.status_code == 404 and created.json()["code"] == "DATASET_UNKNOWN"
    arith = client.post(
        f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
        params=other_user.params,
        json={"tagId1": tagged["initial"], "tagId2": tagged["initial"], "operation": "UNION"},
    )
    assert arith.status_code == 404
    mappings = client.get(
        f"/v1/datasets/{dataset_id}/mappings", params={**other_user.params, "field": "fileName"}
    )
    assert mappings.status_code == 404


@pytest.mark.parametrize(
    ("operation", "expected"),
    [("UNION", "0xf"), ("INTERSECTION", "0x2"), ("DIFFERENCE", "0x1")],
)
def test_arithmetics(
    client: TestClient, user: ApiUser, tagged: dict[str, Any], operation: str, expected: str
) -> None:
    dataset_id = tagged["dataset_id"]
    first = insert_tag(dataset_id, "first", "0x3", 5)
    second = insert_tag(dataset_id, "second", "0xe", 5)
    response = client.post(
        f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
        params=user.params,
        json={"tagId1": first, "tagId2": second, "operation": operation},
    )
    assert response.status_code == 200
    assert response.json() == {"bitMaskData": expected}


def test_arithmetics_difference_with_itself_is_0x0_and_new_tag_name_saves(
    client: TestClient, user: ApiUser, tagged: dict[str, Any]
) -> None:
    dataset_id, initial = tagged["dataset_id"], tagged["initial"]
    url = f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask"
    body = {"tagId1": initial, "tagId2": initial, "operation": "DIFFERENCE"}
    assert client.post(url, params=user.params, json=body).json() == {"bitMaskData": "0x0"}

    saved = client.post(
        url, params=user.params, json={**body, "operation": "UNION", "newTagName": "copy"}
    )
    assert saved.status_code == 200 and saved.json() == {"bitMaskData": "0x1f"}
    tags = client.get(f"/v1/datasets/{dataset_id}/tags", params=user.params).json()
    copy = next(t for t in tags if t["name"] == "copy")
    assert copy["prevTagId"] == initial and copy["bitMaskData"] == "0x1f"
    again = client.post(
        url, params=user.params, json={**body, "operation": "UNION", "newTagName": "copy"}
    )
    assert again.status_code == 409


def test_arithmetics_bad_input(client: TestClient, user: ApiUser, tagged: dict[str, Any]) -> None:
    url = f"/v1/datasets/{tagged['dataset_id']}/tags/arithmetics/bitmask"
    initial = tagged["initial"]
    bad_op = client.post(
        url, params=user.params, json={"tagId1": initial, "tagId2": initial, "operation": "XOR"}
    )
    assert bad_op.status_code == 422 and "operation" in bad_op.json()["error"]
    unknown = client.post(
        url,
        params=user.params,
        json={"tagId1": initial, "tagId2": "0" * 24, "operation": "UNION"},
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "TAG_UNKNOWN"


def test_mappings_in_bit_order_paginated(
    client: TestClient, user: ApiUser, tagged: dict[str, Any]
) -> None:
    url = f"/v1/datasets/{tagged['dataset_id']}/mappings"

    def page(field: str, size: int, offset: int) -> Any:
        params = {**user.params, "field": field, "pageSize": size, "pageOffset": offset}
        response = client.get(url, params=params)
        assert response.status_code == 200
        return response.json()

    assert page("fileName", 25000, 0) == NAMES
    assert page("_id", 25000, 0) == tagged["sample_ids"]
    assert page("fileName", 2, 0) == NAMES[:2]
    assert page("fileName", 2, 2) == NAMES[2:4]
    assert page("_id", 2, 4) == tagged["sample_ids"][4:]
    assert page("fileName", 2, 5) == []
    assert page("_id", 25000, 99) == []
    missing = client.get(url, params=user.params)
    assert missing.status_code == 422 and "field" in missing.json()["error"]
    bad = client.get(url, params={**user.params, "field": "name"})
    assert bad.status_code == 422 and "field" in bad.json()["error"]


def test_mappings_of_an_empty_dataset_are_empty(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    response = client.get(
        f"/v1/datasets/{dataset_id}/mappings", params={**user.params, "field": "_id"}
    )
    assert response.status_code == 200 and response.json() == []


def test_exports_in_all_three_formats_line_up(client: TestClient, user: ApiUser) -> None:
    files = {name: f"bytes of {name}".encode() for name in NAMES}
    bucket = make_bucket({f"in/{name}": data for name, data in files.items()})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    insert_samples(dataset_id, NAMES)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x15", 5)  # samples 0, 2, 4
    url = f"/v1/datasets/{dataset_id}/tags/{tag_id}/export/basic/filenames"

    def export(fmt: str | None, size: int = 5000, offset: int = 0) -> str:
        params: dict[str, Any] = {**user.params, "pageSize": size, "pageOffset": offset}
        if fmt:
            params["fileNameFormat"] = fmt
        response = client.get(url, params=params)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "application/json"
        )
        text: str = response.json()
        return text

    selected = [NAMES[0], NAMES[2], NAMES[4]]
    assert export(None) == "\n".join(selected) == export("NAME")
    assert export("DATASOURCE_FULL").split("\n") == [f"obs://{bucket}/in/{n}" for n in selected]
    read_urls = export("REDIRECTED_READ_URL").split("\n")
    assert len(read_urls) == 3
    for name, read_url in zip(selected, read_urls, strict=True):
        assert "token" not in read_url
        parts = urlsplit(read_url)
        downloaded = client.get(f"{parts.path}?{parts.query}")  # no token
        assert downloaded.status_code == 200 and downloaded.content == files[name]
        assert "content-encoding" not in downloaded.headers
    # Signed URLs carry an expiry, so compare the paths of a later page.
    later = export("REDIRECTED_READ_URL", 2, 2).split("\n")
    assert [urlsplit(u).path for u in later] == [urlsplit(u).path for u in read_urls[2:]]
    assert export("NAME", 2, 2) == NAMES[4]
    assert export("DATASOURCE_FULL", 2, 3) == ""
    assert export("REDIRECTED_READ_URL", 2, 3) == ""


def test_exports_needing_a_datasource_are_404_without_one(
    client: TestClient, user: ApiUser, tagged: dict[str, Any]
) -> None:
    url = f"/v1/datasets/{tagged['dataset_id']}/tags/{tagged['initial']}/export/basic/filenames"
    for fmt in ("DATASOURCE_FULL", "REDIRECTED_READ_URL"):
        response = client.get(url, params={**user.params, "fileNameFormat": fmt})
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"
    assert client.get(url, params=user.params).json() == "\n".join(NAMES)
