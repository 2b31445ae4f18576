"""Embeddings of a dataset on the real stack: upload through the signed write URL, byte-equal
read back, samples created at stable bits, bad CSVs refused, other users' datasets hidden, and a
run's embeddings registered as the dataset's embedding."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, insert_samples, make_bucket, s3_client, set_real_obs
from winnow_common.config import RunSettings
from winnow_common.db.models import Embedding, Run, Sample, ScheduledRun, User, WorkerConfig
from winnow_common.db.session import session_factory
from winnow_common.embeddings_csv import write_embeddings_csv
from winnow_common.lifecycle import results
from winnow_common.lifecycle.attempts import claim_process_run
from winnow_common.lifecycle.run_embeddings import register_run_embedding
from winnow_common.storage import RunKeys

RNG = np.random.default_rng(12)


def _csv(names: list[str], dim: int = 4) -> bytes:
    """A CSV as lightly's client sends it (``csv.writer``: CRLF line ends, quoted names)."""
    rows = RNG.standard_normal((len(names), dim)).astype(np.float32)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["filenames", *(f"embedding_{i}" for i in range(dim)), "labels"])
    writer.writerows(
        [n, *(repr(float(v)) for v in row), 0] for n, row in zip(names, rows, strict=True)
    )
    return buf.getvalue().encode()


def _local(url: str) -> str:
    """The path and query of a signed URL, for the in-process client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _write_url(client: TestClient, user: ApiUser, dataset_id: str, name: str) -> dict[str, Any]:
    response = client.get(
        f"/v1/datasets/{dataset_id}/embeddings/writeCSVUrl", params={**user.params, "name": name}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"signedWriteUrl", "embeddingId"}
    assert "token" not in body["signedWriteUrl"]
    return body


def _upload(client: TestClient, user: ApiUser, dataset_id: str, name: str, data: bytes) -> str:
    target = _write_url(client, user, dataset_id, name)
    put = client.put(_local(target["signedWriteUrl"]), content=data)
    assert put.status_code == 200, put.text
    embedding_id: str = target["embeddingId"]
    return embedding_id


def _read(client: TestClient, user: ApiUser, dataset_id: str, embedding_id: str) -> bytes:
    url = client.get(
        f"/v1/datasets/{dataset_id}/embeddings/{embedding_id}/readCSVUrl", params=user.params
    )
    assert url.status_code == 200, url.text
    assert isinstance(url.json(), str) and "token" not in url.json()
    download = client.get(_local(url.json()))
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    return download.content


def _samples(dataset_id: str) -> dict[str, int]:
    with session_factory()() as session:
        rows = session.scalars(select(Sample).where(Sample.dataset_id == dataset_id))
        return {s.file_name: s.idx for s in rows}


def _listing(client: TestClient, user: ApiUser, dataset_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/datasets/{dataset_id}/embeddings", params=user.params)
    assert response.status_code == 200, response.text
    listing: list[dict[str, Any]] = response.json()
    return listing


def test_upload_reads_back_byte_equal_and_creates_samples(
    client: TestClient, user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    insert_samples(dataset_id, ["old.png", "b.png"])
    data = _csv(["a.png", "b.png", "dir/c, d.png"])
    target = _write_url(client, user, dataset_id, "my-embeddings")
    embedding_id = target["embeddingId"]
    for _ in range(2):  # the client retries a PUT: a repeated one replaces the file
        put = client.put(_local(target["signedWriteUrl"]), content=data)
        assert put.status_code == 200 and put.content == b""
    assert _read(client, user, dataset_id, embedding_id) == data
    # Existing samples keep their bits; new files get the next ones, in CSV order.
    assert _samples(dataset_id) == {"old.png": 0, "b.png": 1, "a.png": 2, "dir/c, d.png": 3}
    [entry] = _listing(client, user, dataset_id)
    assert entry["id"] == embedding_id and entry["name"] == "my-embeddings"
    assert entry["isProcessed"] is True and entry["is2d"] is False
    assert set(entry) == {"id", "name", "isProcessed", "createdAt", "is2d"}

    again = _csv(["a.png", "b.png", "e.png"])
    target = client.get(
        f"/v1/datasets/{dataset_id}/embeddings/{embedding_id}/readCSVUrl", params=user.params
    ).json()
    assert client.put(_local(target), content=again).status_code == 405  # a read URL is no PUT
    second = _upload(client, user, dataset_id, "second", again)
    assert _read(client, user, dataset_id, second) == again
    assert _samples(dataset_id)["e.png"] == 4
    names = [e["name"] for e in _listing(client, user, dataset_id)]
    assert names == ["second", "my-embeddings"]  # newest first


def test_append_union_round_trips(client: TestClient, user: ApiUser) -> None:
    """What ``append_embeddings`` does: read the latest, upload the union under a new name."""
    dataset_id = create_dataset(client, user.params)
    first = _csv(["a.png", "b.png"])
    first_id = _upload(client, user, dataset_id, "emb", first)
    union = _read(client, user, dataset_id, first_id) + _csv(["c.png"]).split(b"\r\n", 1)[1]
    union_id = _upload(client, user, dataset_id, "emb_20240101_00h00m00s", union)
    assert _read(client, user, dataset_id, union_id) == union
    assert set(_samples(dataset_id)) == {"a.png", "b.png", "c.png"}


def test_bad_csv_is_a_400_naming_the_problem(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    cases = {
        b"name,embedding_0,labels\r\na.png,1.0,0\r\n": "header",
        b"filenames,embedding_0,labels\r\na.png,1.0\r\n": "expected 3 fields",
        b"filenames,embedding_0,labels\r\na.png,x,0\r\n": "line 2",
        b"filenames,embedding_0,labels\r\na.png,1.0,0\r\na.png,2.0,0\r\n": "more than once",
        b"filenames,embedding_0,labels\r\n": "no rows",
        b"filenames,embedding_0,labels\r\na.png,nan,0\r\n": "NaN",
        b"\xff\xfe": "UTF-8",
        b"": "empty",
    }
    for i, (data, problem) in enumerate(cases.items()):
        target = _write_url(client, user, dataset_id, f"bad-{i}")
        put = client.put(_local(target["signedWriteUrl"]), content=data)
        assert put.status_code == 400, (data, put.text)
        message = put.json()["error"]
        assert message.startswith("body:") and problem in message, message
        url = client.get(
            f"/v1/datasets/{dataset_id}/embeddings/{target['embeddingId']}/readCSVUrl",
            params=user.params,
        ).json()
        missing = client.get(_local(url))
        assert missing.status_code == 404 and "not been uploaded" in missing.json()["error"]
    assert _samples(dataset_id) == {}
    assert all(e["isProcessed"] is False for e in _listing(client, user, dataset_id))


def test_names_signatures_and_other_users(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    embedding_id = _upload(client, user, dataset_id, "taken", _csv(["a.png"]))
    base = f"/v1/datasets/{dataset_id}/embeddings"
    dup = client.get(f"{base}/writeCSVUrl", params={**user.params, "name": "taken"})
    assert dup.status_code == 409 and dup.json()["error"].startswith("name:")
    nameless = client.get(f"{base}/writeCSVUrl", params=user.params)
    assert nameless.status_code == 422 and nameless.json()["error"].startswith("name:")

    # Another user's dataset is indistinguishable from a missing one.
    assert client.get(base, params=other_user.params).status_code == 404
    foreign = client.get(f"{base}/writeCSVUrl", params={**other_user.params, "name": "x"})
    assert foreign.status_code == 404
    read = client.get(f"{base}/{embedding_id}/readCSVUrl", params=other_user.params)
    assert read.status_code == 404
    unknown = client.get(f"{base}/{'0' * 24}/readCSVUrl", params=user.params)
    assert unknown.status_code == 404 and unknown.json()["error"].startswith("embeddingId:")

    # Signatures bind the path: a write URL of one embedding does not write another.
    target = _write_url(client, user, dataset_id, "fresh")
    parts = urlsplit(target["signedWriteUrl"])
    swapped = parts.path.replace(target["embeddingId"], embedding_id)
    assert client.put(f"{swapped}?{parts.query}", content=b"x").status_code == 401
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    expired = client.put(f"{parts.path}?{urlencode({**query, 'expires': 1})}", content=b"x")
    assert expired.status_code == 401
    assert _read(client, user, dataset_id, embedding_id).startswith(b"filenames,")


def _scheduled_run(email: str, dataset_id: str) -> str:
    with session_factory().begin() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        config = WorkerConfig(user_id=user.id, version="V4", config={})
        session.add(config)
        session.flush()
        scheduled = ScheduledRun(dataset_id=dataset_id, user_id=user.id, config_id=config.id)
        session.add(scheduled)
        session.flush()
        return scheduled.id


def test_a_runs_embeddings_become_the_datasets_embedding(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    prefix = f"lightly-{uuid.uuid4().hex[:6]}"
    bucket = make_bucket()
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/input")
    set_real_obs(client, user.params, dataset_id, "LIGHTLY", f"obs://{bucket}/{prefix}")
    with session_factory().begin() as session:
        claim = claim_process_run(
            session, _scheduled_run(user.email, dataset_id), "test@host:1", None, RunSettings()
        )
    assert claim is not None
    csv_bytes = write_embeddings_csv(["a.png", "b.png", "c.png"], RNG.standard_normal((3, 8)))
    key = f"{prefix}/{RunKeys.for_run(claim.run_id).embeddings_csv}"
    s3_client().put_object(Bucket=bucket, Key=key, Body=csv_bytes)
    result = results.WorkerStageResult(
        selected=["b.png"], n_input=3, model_trained=False, model_description="test"
    )
    with session_factory().begin() as session:
        results.finish_worker_stage(session, claim.attempt_id, result, None)
    with session_factory().begin() as session:  # a retried recording adds nothing
        run = session.get_one(Run, claim.run_id)
        again = register_run_embedding(session, run)
        assert again.run_id == run.id
    with session_factory()() as session:
        [row] = session.scalars(select(Embedding).where(Embedding.dataset_id == dataset_id))
        assert row.storage_location == "LIGHTLY" and row.run_id == claim.run_id

    [entry] = _listing(client, user, dataset_id)
    assert entry["name"].startswith("default_") and entry["name"].endswith(claim.run_id)
    assert entry["isProcessed"] is True
    # The read URL streams the run's CSV from the LIGHTLY datasource, byte for byte.
    assert _read(client, user, dataset_id, entry["id"]) == csv_bytes
    # An upload named "default..." after it is the newest: download_embeddings_csv's pick.
    uploaded = _upload(client, user, dataset_id, "default", _csv(["b.png"]))
    assert [e["id"] for e in _listing(client, user, dataset_id)] == [uploaded, entry["id"]]
