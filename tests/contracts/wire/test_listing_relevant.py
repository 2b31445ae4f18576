"""Wire routes 48-53 with lightly 1.5.26's relevant-filenames query parameters
(``relevantFilenamesFileName`` on every listing, ``relevantFilenamesRunId`` +
``relevantFilenamesArtifactId`` on metadata and predictions), sent on the dnc call and again with
every cursor as the client does: the same strict page and cursor models, only relevant files."""

from __future__ import annotations

from typing import Any

from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.test_datasource_listing import CURSORS, PAGE
from tests.contracts.wire.world import World, error_body, json_of

RELEVANT_KEY = ".lightly/relevant_wire.txt"


def _read_all(world: World, list_route: int, dnc_route: int, **params: Any) -> list[str]:
    dnc = json_of(world.call(dnc_route, params=params, datasetId=world.dataset_id))
    wm.validate(dnc, CURSORS)
    dnc_only = ("dncShards",)
    names: list[str] = []
    for cursor in dnc["cursors"]:
        more = True
        while more:
            query = {k: v for k, v in params.items() if k not in dnc_only}
            page = json_of(
                world.call(
                    list_route, params={**query, "cursor": cursor}, datasetId=world.dataset_id
                )
            )
            wm.validate(page, PAGE)
            names += [row["fileName"] for row in page["data"]]
            cursor, more = page["cursor"], page["hasMore"]
    return names


def _put_lightly(world: World, key: str, data: bytes) -> None:
    bucket = world.stack_env["S3_LIGHTLY_BUCKET"]
    world.s3.put_object(Bucket=bucket, Key=f"{world.prefix}/lightly/{key}", Body=data)
    world.extra.setdefault("relevant_wire_keys", []).append(key)


@covers(48, 49, 50, 51, 52, 53)
def test_listings_by_relevant_filenames_file(world: World) -> None:
    try:
        _check_listings(world)
    finally:
        # The world is shared: leave its LIGHTLY datasource as the other wire tests expect.
        bucket = world.stack_env["S3_LIGHTLY_BUCKET"]
        for key in world.extra.pop("relevant_wire_keys", []):
            world.s3.delete_object(Bucket=bucket, Key=f"{world.prefix}/lightly/{key}")


def _check_listings(world: World) -> None:
    wanted = [n for n in world.file_names if n.startswith("a/")][:2]
    assert wanted
    _put_lightly(world, RELEVANT_KEY, "\n".join(wanted).encode())
    relevant = {"relevantFilenamesFileName": RELEVANT_KEY}
    for shards in (1, 2):
        found = _read_all(world, 48, 49, dncShards=shards, **relevant)
        assert sorted(found) == sorted(wanted)
    other = next(n for n in world.file_names if n not in wanted)
    for name in (wanted[0], other):
        stem = name.rsplit(".", 1)[0]
        _put_lightly(world, f".lightly/metadata/{stem}.json", b"{}")
        _put_lightly(world, f".lightly/predictions/det/{stem}.json", b"{}")
    stem = wanted[0].rsplit(".", 1)[0]
    metadata = _read_all(world, 50, 51, dncShards=2, **relevant)
    assert metadata == [f".lightly/metadata/{stem}.json"]
    predictions = _read_all(world, 52, 53, dncShards=1, taskName="det", **relevant)
    assert predictions == [f".lightly/predictions/det/{stem}.json"]
    missing = world.call(
        48,
        params={"relevantFilenamesFileName": ".lightly/no-such.txt"},
        datasetId=world.dataset_id,
        expect=404,
    )
    assert error_body(missing, 404)["error"].startswith("relevantFilenamesFileName: ")
    half = world.call(
        50, params={"relevantFilenamesRunId": world.run_id}, datasetId=world.dataset_id, expect=400
    )
    assert error_body(half, 400)["error"].startswith("relevantFilenamesArtifactId: ")
