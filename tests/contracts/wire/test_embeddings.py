"""Wire routes 34-36: a dataset's embeddings (list, writeCSVUrl, readCSVUrl) and the signed,
token-free upload and download they point at."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import World, error_body, fetch_without_token, json_of, new_dataset
from winnow_common.ids import new_object_id

# lightly's DatasetEmbeddingData and WriteCSVUrlData (extra keys forbidden).
DATASET_EMBEDDING_DATA = wm._object(
    {
        "id": wm.OBJECT_ID,
        "name": wm.STRING,
        "isProcessed": wm.BOOLEAN,
        "createdAt": wm.TIMESTAMP,
    },
    {"is2d": wm.BOOLEAN},
)
WRITE_CSV_URL_DATA = wm._object({"signedWriteUrl": wm.HTTP_URL, "embeddingId": wm.OBJECT_ID})
CSV = b"filenames,embedding_0,embedding_1,labels\r\na.png,0.5,-1.25,0\r\nb.png,1e-3,2,1\r\n"


def _write_url(world: World, dataset_id: str, name: str) -> dict[str, Any]:
    body = json_of(world.call(35, params={"name": name}, datasetId=dataset_id))
    wm.validate(body, WRITE_CSV_URL_DATA)
    assert "token=" not in body["signedWriteUrl"]
    return body  # type: ignore[no-any-return]


def _put(world: World, url: str, data: bytes) -> Any:
    """The client's ``requests.put(url, data=file)``: no token, no content type."""
    return world.client.put(url, content=data)


@pytest.fixture(scope="module")
def uploaded(world: World) -> dict[str, str]:
    """A fresh dataset with two uploaded embeddings (the second is the newest)."""
    dataset_id = new_dataset(world)
    ids = []
    for name in ("first", "second"):
        target = _write_url(world, dataset_id, name)
        put = _put(world, target["signedWriteUrl"], CSV)
        assert put.status_code == 200 and put.content == b"", put.text
        ids.append(target["embeddingId"])
    return {"dataset_id": dataset_id, "first": ids[0], "second": ids[1]}


@covers(34)
def test_list_embeddings(world: World, uploaded: dict[str, str]) -> None:
    body = json_of(world.call(34, datasetId=uploaded["dataset_id"]))
    wm.validate(body, wm.list_of(DATASET_EMBEDDING_DATA))
    # Newest first: set_embedding_id_to_latest takes the first entry.
    assert [e["id"] for e in body] == [uploaded["second"], uploaded["first"]]
    assert [e["name"] for e in body] == ["second", "first"]
    assert all(e["isProcessed"] is True and e["is2d"] is False for e in body)
    assert body[0]["createdAt"] >= body[1]["createdAt"]
    empty = json_of(world.call(34, datasetId=new_dataset(world)))
    assert empty == []
    error_body(world.call(34, datasetId=new_object_id(), expect=404), 404)


@covers(35)
def test_write_csv_url(world: World, uploaded: dict[str, str]) -> None:
    dataset_id = uploaded["dataset_id"]
    name = f"emb-{uuid.uuid4().hex[:6]}"
    target = _write_url(world, dataset_id, name)
    # Before the PUT: listed, not processed.
    listed = {e["id"]: e for e in json_of(world.call(34, datasetId=dataset_id))}
    assert listed[target["embeddingId"]]["isProcessed"] is False
    assert listed[target["embeddingId"]]["name"] == name
    assert _put(world, target["signedWriteUrl"], CSV).status_code == 200
    listed = {e["id"]: e for e in json_of(world.call(34, datasetId=dataset_id))}
    assert listed[target["embeddingId"]]["isProcessed"] is True

    bad = _put(world, _write_url(world, dataset_id, f"bad-{name}")["signedWriteUrl"], b"a,b\n")
    assert error_body(bad, 400)["error"].startswith("body:")
    taken = error_body(world.call(35, params={"name": name}, datasetId=dataset_id, expect=409), 409)
    assert taken["error"].startswith("name:")
    error_body(world.call(35, params={"name": "x"}, datasetId=new_object_id(), expect=404), 404)


@covers(36)
def test_read_csv_url(world: World, uploaded: dict[str, str]) -> None:
    dataset_id = uploaded["dataset_id"]
    url = json_of(world.call(36, datasetId=dataset_id, embeddingId=uploaded["first"]))
    assert isinstance(url, str), "the read URL must be a JSON string"
    download = fetch_without_token(world, url)
    assert download.status_code == 200
    assert download.content == CSV  # byte for byte as uploaded
    assert download.headers["content-type"].startswith("text/csv")
    assert "content-encoding" not in download.headers
    missing = world.call(36, datasetId=dataset_id, embeddingId=new_object_id(), expect=404)
    assert error_body(missing, 404)["error"].startswith("embeddingId:")
    # Another dataset's embedding is not found through this one.
    other = world.call(36, datasetId=world.dataset_id, embeddingId=uploaded["first"], expect=404)
    error_body(other, 404)
