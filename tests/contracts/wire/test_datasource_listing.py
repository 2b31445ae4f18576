"""Wire routes 48-58: the datasource listing (pages and divide-and-conquer cursors of raw
samples, custom metadata and predictions), read URLs of single LIGHTLY files and
``processedUntilTimestamp``, as lightly 1.5.26's models read them (no extra keys, strict types)."""

from __future__ import annotations

import time
from typing import Any

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import World, error_body, fetch_without_token, json_of, new_dataset


def _strict(required: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these required keys (the client's models forbid extras)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(required),
        "properties": required,
    }


ROW = _strict({"fileName": wm.STRING, "readUrl": wm.HTTP_URL})
PAGE = _strict({"hasMore": wm.BOOLEAN, "cursor": wm.STRING, "data": wm.list_of(ROW)})
CURSORS = _strict({"cursors": {**wm.STRINGS, "minItems": 1}})
PROCESSED = _strict({"processedUntilTimestamp": wm.TIMESTAMP})
LIGHTLY_FILES = {
    ".lightly/metadata/a/img_01.json": b'{"file_name": "a/img_01.png", "metadata": {}}',
    ".lightly/predictions/det/a/img_01.json": b'{"file_name": "a/img_01.png", "predictions": []}',
    ".lightly/embeddings/custom.csv": b"filenames,embedding_0,labels\na/img_01.png,0.5,0\n",
}


def _read_all(world: World, list_route: int, dnc_route: int, **params: Any) -> dict[str, str]:
    """Every file of a listing the way the client reads it: dnc cursors, then pages."""
    dnc = json_of(world.call(dnc_route, params=params, datasetId=world.dataset_id))
    wm.validate(dnc, CURSORS)
    extra = {k: v for k, v in params.items() if k == "taskName"}
    found: dict[str, str] = {}
    for cursor in dnc["cursors"]:
        more = True
        while more:
            page = json_of(
                world.call(
                    list_route, params={**extra, "cursor": cursor}, datasetId=world.dataset_id
                )
            )
            wm.validate(page, PAGE)
            found.update((row["fileName"], row["readUrl"]) for row in page["data"])
            cursor, more = page["cursor"], page["hasMore"]
    return found


@covers(48, 49)
def test_raw_samples_listing(world: World) -> None:
    now = int(time.time())
    for shards in (1, 3):
        found = _read_all(world, 48, 49, dncShards=shards, to=now)
        assert sorted(found) == sorted(world.file_names)
        for name, url in found.items():
            assert fetch_without_token(world, url).content == world.images[name]
    # Without a cursor the list route starts itself; a window in the future is empty.
    page = json_of(world.call(48, params={"from": now + 3600}, datasetId=world.dataset_id))
    wm.validate(page, PAGE)
    assert page["data"] == [] and page["hasMore"] is False
    bad = world.call(48, params={"cursor": "x"}, datasetId=world.dataset_id, expect=400)
    assert error_body(bad, 400)["error"].startswith("cursor: ")
    no_shards = world.call(49, datasetId=world.dataset_id, expect=422)
    assert no_shards.status_code == 422


@covers(50, 51, 52, 53, 54, 55, 56)
def test_lightly_files_listing_and_read_urls(world: World) -> None:
    bucket = world.stack_env["S3_LIGHTLY_BUCKET"]
    for key, data in LIGHTLY_FILES.items():
        world.s3.put_object(Bucket=bucket, Key=f"{world.prefix}/lightly/{key}", Body=data)
    metadata = _read_all(world, 50, 51, dncShards=2)
    assert list(metadata) == [".lightly/metadata/a/img_01.json"]
    predictions = _read_all(world, 52, 53, dncShards=1, taskName="det")
    assert list(predictions) == [".lightly/predictions/det/a/img_01.json"]
    for name, url in {**metadata, **predictions}.items():
        assert fetch_without_token(world, url).content == LIGHTLY_FILES[name]
    for number, file_name, key in (
        (54, "a/img_01.json", ".lightly/metadata/a/img_01.json"),
        (55, "det/a/img_01.json", ".lightly/predictions/det/a/img_01.json"),
        (56, "custom.csv", ".lightly/embeddings/custom.csv"),
    ):
        url = json_of(
            world.call(number, params={"fileName": file_name}, datasetId=world.dataset_id)
        )
        assert isinstance(url, str)
        assert fetch_without_token(world, url).content == LIGHTLY_FILES[key]
    no_task = world.call(52, datasetId=world.dataset_id, expect=422)
    assert no_task.status_code == 422
    outside = world.call(
        54, params={"fileName": "../x.json"}, datasetId=world.dataset_id, expect=400
    )
    assert error_body(outside, 400)["error"].startswith("fileName: ")


@covers(57, 58)
def test_processed_until_timestamp(world: World) -> None:
    dataset_id = new_dataset(world)
    body = json_of(world.call(57, datasetId=dataset_id))
    wm.validate(body, PROCESSED)
    assert body == {"processedUntilTimestamp": 0}
    now = int(time.time())
    put = world.call(58, json_body={"processedUntilTimestamp": now}, datasetId=dataset_id)
    assert put.content == b""
    assert json_of(world.call(57, datasetId=dataset_id)) == {"processedUntilTimestamp": now}
    bad = world.call(
        58, json_body={"processedUntilTimestamp": "soon"}, datasetId=dataset_id, expect=422
    )
    assert bad.status_code == 422
    # A dataset without datasources: listing is a 404 naming the dataset.
    missing = world.call(48, datasetId=dataset_id, expect=404)
    assert error_body(missing, 404)["error"].startswith("datasetId: ")
