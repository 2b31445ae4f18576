"""Wire routes 23-28: tags (list, create, get), filename exports, bitmask arithmetics and the
sample mappings."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import (
    N_SAMPLES,
    World,
    error_body,
    fetch_without_token,
    json_of,
)
from winnow_common.ids import new_object_id

# --- 23..28: tags, exports, mappings --------------------------------------------------------


@covers(23)
def test_list_tags(world: World) -> None:
    body = json_of(world.call(23, datasetId=world.dataset_id))
    wm.validate(body, wm.list_of(wm.TAG_DATA))
    by_name = {t["name"]: t for t in body}
    assert by_name["initial-tag"]["bitMaskData"] == hex((1 << N_SAMPLES) - 1)
    assert by_name["initial-tag"].get("prevTagId") is None
    assert by_name["selected-tag-1"]["prevTagId"] == world.initial_tag_id


@covers(24)
def test_create_tag(world: World) -> None:
    body = {
        "name": f"subset-{uuid.uuid4().hex[:6]}",
        "prevTagId": world.initial_tag_id,
        "bitMaskData": "0x3",
        "totSize": N_SAMPLES,
        "creator": "USER_PIP",
    }
    created = json_of(world.call(24, json_body=body, datasetId=world.dataset_id))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    tag = json_of(world.call(25, datasetId=world.dataset_id, tagId=created["id"]))
    wm.validate(tag, wm.TAG_DATA)
    assert (tag["name"], tag["bitMaskData"], tag["prevTagId"]) == (
        body["name"],
        "0x3",
        world.initial_tag_id,
    )
    error_body(world.call(24, json_body=body, datasetId=world.dataset_id, expect=409), 409)


@covers(25)
def test_get_tag(world: World) -> None:
    body = json_of(world.call(25, datasetId=world.dataset_id, tagId=world.subset_tag_id))
    wm.validate(body, wm.TAG_DATA)
    assert body["runId"] == world.run_id and body["totSize"] == N_SAMPLES
    error_body(world.call(25, datasetId=world.dataset_id, tagId=new_object_id(), expect=404), 404)


def _export(world: World, fmt: str | None, offset: int = 0) -> Any:
    params: dict[str, Any] = {"pageSize": 5000, "pageOffset": offset}
    if fmt:
        params = {"fileNameFormat": fmt, **params}
    return json_of(
        world.call(26, params=params, datasetId=world.dataset_id, tagId=world.subset_tag_id)
    )


@covers(26)
@pytest.mark.parametrize("fmt", [None, "NAME", "DATASOURCE_FULL", "REDIRECTED_READ_URL"])
def test_export_filenames(world: World, fmt: str | None) -> None:
    body = _export(world, fmt)
    assert isinstance(body, str), "the export must be a JSON string"
    lines = body.split("\n")
    expected = [world.file_names[i] for i in (0, 2, 4)]
    if fmt in (None, "NAME"):
        assert lines == expected
    elif fmt == "DATASOURCE_FULL":
        base = f"obs://{world.stack_env['S3_INPUT_BUCKET']}/{world.prefix}/in"
        assert lines == [f"{base}/{n}" for n in expected]
    else:
        assert len(lines) == len(expected)
        first = fetch_without_token(world, lines[0])
        assert first.status_code == 200 and first.content == world.images[expected[0]]
    assert _export(world, fmt, offset=5000) == ""


@covers(27)
@pytest.mark.parametrize(
    ("operation", "expected"),
    [("UNION", 0b11111), ("INTERSECTION", 0b10101), ("DIFFERENCE", 0b01010)],
)
def test_tag_arithmetics(world: World, operation: str, expected: int) -> None:
    body = {
        "tagId1": world.initial_tag_id,
        "tagId2": world.subset_tag_id,
        "operation": operation,
        "creator": "USER_PIP",
    }
    result = json_of(world.call(27, json_body=body, datasetId=world.dataset_id))
    wm.validate(result, wm.TAG_BIT_MASK_RESPONSE)
    assert result["bitMaskData"] == hex(expected)


@covers(28)
@pytest.mark.parametrize("field_", ["fileName", "_id"])
def test_mappings(world: World, field_: str) -> None:
    params = {"field": field_, "pageSize": 25000, "pageOffset": 0}
    body = json_of(world.call(28, params=params, datasetId=world.dataset_id))
    wm.validate(body, wm.list_of(wm.STRING))
    assert body == (world.file_names if field_ == "fileName" else world.sample_ids)
    paged = json_of(
        world.call(
            28, params={"field": field_, "pageSize": 2, "pageOffset": 2}, datasetId=world.dataset_id
        )
    )
    assert paged == body[2:4]
    past = {"field": field_, "pageSize": 25000, "pageOffset": 25000}
    assert json_of(world.call(28, params=past, datasetId=world.dataset_id)) == []
