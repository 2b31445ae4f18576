"""Tag deletion (leaf tags only) and the Label Studio / Labelbox exports with signed read URLs."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import (
    create_dataset,
    insert_run,
    insert_samples,
    insert_tag,
    make_bucket,
    set_real_obs,
)
from winnow_common.db.models import Tag
from winnow_common.db.session import session_factory

NAMES = [f"dir/img_{i:02d}.png" for i in range(5)]
EXPORTS = ("LabelStudio/tasks", "LabelBox/datarows", "LabelBoxV4/datarows")


def _tags_url(dataset_id: str, tag_id: str = "") -> str:
    return f"/v1/datasets/{dataset_id}/tags" + (f"/{tag_id}" if tag_id else "")


def _tag_names(client: TestClient, user: ApiUser, dataset_id: str) -> list[str]:
    response = client.get(_tags_url(dataset_id), params=user.params)
    assert response.status_code == 200
    return [t["name"] for t in response.json()]


def _child(client: TestClient, user: ApiUser, dataset_id: str, parent: str, name: str) -> str:
    body = {"name": name, "prevTagId": parent, "bitMaskData": "0x3", "totSize": 5}
    response = client.post(_tags_url(dataset_id), params=user.params, json=body)
    assert response.status_code == 201, response.text
    tag_id: str = response.json()["id"]
    return tag_id


@pytest.fixture
def exported(client: TestClient, user: ApiUser) -> dict[str, Any]:
    """A dataset on a real S3 bucket: five samples, ``initial-tag`` and ``odd`` (1 and 3)."""
    files = {name: f"bytes of {name}".encode() for name in NAMES}
    bucket = make_bucket({f"in/{name}": data for name, data in files.items()})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    sample_ids = insert_samples(dataset_id, NAMES)
    initial = insert_tag(dataset_id, "initial-tag", "0x1f", 5)
    odd = _child(client, user, dataset_id, initial, "odd")
    with session_factory().begin() as session:
        session.get(Tag, odd).bit_mask_data = "0xa"  # type: ignore[union-attr]
    return {
        "dataset_id": dataset_id,
        "bucket": bucket,
        "files": files,
        "sample_ids": sample_ids,
        "initial": initial,
        "odd": odd,
    }


# --- delete ----------------------------------------------------------------------------------


def test_delete_a_leaf_tag(client: TestClient, user: ApiUser, exported: dict[str, Any]) -> None:
    dataset_id, initial = exported["dataset_id"], exported["initial"]
    leaf = _child(client, user, dataset_id, initial, "leaf")
    deleted = client.delete(_tags_url(dataset_id, leaf), params=user.params)
    assert deleted.status_code == 200 and deleted.content == b""
    assert _tag_names(client, user, dataset_id) == ["initial-tag", "odd"]
    gone = client.get(_tags_url(dataset_id, leaf), params=user.params)
    assert gone.status_code == 404 and gone.json()["code"] == "TAG_UNKNOWN"
    again = client.delete(_tags_url(dataset_id, leaf), params=user.params)
    assert again.status_code == 404 and again.json()["error"].startswith("tagId:")
    # The name is free again.
    assert _child(client, user, dataset_id, initial, "leaf")


def test_delete_refuses_parents_and_the_root_tag(
    client: TestClient, user: ApiUser, exported: dict[str, Any]
) -> None:
    dataset_id, initial, odd = exported["dataset_id"], exported["initial"], exported["odd"]
    grandchild = _child(client, user, dataset_id, odd, "grandchild")
    parent = client.delete(_tags_url(dataset_id, odd), params=user.params)
    assert parent.status_code == 409 and parent.json()["code"] == "CONFLICT"
    assert parent.json()["error"].startswith("tagId:") and "'grandchild'" in parent.json()["error"]
    root = client.delete(_tags_url(dataset_id, initial), params=user.params)
    assert root.status_code == 409 and "root tag" in root.json()["error"]
    assert _tag_names(client, user, dataset_id) == ["initial-tag", "odd", "grandchild"]
    # Leaves first, then their parent: the tree can be pruned bottom-up, the root stays.
    assert client.delete(_tags_url(dataset_id, grandchild), params=user.params).status_code == 200
    assert client.delete(_tags_url(dataset_id, odd), params=user.params).status_code == 200
    assert _tag_names(client, user, dataset_id) == ["initial-tag"]
    assert client.delete(_tags_url(dataset_id, initial), params=user.params).status_code == 409


def test_delete_a_runs_selection_tag_keeps_the_run(
    client: TestClient, user: ApiUser, exported: dict[str, Any]
) -> None:
    dataset_id, initial = exported["dataset_id"], exported["initial"]
    with session_factory().begin() as session:
        run = insert_run(session, dataset_id)
        selection = Tag(
            dataset_id=dataset_id,
            run_id=run.id,
            run_selection=True,
            prev_tag_id=initial,
            name=f"run-{run.id}",
            bit_mask_data="0x7",
            tot_size=5,
        )
        session.add(selection)
        session.flush()
        run_id, selection_id = run.id, selection.id
    run_tags = client.get(f"/v1/docker/runs/{run_id}/tags", params=user.params).json()
    assert [t["id"] for t in run_tags] == [selection_id]
    deleted = client.delete(_tags_url(dataset_id, selection_id), params=user.params)
    assert deleted.status_code == 200
    run_view = client.get(f"/v1/docker/runs/{run_id}", params=user.params)
    assert run_view.status_code == 200 and run_view.json()["state"] == "COMPLETED"
    assert client.get(f"/v1/docker/runs/{run_id}/tags", params=user.params).json() == []


def test_delete_another_users_or_datasets_tag_is_404(
    client: TestClient, user: ApiUser, other_user: ApiUser, exported: dict[str, Any]
) -> None:
    dataset_id, odd = exported["dataset_id"], exported["odd"]
    foreign = client.delete(_tags_url(dataset_id, odd), params=other_user.params)
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
    other_dataset = create_dataset(client, user.params)
    insert_samples(other_dataset, ["x.png"])
    elsewhere = client.delete(_tags_url(other_dataset, odd), params=user.params)
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "TAG_UNKNOWN"
    malformed = client.delete(_tags_url(dataset_id, "nope"), params=user.params)
    assert malformed.status_code == 422 and "tagId" in malformed.json()["error"]
    assert _tag_names(client, user, dataset_id) == ["initial-tag", "odd"]


# --- exports ---------------------------------------------------------------------------------


def _export(
    client: TestClient, user: ApiUser, dataset_id: str, tag_id: str, kind: str, **params: Any
) -> Any:
    query = {"pageSize": 2500, "pageOffset": 0, **params, **user.params}
    response = client.get(f"{_tags_url(dataset_id, tag_id)}/export/{kind}", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def _fetch(client: TestClient, url: str) -> bytes:
    assert "token" not in url
    parts = urlsplit(url)
    downloaded = client.get(f"{parts.path}?{parts.query}")  # no token
    assert downloaded.status_code == 200, downloaded.text
    return downloaded.content


def test_label_studio_tasks(client: TestClient, user: ApiUser, exported: dict[str, Any]) -> None:
    dataset_id, odd, files = exported["dataset_id"], exported["odd"], exported["files"]
    tasks = _export(client, user, dataset_id, odd, "LabelStudio/tasks")
    assert [t["id"] for t in tasks] == [1, 3]
    assert all(set(t) == {"id", "data"} for t in tasks)
    assert all(set(t["data"]) == {"image", "lightlyFileName"} for t in tasks)
    assert [t["data"]["lightlyFileName"] for t in tasks] == [NAMES[1], NAMES[3]]
    assert [_fetch(client, t["data"]["image"]) for t in tasks] == [
        files[NAMES[1]],
        files[NAMES[3]],
    ]
    with_meta = _export(client, user, dataset_id, odd, "LabelStudio/tasks", includeMetaData=True)
    info = with_meta[0]["data"]["lightlyMetaInfo"]
    assert set(info) == {"id", "type", "datasetId", "fileName", "index", "createdAt"}
    assert info["id"] == exported["sample_ids"][1] and info["fileName"] == NAMES[1]
    assert (info["type"], info["datasetId"], info["index"]) == ("IMAGE", dataset_id, 1)


def test_label_box_rows(client: TestClient, user: ApiUser, exported: dict[str, Any]) -> None:
    dataset_id, odd, files = exported["dataset_id"], exported["odd"], exported["files"]
    v3 = _export(client, user, dataset_id, odd, "LabelBox/datarows")
    assert [set(r) for r in v3] == [{"externalId", "imageUrl"}] * 2
    assert [r["externalId"] for r in v3] == [NAMES[1], NAMES[3]]
    assert _fetch(client, v3[1]["imageUrl"]) == files[NAMES[3]]
    v4 = _export(client, user, dataset_id, odd, "LabelBoxV4/datarows")
    assert [set(r) for r in v4] == [{"row_data", "global_key", "media_type"}] * 2
    assert [(r["global_key"], r["media_type"]) for r in v4] == [
        (NAMES[1], "IMAGE"),
        (NAMES[3], "IMAGE"),
    ]
    assert _fetch(client, v4[0]["row_data"]) == files[NAMES[1]]


@pytest.mark.parametrize("kind", EXPORTS)
def test_exports_paginate_by_item_in_bit_order(
    client: TestClient, user: ApiUser, exported: dict[str, Any], kind: str
) -> None:
    dataset_id, initial = exported["dataset_id"], exported["initial"]
    everything = _export(client, user, dataset_id, initial, kind)
    assert len(everything) == 5
    pages = [
        _export(client, user, dataset_id, initial, kind, pageSize=2, pageOffset=offset)
        for offset in (0, 2, 4, 6)
    ]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    key = {"LabelStudio/tasks": "id", "LabelBox/datarows": "externalId"}.get(kind, "global_key")
    assert [item[key] for page in pages for item in page] == [item[key] for item in everything]
    preview = _export(client, user, dataset_id, initial, kind, previewExample=True, pageOffset=3)
    assert len(preview) == 1 and preview[0][key] == everything[0][key]


def test_export_names_and_url_lifetime(
    client: TestClient, user: ApiUser, exported: dict[str, Any]
) -> None:
    dataset_id, odd, bucket = exported["dataset_id"], exported["odd"], exported["bucket"]
    full = _export(
        client, user, dataset_id, odd, "LabelBox/datarows", fileNameFormat="DATASOURCE_FULL"
    )
    assert [r["externalId"] for r in full] == [f"obs://{bucket}/in/{NAMES[i]}" for i in (1, 3)]
    as_urls = _export(
        client, user, dataset_id, odd, "LabelBoxV4/datarows", fileNameFormat="REDIRECTED_READ_URL"
    )
    assert all(r["global_key"] == r["row_data"] for r in as_urls)
    before = int(time.time())
    short = _export(client, user, dataset_id, odd, "LabelStudio/tasks", expiresIn=60)
    expires = int(parse_qs(urlsplit(short[0]["data"]["image"]).query)["expires"][0])
    assert before + 60 <= expires <= int(time.time()) + 60
    assert _fetch(client, short[0]["data"]["image"]) == exported["files"][NAMES[1]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"expiresIn": 0}, "expiresIn"),
        ({"expiresIn": 10**9}, "expiresIn"),
        ({"accessControl": "mine"}, "accessControl"),
        ({"format": "PLAIN"}, "format"),
        ({"format": "XML"}, "format"),
        ({"fileNameFormat": "ABSOLUTE"}, "fileNameFormat"),
        ({"pageSize": 0}, "pageSize"),
    ],
)
def test_export_bad_parameters_are_422(
    client: TestClient, user: ApiUser, exported: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    url = f"{_tags_url(exported['dataset_id'], exported['odd'])}/export/LabelStudio/tasks"
    response = client.get(url, params={**params, **user.params})
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith(field)


def test_exports_need_the_dataset_tag_and_datasource(
    client: TestClient, user: ApiUser, other_user: ApiUser, exported: dict[str, Any]
) -> None:
    dataset_id, odd = exported["dataset_id"], exported["odd"]
    for kind in EXPORTS:
        url = f"{_tags_url(dataset_id, odd)}/export/{kind}"
        foreign = client.get(url, params=other_user.params)
        assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
        missing = client.get(f"{_tags_url(dataset_id, '0' * 24)}/export/{kind}", params=user.params)
        assert missing.status_code == 404 and missing.json()["code"] == "TAG_UNKNOWN"
    bare = create_dataset(client, user.params)
    insert_samples(bare, ["a.png"])
    tag = insert_tag(bare, "initial-tag", "0x1", 1)
    no_source = client.get(f"{_tags_url(bare, tag)}/export/LabelStudio/tasks", params=user.params)
    assert no_source.status_code == 404, no_source.text
