"""Datasource listing on the real stack: raw samples of a LOCAL and an S3 (SeaweedFS) INPUT
datasource, custom metadata and predictions of the LIGHTLY datasource, page by page and in
divide-and-conquer shards, filtered by the objects' real modification times, with signed read
URLs fetched byte-equal; read URLs of single files; processedUntilTimestamp."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.hardening_helpers import assert_field_error
from tests.api.helpers import create_dataset, make_bucket, s3_client, set_real_obs

INPUT_FILES = {
    "a.png": b"png-a",
    "a/x.jpg": b"jpg-x",
    "a/y/z.JPEG": b"jpeg-z",
    "a-b.webp": b"webp",
    "a0/q.bmp": b"bmp-q",
    "b/c/d.tif": b"tif-d",
    "notes.txt": b"not an image",
    "b/readme": b"no extension",
    ".lightly/runs/r1/data/sampled/a.png": b"a run's copy",
}
IMAGES = sorted(k for k in INPUT_FILES if not k.endswith(("txt", "readme")) and "/r1/" not in k)


def _local(url: str) -> str:
    """The path and query of a signed URL, for the in-process client."""
    parts = urlsplit(url)
    assert parts.netloc == "testserver" and "token" not in parts.query
    return f"{parts.path}?{parts.query}"


def _put_local(
    client: TestClient, user: ApiUser, dataset_id: str, purpose: str, path: Path
) -> None:
    body = {"purpose": purpose, "type": "LOCAL", "fullPath": str(path)}
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert response.status_code == 200, response.text


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for key, data in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)


def _get(client: TestClient, user: ApiUser, path: str, **params: Any) -> Any:
    response = client.get(path, params={**user.params, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _list_all(
    client: TestClient, user: ApiUser, dataset_id: str, route: str = "list", **params: Any
) -> tuple[list[tuple[str, str]], int]:
    """Every (fileName, readUrl) as lightly's client reads them (dnc cursors, then pages while
    ``hasMore``), and how many pages that took."""
    base = f"/v1/datasets/{dataset_id}/datasource/{route}"
    shards = params.pop("dncShards", 1)
    dnc = _get(client, user, f"{base}/dnc", dncShards=shards, **params)
    assert set(dnc) == {"cursors"} and dnc["cursors"]
    rows: list[tuple[str, str]] = []
    pages = 0
    extra = {k: v for k, v in params.items() if k in ("taskName",)}
    for cursor in dnc["cursors"]:
        more = True
        while more:
            page = _get(client, user, base, cursor=cursor, **extra)
            assert set(page) == {"hasMore", "cursor", "data"}
            assert all(set(row) == {"fileName", "readUrl"} for row in page["data"])
            rows += [(row["fileName"], row["readUrl"]) for row in page["data"]]
            cursor, more = page["cursor"], page["hasMore"]
            pages += 1
    return rows, pages


def test_local_listing_pages_dnc_and_read_urls(
    client: TestClient, user: ApiUser, tmp_path: Path
) -> None:
    _write_tree(tmp_path / "in", INPUT_FILES)
    dataset_id = create_dataset(client, user.params)
    _put_local(client, user, dataset_id, "INPUT", tmp_path / "in")

    rows, pages = _list_all(client, user, dataset_id, pageSize=2)
    # The worker's rule: images only, never under .lightly/, in key order (S3's).
    assert [name for name, _ in rows] == IMAGES
    assert pages == 3 + 1  # 6 images, 2 per page; the last page finds none left
    for name, url in rows:
        response = client.get(_local(url))
        assert response.status_code == 200 and response.content == INPUT_FILES[name]

    for shards in (2, 3, 10):
        sharded, _ = _list_all(client, user, dataset_id, pageSize=1, dncShards=shards)
        assert sorted(name for name, _ in sharded) == IMAGES  # each file exactly once


def test_local_from_to_uses_file_mtimes(client: TestClient, user: ApiUser, tmp_path: Path) -> None:
    _write_tree(tmp_path / "in", INPUT_FILES)
    for i, key in enumerate(IMAGES):
        os.utime(tmp_path / "in" / key, (1_700_000_000 + i * 10, 1_700_000_000 + i * 10))
    dataset_id = create_dataset(client, user.params)
    _put_local(client, user, dataset_id, "INPUT", tmp_path / "in")

    def names(**window: int) -> list[str]:
        return [n for n, _ in _list_all(client, user, dataset_id, pageSize=2, **window)[0]]

    assert names(**{"from": 1_700_000_010, "to": 1_700_000_030}) == IMAGES[1:4]  # inclusive
    assert names(**{"from": 1_700_000_031}) == IMAGES[4:]
    assert names(to=1_700_000_000) == IMAGES[:1]
    assert names(**{"from": 1_800_000_000}) == []
    # Without a cursor the list route applies from/to itself.
    page = _get(client, user, f"/v1/datasets/{dataset_id}/datasource/list", to=1_700_000_010)
    assert [r["fileName"] for r in page["data"]] == IMAGES[:2] and page["hasMore"] is False


def test_s3_new_samples_by_last_modified_and_processed_until(
    client: TestClient, user: ApiUser
) -> None:
    """download_new_raw_samples: list from processedUntilTimestamp + 1 to now, then store now."""
    bucket = make_bucket({f"in/old_{i}.png": f"old {i}".encode() for i in range(3)})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    ts_path = f"/v1/datasets/{dataset_id}/datasource/processedUntilTimestamp"
    assert _get(client, user, ts_path) == {"processedUntilTimestamp": 0}

    def new_samples() -> list[str]:
        start = _get(client, user, ts_path)["processedUntilTimestamp"]
        now = int(time.time())
        window = {"from": start + 1 if start else 0, "to": now}
        rows, _ = _list_all(client, user, dataset_id, **window)
        response = client.put(ts_path, params=user.params, json={"processedUntilTimestamp": now})
        assert response.status_code == 200 and response.content == b""
        assert _get(client, user, ts_path) == {"processedUntilTimestamp": now}
        return [name for name, _ in rows]

    assert new_samples() == [f"old_{i}.png" for i in range(3)]
    assert new_samples() == []
    time.sleep(1.1)  # S3 LastModified has second resolution
    s3 = s3_client()
    s3.put_object(Bucket=bucket, Key="in/new.png", Body=b"new")
    modified = int(s3.head_object(Bucket=bucket, Key="in/new.png")["LastModified"].timestamp())
    assert new_samples() == ["new.png"]
    # Exactly the object's own LastModified bounds it (both ends inclusive).
    only = _list_all(client, user, dataset_id, **{"from": modified, "to": modified})[0]
    assert [name for name, _ in only] == ["new.png"]
    assert client.get(_local(only[0][1])).content == b"new"


def test_s3_pages_and_shards(client: TestClient, user: ApiUser) -> None:
    keys = [f"img/{i:03d}.png" for i in range(20)] + ["img/sub/x.jpg", "other.txt"]
    # "/" sorts between "-", "." and "0" (SeaweedFS lists folder by folder).
    keys += ["a.png", "a/b.png", "a0.png", "a-c.png", ".lightly/x.png", ".lightly.png"]
    keys += [".lightly-a.png", ".lightly0.png"]
    bucket = make_bucket({f"root/{k}": k.encode() for k in keys})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT_OUTPUT", f"obs://{bucket}/root")
    images = sorted(k for k in keys if k.endswith((".png", ".jpg")) and "/x.png" not in k)

    rows, pages = _list_all(client, user, dataset_id, pageSize=5)
    # Every image once, .lightly/ never, in the server's own order (folder by folder here).
    assert sorted(n for n, _ in rows) == images and len(rows) == len(images) and pages == 6
    assert all(client.get(_local(url)).content == name.encode() for name, url in rows[::6])
    for shards in (2, 4, 7):
        sharded, _ = _list_all(client, user, dataset_id, pageSize=4, dncShards=shards)
        assert sorted(n for n, _ in sharded) == images and len(sharded) == len(images)


def test_metadata_and_prediction_listing_and_file_urls(client: TestClient, user: ApiUser) -> None:
    lightly = {
        ".lightly/metadata/schema.json": b"[]",
        ".lightly/metadata/a.json": b'{"file_name": "a.png"}',
        ".lightly/metadata/sub/b.json": b'{"file_name": "sub/b.png"}',
        ".lightly/metadata/notes.txt": b"not metadata",
        ".lightly/predictions/tasks.json": b'["det"]',
        ".lightly/predictions/det/schema.json": b"{}",
        ".lightly/predictions/det/a.json": b'{"predictions": []}',
        ".lightly/predictions/det/sub/b.json": b'{"predictions": [1]}',
        ".lightly/predictions/other/a.json": b"{}",
        ".lightly/embeddings/mine.csv": b"filenames,embedding_0,labels\n",
    }
    bucket = make_bucket({f"out/{k}": v for k, v in lightly.items()})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "LIGHTLY", f"obs://{bucket}/out")

    metadata, _ = _list_all(client, user, dataset_id, "metadata/list", pageSize=1)
    assert [n for n, _ in metadata] == [".lightly/metadata/a.json", ".lightly/metadata/sub/b.json"]
    predictions, _ = _list_all(client, user, dataset_id, "predictions/list", taskName="det")
    assert [n for n, _ in predictions] == [
        ".lightly/predictions/det/a.json",
        ".lightly/predictions/det/sub/b.json",
    ]
    for name, url in metadata + predictions:
        assert client.get(_local(url)).content == lightly[name]

    base = f"/v1/datasets/{dataset_id}/datasource"
    for route, file_name, key in (
        ("metadata/file", "sub/b.json", ".lightly/metadata/sub/b.json"),
        ("predictions/file", "det/a.json", ".lightly/predictions/det/a.json"),
        ("embeddings/file", "mine.csv", ".lightly/embeddings/mine.csv"),
    ):
        url = _get(client, user, f"{base}/{route}", fileName=file_name)
        assert isinstance(url, str) and client.get(_local(url)).content == lightly[key]
    # A URL comes back for a file that does not exist (lightly's contract); reading it is a 404.
    url = _get(client, user, f"{base}/metadata/file", fileName="missing.json")
    assert_field_error(client.get(_local(url)), 404, "fileName")
    bad = client.get(f"{base}/metadata/file", params={**user.params, "fileName": "../x.json"})
    assert_field_error(bad, 400, "fileName")


def test_refusals_name_the_field(
    client: TestClient, user: ApiUser, other_user: ApiUser, tmp_path: Path
) -> None:
    dataset_id = create_dataset(client, user.params)
    base = f"/v1/datasets/{dataset_id}/datasource"
    # No datasource yet: a final 404 naming the dataset, for listing and file URLs alike.
    for route, params in (
        ("list", {}),
        ("list/dnc", {"dncShards": 1}),
        ("metadata/list", {}),
        ("predictions/list/dnc", {"taskName": "det", "dncShards": 2}),
        ("embeddings/file", {"fileName": "mine.csv"}),
    ):
        response = client.get(f"{base}/{route}", params={**user.params, **params})
        assert "no INPUT" in assert_field_error(response, 404, "datasetId") or route != "list"
    _write_tree(tmp_path / "in", {"a.png": b"a"})
    _put_local(client, user, dataset_id, "INPUT", tmp_path / "in")
    bad_cursor = client.get(f"{base}/list", params={**user.params, "cursor": "not-a-cursor"})
    assert_field_error(bad_cursor, 400, "cursor")
    cursor = _get(client, user, f"{base}/list/dnc", dncShards=1)["cursors"][0]
    wrong_kind = client.get(f"{base}/metadata/list", params={**user.params, "cursor": cursor})
    assert_field_error(wrong_kind, 400, "cursor")
    relevant = {"relevantFilenamesFileName": ".lightly/relevant.txt"}
    response = client.get(f"{base}/list", params={**user.params, **relevant})
    # No LIGHTLY datasource to hold the file: a final 404 (tests/api/test_datasource_listing_
    # relevant.py lists by relevant filenames).
    assert_field_error(response, 404, "relevantFilenamesFileName")
    # to before from: an empty window (download_new_raw_samples twice within one second).
    window = _get(client, user, f"{base}/list", **{"from": 10, "to": 5})
    assert window["data"] == [] and window["hasMore"] is False
    negative = client.put(
        f"{base}/processedUntilTimestamp", params=user.params, json={"processedUntilTimestamp": -1}
    )
    assert negative.status_code == 422
    # Found by schemathesis: a boolean is not a timestamp, and one beyond BIGINT was a 500.
    for bad in (False, 980544954821934710784):
        response = client.put(
            f"{base}/processedUntilTimestamp",
            params=user.params,
            json={"processedUntilTimestamp": bad},
        )
        assert_field_error(response, 422, "processedUntilTimestamp")
    # Another user's dataset is indistinguishable from a missing one.
    hidden = client.get(f"{base}/processedUntilTimestamp", params=other_user.params)
    assert_field_error(hidden, 404, "datasetId")
    # A read URL whose signature does not match (another key) is refused.
    url = _get(client, user, f"{base}/list")["data"][0]["readUrl"]
    assert client.get(_local(url).replace("/a.png?", "/b.png?")).status_code == 401


def test_local_listing_of_100k_files_is_paged_in_bounded_memory(
    client: TestClient, user: ApiUser, tmp_path: Path
) -> None:
    """100 000 images (100 folders of 1000) listed through the route, 1000 per page: every file
    once, in order, and no page holds more than a few folders' entries in memory."""
    root = tmp_path / "big"
    started = time.perf_counter()
    for d in range(100):
        folder = root / f"d{d:03d}"
        folder.mkdir(parents=True)
        for i in range(1000):
            (folder / f"{i:04d}.png").touch()
    created = time.perf_counter() - started
    dataset_id = create_dataset(client, user.params)
    _put_local(client, user, dataset_id, "INPUT", root)

    started = time.perf_counter()
    tracemalloc.start()
    peak = 0
    cursor = _get(client, user, f"/v1/datasets/{dataset_id}/datasource/list/dnc", dncShards=1)
    cursor, more, count, pages, previous = cursor["cursors"][0], True, 0, 0, ""
    while more:
        tracemalloc.reset_peak()
        page = _get(client, user, f"/v1/datasets/{dataset_id}/datasource/list", cursor=cursor)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        names = [row["fileName"] for row in page["data"]]
        assert names == sorted(names) and (not names or names[0] > previous)
        previous = names[-1] if names else previous
        count, pages = count + len(names), pages + 1
        cursor, more = page["cursor"], page["hasMore"]
    tracemalloc.stop()
    listed = time.perf_counter() - started
    print(
        f"100k files: created in {created:.1f} s, listed in {listed:.1f} s ({pages} pages), "
        f"peak {peak / 2**20:.1f} MiB per page"
    )
    assert count == 100_000 and previous == "d099/0999.png"
    assert peak < 32 * 2**20
