"""Wire routes 41-44: tag deletion and the Label Studio / Labelbox v3 / Labelbox v4 exports.

The item schemas are lightly 1.5.26's ``LabelStudioTask`` (+ ``LabelStudioTaskData``,
``SampleData``), ``LabelBoxDataRow`` and ``LabelBoxV4DataRow``: extra keys are refused at every
level, as the client's models do.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import N_SAMPLES, World, error_body, fetch_without_token, json_of
from winnow_common.ids import new_object_id

SAMPLE_DATA = wm._object(
    {"id": wm.OBJECT_ID, "type": wm.SAMPLE_TYPE, "fileName": wm.STRING},
    {
        "datasetId": wm.OBJECT_ID,
        "thumbName": wm.STRING,
        "exif": {"type": "object"},
        "index": wm.INTEGER,
        "createdAt": wm.TIMESTAMP,
        "lastModifiedAt": wm.TIMESTAMP,
        "metaData": {"type": "object"},
        "customMetaData": {"type": "object"},
        "videoFrameData": {"type": "object"},
        "cropData": {"type": "object"},
    },
)
LABEL_STUDIO_TASK = wm._object(
    {
        "id": wm.INTEGER,
        "data": wm._object(
            {"image": wm.HTTP_URL},
            {"lightlyFileName": wm.STRING, "lightlyMetaInfo": SAMPLE_DATA},
        ),
    }
)
LABEL_BOX_DATA_ROW = wm._object({"externalId": wm.STRING, "imageUrl": wm.HTTP_URL})
LABEL_BOX_V4_DATA_ROW = wm._object(
    {"row_data": wm.HTTP_URL}, {"global_key": wm.STRING, "media_type": wm.STRING}
)
# The subset tag holds samples 0, 2 and 4 (world.py).
SUBSET = (0, 2, 4)


def _page(number: int, world: World, offset: int = 0, **extra: Any) -> Any:
    params = {"pageSize": 2500, "pageOffset": offset, **extra}
    return json_of(
        world.call(number, params=params, datasetId=world.dataset_id, tagId=world.subset_tag_id)
    )


@covers(41)
def test_delete_tag(world: World) -> None:
    body = {
        "name": f"leaf-{uuid.uuid4().hex[:6]}",
        "prevTagId": world.subset_tag_id,
        "bitMaskData": "0x1",
        "totSize": N_SAMPLES,
        "creator": "USER_PIP",
    }
    leaf = json_of(world.call(24, json_body=body, datasetId=world.dataset_id))["id"]
    # The subset tag is now the leaf's prevTagId: not a leaf, refused.
    parent = world.call(41, datasetId=world.dataset_id, tagId=world.subset_tag_id, expect=409)
    assert error_body(parent, 409)["error"].startswith("tagId:")
    deleted = world.call(41, datasetId=world.dataset_id, tagId=leaf)
    assert deleted.status_code == 200 and deleted.content == b""
    names = [t["name"] for t in json_of(world.call(23, datasetId=world.dataset_id))]
    assert body["name"] not in names and "selected-tag-1" in names
    error_body(world.call(25, datasetId=world.dataset_id, tagId=leaf, expect=404), 404)
    error_body(world.call(41, datasetId=world.dataset_id, tagId=leaf, expect=404), 404)
    root = world.call(41, datasetId=world.dataset_id, tagId=world.initial_tag_id, expect=409)
    error_body(root, 409)


@covers(42)
def test_export_label_studio_tasks(world: World) -> None:
    tasks = _page(42, world)
    wm.validate(tasks, wm.list_of(LABEL_STUDIO_TASK))
    assert [t["id"] for t in tasks] == list(SUBSET)
    assert [set(t["data"]) for t in tasks] == [{"image", "lightlyFileName"}] * len(SUBSET)
    assert [t["data"]["lightlyFileName"] for t in tasks] == [world.file_names[i] for i in SUBSET]
    first = fetch_without_token(world, tasks[0]["data"]["image"])
    assert first.status_code == 200 and first.content == world.images[world.file_names[0]]
    with_meta = _page(42, world, includeMetaData="true")
    wm.validate(with_meta, wm.list_of(LABEL_STUDIO_TASK))
    info = with_meta[1]["data"]["lightlyMetaInfo"]
    assert (info["id"], info["fileName"], info["index"]) == (
        world.sample_ids[2],
        world.file_names[2],
        2,
    )
    assert _page(42, world, offset=2500) == []


@covers(43)
def test_export_label_box_data_rows(world: World) -> None:
    rows = _page(43, world)
    wm.validate(rows, wm.list_of(LABEL_BOX_DATA_ROW))
    assert [r["externalId"] for r in rows] == [world.file_names[i] for i in SUBSET]
    last = fetch_without_token(world, rows[-1]["imageUrl"])
    assert last.status_code == 200 and last.content == world.images[world.file_names[4]]
    assert _page(43, world, offset=2500) == []


@covers(44)
def test_export_label_box_v4_data_rows(world: World) -> None:
    rows = _page(44, world)
    wm.validate(rows, wm.list_of(LABEL_BOX_V4_DATA_ROW))
    assert [(r["global_key"], r["media_type"]) for r in rows] == [
        (world.file_names[i], "IMAGE") for i in SUBSET
    ]
    middle = fetch_without_token(world, rows[1]["row_data"])
    assert middle.status_code == 200 and middle.content == world.images[world.file_names[2]]
    paged = _page(44, world, offset=1, pageSize=1)
    assert [r["global_key"] for r in paged] == [world.file_names[2]]
    assert _page(44, world, offset=2500) == []


@covers(42, 43, 44)
@pytest.mark.parametrize("number", [42, 43, 44])
def test_exports_of_unknown_tags_answer_404(world: World, number: int) -> None:
    response = world.call(
        number,
        params={"pageSize": 2500},
        datasetId=world.dataset_id,
        tagId=new_object_id(),
        expect=404,
    )
    assert error_body(response, 404)["code"] == "TAG_UNKNOWN"
