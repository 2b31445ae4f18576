"""Issue 10: inputs that made the API answer 500 get a final 4xx naming the field instead.

One test per kind of 500 (schemathesis over ``openapi.json`` found most of them; the fuzzing
itself runs in ``tests/contracts/test_schemathesis.py``). Every error body is
``{"code": ..., "error": "<field>: <problem>"}``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from tests.api.conftest import ApiUser, GpuQueue
from tests.api.helpers import (
    DIVERSITY,
    create_config,
    create_dataset,
    insert_samples,
    insert_tag,
    make_bucket,
    set_obs,
    set_real_obs,
)

JSON = {"content-type": "application/json"}


def assert_field_error(response: httpx.Response, status: int, field: str) -> str:
    """The response is ``status`` with the standard error body, its message about ``field``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "error"}, body
    error: str = body["error"]
    assert error.startswith(f"{field}: "), error
    return error


def _user_id(user: ApiUser) -> str:
    from winnow_common.db.models import User
    from winnow_common.db.session import session_factory

    with session_factory().begin() as session:
        return str(session.scalars(select(User.id).where(User.email == user.email)).one())


def _sample(client: TestClient, user: ApiUser) -> tuple[str, str]:
    dataset_id = create_dataset(client, user.params)
    return dataset_id, insert_samples(dataset_id, ["a.png"])[0]


def _put_sample(client: TestClient, user: ApiUser, raw: bytes) -> httpx.Response:
    dataset_id, sample_id = _sample(client, user)
    response: httpx.Response = client.put(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}",
        params=user.params,
        content=raw,
        headers=JSON,
    )
    return response


def _path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


# --- 1. signed downloads: a non-ASCII signature (TypeError in hmac.compare_digest) ---------


@pytest.mark.parametrize("signature", ["é", "猫" * 64, "\x00", "a" * 10_000])
def test_non_ascii_signature_is_401_naming_signature(
    client: TestClient, user: ApiUser, signature: str
) -> None:
    dataset_id, sample_id = _sample(client, user)
    far = int(time.time()) + 3600
    for path in (
        f"/v1/files/datasets/{dataset_id}/samples/{sample_id}",
        f"/v1/files/runs/{'a' * 24}/artifacts/{'b' * 24}",
    ):
        response = client.get(path, params={"expires": far, "signature": signature})
        assert_field_error(response, 401, "signature")


# --- 2. datasource PUT: an OBS endpoint boto3 refuses (ValueError creating the client) ------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://[::1",  # unclosed IPv6 bracket: urlsplit raises
        "http://host:99999",  # port out of range
        "http://host:port",  # port not a number
        "https://\x1b \x07ì",  # no valid host name
        "http://exa mple.com",
    ],
)
def test_invalid_obs_endpoint_is_422_naming_obs_endpoint(
    client: TestClient, user: ApiUser, endpoint: str
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {
        "purpose": "INPUT",
        "type": "OBS",
        "fullPath": "obs://bucket/in",
        "obsEndpoint": endpoint,
        "obsAccessKeyId": "AK",
        "obsSecretAccessKey": "SK",
    }
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert_field_error(response, 422, "OBS.obsEndpoint")
    # Nothing was stored, so nothing fails later (verify, runs, downloads).
    assert (
        client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params).status_code == 404
    )


def test_invalid_endpoint_stored_before_validation_is_reported_not_500(
    client: TestClient, user: ApiUser
) -> None:
    """Rows written before endpoints were validated: verify reports, downloads are a 404."""
    from winnow_common.db.models import Datasource
    from winnow_common.db.session import session_factory
    from winnow_common.secretbox import encrypt_secrets

    dataset_id = create_dataset(client, user.params)
    with session_factory().begin() as session:
        for purpose in ("INPUT", "LIGHTLY"):
            session.add(
                Datasource(
                    dataset_id=dataset_id,
                    purpose=purpose,
                    type="OBS",
                    full_path=f"obs://bucket/{purpose.lower()}",
                    options={"obsEndpoint": "http://[::1", "obsAccessKeyId": "AK"},
                    secrets_encrypted=encrypt_secrets({"obsSecretAccessKey": "SK"}),
                )
            )
    verify = client.get(f"/v1/datasets/{dataset_id}/datasource/verify", params=user.params)
    assert verify.status_code == 200, verify.text
    assert "cannot open OBS datasource" in verify.json()["errors"]["canList"]
    sample_id = insert_samples(dataset_id, ["a.png"])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    download = client.get(_path_of(url))
    assert download.status_code == 404, download.text
    assert "INPUT datasource (OBS) cannot be opened" in download.json()["error"]


# --- 3. datasource PUT: a fullPath the storage layer cannot split (ValueError) --------------


@pytest.mark.parametrize(
    ("type_", "extra"),
    [
        (
            "OBS",
            {"obsEndpoint": "http://127.0.0.1:9", "obsAccessKeyId": "A", "obsSecretAccessKey": "S"},
        ),
        ("S3", {"s3Region": "us-east-1", "s3AccessKeyId": "A", "s3SecretAccessKey": "S"}),
    ],
)
def test_unparsable_full_path_is_422_naming_full_path(
    client: TestClient, user: ApiUser, type_: str, extra: dict[str, str]
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", "type": type_, "fullPath": f"{type_.lower()}://[bucket/in", **extra}
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert_field_error(response, 422, f"{type_}.fullPath")


# --- 4./5. paging: pageSize / pageOffset beyond PostgreSQL's bigint LIMIT / OFFSET ----------


@pytest.mark.parametrize("param", ["pageSize", "pageOffset"])
@pytest.mark.parametrize("value", [2**63, 10**30])
def test_huge_page_values_are_422_naming_the_parameter(
    client: TestClient, user: ApiUser, param: str, value: int
) -> None:
    dataset_id, _ = _sample(client, user)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    for path, extra in (
        ("/v1/datasets", {}),
        ("/v1/docker/runs", {}),
        (f"/v1/datasets/{dataset_id}/mappings", {"field": "fileName"}),
        (f"/v1/datasets/{dataset_id}/samples/partial", {}),
        (f"/v1/datasets/{dataset_id}/tags/{tag_id}/export/basic/filenames", {}),
        (f"/v1/docker/runs/query/datasetId/{dataset_id}", {}),
    ):
        response = client.get(path, params={**user.params, **extra, param: value})
        assert_field_error(response, 422, param)


def test_a_query_parameter_given_twice_is_422_naming_it(client: TestClient, user: ApiUser) -> None:
    """schemathesis (negative data): ``?pageOffset=..&pageOffset=0.0`` answered 200."""
    dataset_id, _ = _sample(client, user)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    path = f"/v1/datasets/{dataset_id}/tags/{tag_id}/export/basic/filenames"
    query = [("token", user.params["token"]), ("pageOffset", "\U00054da8"), ("pageOffset", "0.0")]
    assert_field_error(client.get(path, params=query), 422, "pageOffset")
    once = client.get(path, params=[("token", user.params["token"]), ("pageOffset", "0")])
    assert once.status_code == 200, once.text


def test_largest_page_values_still_work(client: TestClient, user: ApiUser) -> None:
    dataset_id, _ = _sample(client, user)
    response = client.get(
        f"/v1/datasets/{dataset_id}/mappings",
        params={**user.params, "field": "fileName", "pageSize": 2**63 - 1, "pageOffset": 0},
    )
    assert response.status_code == 200 and response.json() == ["a.png"]
    past = client.get(
        f"/v1/datasets/{dataset_id}/mappings",
        params={**user.params, "field": "fileName", "pageOffset": 2**63 - 1},
    )
    assert past.status_code == 200 and past.json() == []


# --- 6./7. sample PUT: customMetaData keys / values PostgreSQL cannot store -----------------


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (rb'{"customMetaData": {"a\u0000b": 1}}', "NUL"),
        (rb'{"customMetaData": {"ok": {"deep\u0000er": 1}}}', "NUL"),
        (rb'{"customMetaData": {"a": "x\u0000y"}}', "NUL"),
        (rb'{"customMetaData": {"\ud800": 1}}', "surrogate"),
        (rb'{"customMetaData": {"a": ["\udfff"]}}', "surrogate"),
    ],
)
def test_odd_custom_metadata_keys_are_422_naming_custom_metadata(
    client: TestClient, user: ApiUser, raw: bytes, problem: str
) -> None:
    error = assert_field_error(_put_sample(client, user, raw), 422, "customMetaData")
    assert problem in error


def test_unicode_custom_metadata_is_stored(client: TestClient, user: ApiUser) -> None:
    dataset_id, sample_id = _sample(client, user)
    meta = {"猫": "🐈 ok", "nested": {"é": [1, 2.5, None, True]}}
    response = client.put(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}",
        params=user.params,
        json={"customMetaData": meta},
    )
    assert response.status_code == 200, response.text
    listed = client.get(
        f"/v1/datasets/{dataset_id}/samples/partial", params={**user.params, "mode": "full"}
    )
    assert listed.json()[0]["customMetaData"] == meta


# --- 8. NaN / Infinity in a JSON body (Python's parser accepts them, JSONB does not) --------


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_non_finite_numbers_are_422_naming_the_field(
    client: TestClient, user: ApiUser, number: bytes
) -> None:
    raw = b'{"customMetaData": {"score": [' + number + b"]}}"
    error = assert_field_error(_put_sample(client, user, raw), 422, "customMetaData")
    assert "finite" in error
    config = client.post(
        "/v1/docker/worker/config/vX",
        params=user.params,
        content=b'{"version": "V4", "config": {"workerType": "FULL", "x": ' + number + b"}}",
        headers=JSON,
    )
    assert_field_error(config, 422, "config")


# --- 9. a body that is not UTF-8 (UnicodeDecodeError while decoding it) ---------------------


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        (b'{"name": "\xff\xfe"}', "body", "not valid UTF-8"),
        (b"\xc3\x28", "body", "not valid UTF-8"),
        # An encoded surrogate inside a string: the string's field is named.
        (b'{"name": "a\xed\xa0\x80"}', "name", "unicode string"),
    ],
)
def test_invalid_utf8_body_is_422_naming_the_field(
    client: TestClient, user: ApiUser, raw: bytes, field: str, problem: str
) -> None:
    response = client.post("/v1/datasets", params=user.params, content=raw, headers=JSON)
    error = assert_field_error(response, 422, field)
    assert problem in error


# --- 10. JSON nested too deep (RecursionError parsing, or storing it as JSONB) --------------


def test_too_deep_json_is_422_naming_the_field(client: TestClient, user: ApiUser) -> None:
    depth = 200_000
    raw = b'{"customMetaData": {"a": ' + b"[" * depth + b"]" * depth + b"}}"
    error = assert_field_error(_put_sample(client, user, raw), 422, "body")
    assert "nested too deeply" in error
    raw = b'{"customMetaData": {"a": ' + b"[" * 100 + b"]" * 100 + b"}}"
    error = assert_field_error(_put_sample(client, user, raw), 422, "customMetaData")
    assert "nested deeper than 64" in error
    fine = b'{"customMetaData": {"a": ' + b"[" * 60 + b"]" * 60 + b"}}"
    assert _put_sample(client, user, fine).status_code == 200


# --- 11. integers Python's JSON parser refuses (ValueError: more than 4300 digits) ----------


def test_huge_integer_is_422_naming_body(client: TestClient, user: ApiUser) -> None:
    raw = b'{"customMetaData": {"a": ' + b"9" * 5000 + b"}}"
    error = assert_field_error(_put_sample(client, user, raw), 422, "body")
    assert "4300 digits" in error


# --- 12. an oversized body: 413 at once instead of reading without bound --------------------


def test_oversized_body_is_413_naming_body(client: TestClient, user: ApiUser) -> None:
    from winnow_api.limits import MAX_BODY_BYTES

    declared = client.post(
        "/v1/datasets",
        params=user.params,
        content=b" " * (MAX_BODY_BYTES + 1),
        headers=JSON,
    )
    assert_field_error(declared, 413, "body")

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // (1 << 20) + 1):
            yield b" " * (1 << 20)

    chunked = client.post("/v1/datasets", params=user.params, content=chunks(), headers=JSON)
    assert_field_error(chunked, 413, "body")


# --- 13./14. concurrent creates: unique violations become 409 / a replace, not a 500 --------


def _wait_for_lock_wait(done: Callable[[], bool]) -> None:
    """Until another backend waits on a lock (the request's insert blocked on ours) or done."""
    from winnow_common.db.session import session_factory

    deadline = time.monotonic() + 15
    with session_factory()() as probe:
        while not done() and time.monotonic() < deadline:
            waiting = probe.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            probe.rollback()
            if waiting:
                return
            time.sleep(0.05)


def _race(rows: Callable[[Any], None], request: Callable[[], httpx.Response]) -> httpx.Response:
    """``request`` while another transaction has applied ``rows`` but not committed yet.

    The request's own check does not see them, its insert blocks on the unique index (or the
    foreign key), and fails once the other transaction commits: the concurrent request.
    """
    from winnow_common.db.session import session_factory

    with session_factory()() as other, ThreadPoolExecutor(1) as pool:
        rows(other)
        other.flush()
        future = pool.submit(request)
        _wait_for_lock_wait(future.done)
        other.commit()
        return future.result(timeout=30)


def test_concurrent_duplicate_dataset_create_is_409_naming_name(
    client: TestClient, user: ApiUser
) -> None:
    from winnow_common.db.models import Dataset

    name = f"race-{uuid.uuid4().hex[:8]}"
    user_id = _user_id(user)
    response = _race(
        lambda s: s.add(Dataset(user_id=user_id, name=name)),
        lambda: client.post("/v1/datasets", params=user.params, json={"name": name}),
    )
    assert_field_error(response, 409, "name")
    assert response.json()["code"] == "DATASET_NAME_EXISTS"
    # The sequential case answers the same.
    again = client.post("/v1/datasets", params=user.params, json={"name": name})
    assert_field_error(again, 409, "name")


def test_concurrent_first_datasource_put_replaces_instead_of_500(
    client: TestClient, user: ApiUser
) -> None:
    from winnow_common.db.models import Datasource

    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", "type": "LOCAL", "fullPath": "/data/from-the-put"}
    response = _race(
        lambda s: s.add(
            Datasource(dataset_id=dataset_id, purpose="INPUT", type="LOCAL", full_path="/other")
        ),
        lambda: client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body),
    )
    assert response.status_code == 200, response.text
    stored = client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params).json()
    assert stored["fullPath"] == "/data/from-the-put"


def test_datasource_put_on_a_dataset_deleted_meanwhile_is_404(
    client: TestClient, user: ApiUser
) -> None:
    from winnow_common.db.models import Dataset

    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", "type": "LOCAL", "fullPath": "/data/in"}
    response = _race(
        lambda s: s.delete(s.get(Dataset, dataset_id)),
        lambda: client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body),
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "DATASET_UNKNOWN"


# --- 15. names longer than their String(256) columns (StringDataRightTruncation) ------------


def test_overlong_names_are_422_naming_name(client: TestClient, user: ApiUser) -> None:
    long = "n" * 257
    assert_field_error(
        client.post("/v1/datasets", params=user.params, json={"name": long}), 422, "name"
    )
    dataset_id = create_dataset(client, user.params)
    insert_samples(dataset_id, ["a.png"])
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    tag = client.post(
        f"/v1/datasets/{dataset_id}/tags",
        params=user.params,
        json={"name": long, "prevTagId": tag_id, "bitMaskData": "0x1", "totSize": 1},
    )
    assert_field_error(tag, 422, "name")
    arithmetics = client.post(
        f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
        params=user.params,
        json={"tagId1": tag_id, "tagId2": tag_id, "operation": "UNION", "newTagName": long},
    )
    assert_field_error(arithmetics, 422, "newTagName")


# --- 16. text PostgreSQL cannot store in other bodies and in query parameters ---------------


def test_nul_in_query_and_bodies_is_422_naming_the_field(client: TestClient, user: ApiUser) -> None:
    by_name = client.get("/v1/datasets/query/name/ab%00cd", params=user.params)
    assert_field_error(by_name, 422, "datasetName")
    dataset_id = create_dataset(client, user.params)
    share = client.post(
        f"/v1/datasets/{dataset_id}/collaboration/access",
        params=user.params,
        json={"accessType": "WRITE", "users": ["someone\x00@example.com"]},
    )
    assert_field_error(share, 422, "users")
    local = client.put(
        f"/v1/datasets/{dataset_id}/datasource",
        params=user.params,
        json={"purpose": "INPUT", "type": "LOCAL", "fullPath": "/data/\x00in"},
    )
    assert_field_error(local, 422, "LOCAL.fullPath")
    config = create_config(client, user.params, {"selection": {"nSamples": 1}, "n\x00": 1})
    assert_field_error(config, 422, "config")


# --- 17. downloads of files whose name is not Latin-1 (UnicodeEncodeError in the header) ----


@pytest.mark.parametrize("name", ["猫.png", "line\nbreak.png", 'quo"te\\d.png', "ü/ß ñ.png"])
def test_download_of_any_file_name_is_200(client: TestClient, user: ApiUser, name: str) -> None:
    data = f"bytes of {name}".encode()
    bucket = make_bucket({f"in/{name}": data})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    sample_id = insert_samples(dataset_id, [name])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    response = client.get(_path_of(url))
    assert response.status_code == 200, response.text
    assert response.content == data
    disposition = response.headers["content-disposition"]
    assert disposition.isascii() and "\n" not in disposition
    base = name.rsplit("/", 1)[-1]
    if "filename*=" in disposition:
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == base
    else:
        assert disposition == f'attachment; filename="{base}"'


# --- 18. downloads whose object is missing or whose datasource cannot be read ---------------


def test_download_of_a_missing_file_is_404(client: TestClient, user: ApiUser) -> None:
    bucket = make_bucket({})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    sample_id = insert_samples(dataset_id, ["gone.png"])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    response = client.get(_path_of(url))
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "SAMPLE_UNKNOWN"


def test_download_from_a_datasource_this_server_cannot_open_is_404(
    client: TestClient, user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    body = {
        "purpose": "INPUT",
        "type": "GCS",
        "fullPath": "gs://bucket/in",
        "gcsProjectId": "p",
        "gcsCredentials": "{}",
    }
    put = client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body)
    assert put.status_code == 200, put.text
    sample_id = insert_samples(dataset_id, ["a.png"])[0]
    url = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    ).json()
    response = client.get(_path_of(url))
    assert response.status_code == 404, response.text
    assert "INPUT datasource (GCS)" in response.json()["error"]


# --- 19. verify on a LOCAL path the filesystem refuses (OSError: ENAMETOOLONG) --------------


def test_verify_of_an_impossible_local_path_reports_instead_of_500(
    client: TestClient, user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    for purpose in ("INPUT", "LIGHTLY"):
        put = client.put(
            f"/v1/datasets/{dataset_id}/datasource",
            params=user.params,
            json={"purpose": purpose, "type": "LOCAL", "fullPath": "/" + "x" * 300},
        )
        assert put.status_code == 200, put.text
    response = client.get(f"/v1/datasets/{dataset_id}/datasource/verify", params=user.params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not any(body[k] for k in ("canRead", "canWrite", "canList", "canOverwrite"))
    assert "too long" in body["errors"]["canList"] and "too long" in body["errors"]["canWrite"]


# --- 20. tag conflicts name their field ----------------------------------------------------


def test_tag_conflicts_are_409_naming_the_field(client: TestClient, user: ApiUser) -> None:
    from winnow_common.db.models import Run, ScheduledRun, Tag, WorkerConfig
    from winnow_common.db.session import session_factory

    dataset_id = create_dataset(client, user.params)
    insert_samples(dataset_id, ["a.png", "b.png"])
    tag_id = insert_tag(dataset_id, "initial-tag", "0x3", 2)
    user_id = _user_id(user)
    with session_factory().begin() as session:
        config = WorkerConfig(user_id=user_id, version="V4", config={})
        session.add(config)
        session.flush()
        scheduled = ScheduledRun(
            dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="DONE"
        )
        session.add(scheduled)
        session.flush()
        run = Run(
            user_id=user_id,
            dataset_id=dataset_id,
            config_id=config.id,
            scheduled_id=scheduled.id,
            docker_version="0.1.0",
        )
        session.add(run)
        session.flush()
        session.add(
            Tag(
                dataset_id=dataset_id,
                run_id=run.id,
                name="run-tag",
                bit_mask_data="0x1",
                tot_size=2,
            )
        )
        run_id = run.id

    def create(**body: Any) -> httpx.Response:
        defaults = {"prevTagId": tag_id, "bitMaskData": "0x1", "totSize": 2}
        response: httpx.Response = client.post(
            f"/v1/datasets/{dataset_id}/tags", params=user.params, json={**defaults, **body}
        )
        return response

    assert_field_error(create(name="initial-tag"), 409, "name")
    # A run's tags are its selection tag and any tag a user creates with its runId (wire §3.8):
    # only the worker's selection tag is unique per run, so this is no conflict.
    second = create(name="second-tag-of-run", runId=run_id)
    assert second.status_code == 201, second.text
    run_tags = client.get(f"/v1/docker/runs/{run_id}/tags", params=user.params).json()
    assert sorted(t["name"] for t in run_tags) == ["run-tag", "second-tag-of-run"]
    arithmetics = client.post(
        f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
        params=user.params,
        json={"tagId1": tag_id, "tagId2": tag_id, "operation": "UNION", "newTagName": "run-tag"},
    )
    assert_field_error(arithmetics, 409, "newTagName")


# --- 21. the broker is down after the commit: the request still succeeds --------------------


@pytest.fixture
def broker_down(migrated_db: str) -> Iterator[None]:
    """The in-process API's Celery broker on a port where nothing listens (a real closed port:
    bound, never listening, so every connection is refused)."""
    from winnow_api import enqueue
    from winnow_common import config

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    saved = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    config.redis_settings.cache_clear()
    enqueue.celery_client.cache_clear()
    try:
        yield
    finally:
        os.environ["REDIS_URL"] = saved
        config.redis_settings.cache_clear()
        enqueue.celery_client.cache_clear()
        closed.close()


def test_schedule_with_the_broker_down_is_201_and_the_run_stays_open(
    client: TestClient,
    user: ApiUser,
    gpu_queue: GpuQueue,
    broker_down: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from winnow_common.db.models import ScheduledRun
    from winnow_common.db.session import session_factory

    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    set_obs(client, user.params, dataset_id, "LIGHTLY")
    config = create_config(
        client, user.params, {"selection": {"nSamples": 1, "strategies": DIVERSITY}}
    )
    assert config.status_code == 201, config.text
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="winnow_api.enqueue"):
        response = client.post(
            f"/v1/datasets/{dataset_id}/docker/worker/schedule",
            params=user.params,
            json={"configId": config.json()["id"]},
        )
    assert response.status_code == 201, response.text
    assert time.monotonic() - started < 30
    scheduled_id = response.json()["id"]
    with session_factory().begin() as session:
        row = session.get(ScheduledRun, scheduled_id)
        assert row is not None and row.state == "OPEN"  # the reconciler publishes it again
    assert any("could not publish" in r.getMessage() for r in caplog.records)
    assert gpu_queue.count() == 0
    listed = client.get(f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=user.params)
    assert [s["id"] for s in listed.json()] == [scheduled_id]


# --- 22. unknown ids, tokens and expired links: the 4xx names the field too -----------------


def test_unknown_ids_tokens_and_links_name_their_field(client: TestClient, user: ApiUser) -> None:
    unknown = "0" * 24
    dataset_id, sample_id = _sample(client, user)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    p = user.params
    assert_field_error(client.get("/v1/datasets", params={"token": "nope"}), 401, "token")
    assert_field_error(client.get("/v1/datasets"), 401, "token")
    assert_field_error(client.get(f"/v1/datasets/{unknown}", params=p), 404, "datasetId")
    assert_field_error(
        client.get(f"/v1/datasets/{dataset_id}/samples/{unknown}/readurl", params=p),
        404,
        "sampleId",
    )
    assert_field_error(
        client.get(f"/v1/datasets/{dataset_id}/tags/{unknown}", params=p), 404, "tagId"
    )
    tag = {"name": "second", "prevTagId": unknown, "bitMaskData": "0x1", "totSize": 1}
    assert_field_error(
        client.post(f"/v1/datasets/{dataset_id}/tags", params=p, json=tag), 404, "prevTagId"
    )
    for field, body in (
        ("tagId1", {"tagId1": unknown, "tagId2": tag_id}),
        ("tagId2", {"tagId1": tag_id, "tagId2": unknown}),
    ):
        arithmetics = client.post(
            f"/v1/datasets/{dataset_id}/tags/arithmetics/bitmask",
            params=p,
            json={**body, "operation": "UNION"},
        )
        assert_field_error(arithmetics, 404, field)
    schedule = client.post(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=p, json={"configId": unknown}
    )
    assert_field_error(schedule, 404, "configId")
    assert_field_error(client.get(f"/v1/docker/runs/{unknown}", params=p), 404, "runId")
    assert_field_error(
        client.get(f"/v1/docker/runs/schedule/{unknown}", params=p), 404, "scheduledId"
    )
    expired = client.get(
        f"/v1/files/datasets/{dataset_id}/samples/{sample_id}",
        params={"expires": 1, "signature": "x"},
    )
    assert_field_error(expired, 401, "expires")
    far = int(time.time()) + 3600
    missing_sample = client.get(
        f"/v1/files/datasets/{dataset_id}/samples/{unknown}",
        params={"expires": far, "signature": "x"},
    )
    assert_field_error(missing_sample, 401, "signature")
