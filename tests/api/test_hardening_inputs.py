"""Issue 10, request bodies and query parameters: huge page values, a parameter given twice, text
and numbers PostgreSQL or Python's JSON parser cannot take, bodies that are not UTF-8, nested too
deep or too large get a 4xx naming the field, never a 500.

Every error body is ``{"code": ..., "error": "<field>: <problem>"}`` (see hardening_helpers.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.hardening_helpers import (
    JSON,
    assert_field_error,
    put_sample,
    sample_of,
)
from tests.api.helpers import (
    create_config,
    create_dataset,
    insert_tag,
)

# --- 4./5. paging: pageSize / pageOffset beyond PostgreSQL's bigint LIMIT / OFFSET ----------


@pytest.mark.parametrize("param", ["pageSize", "pageOffset"])
@pytest.mark.parametrize("value", [2**63, 10**30])
def test_huge_page_values_are_422_naming_the_parameter(
    client: TestClient, user: ApiUser, param: str, value: int
) -> None:
    dataset_id, _ = sample_of(client, user)
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
    dataset_id, _ = sample_of(client, user)
    tag_id = insert_tag(dataset_id, "initial-tag", "0x1", 1)
    path = f"/v1/datasets/{dataset_id}/tags/{tag_id}/export/basic/filenames"
    query = [("token", user.params["token"]), ("pageOffset", "\U00054da8"), ("pageOffset", "0.0")]
    assert_field_error(client.get(path, params=query), 422, "pageOffset")
    once = client.get(path, params=[("token", user.params["token"]), ("pageOffset", "0")])
    assert once.status_code == 200, once.text


def test_largest_page_values_still_work(client: TestClient, user: ApiUser) -> None:
    dataset_id, _ = sample_of(client, user)
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
    error = assert_field_error(put_sample(client, user, raw), 422, "customMetaData")
    assert problem in error


def test_unicode_custom_metadata_is_stored(client: TestClient, user: ApiUser) -> None:
    dataset_id, sample_id = sample_of(client, user)
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
    error = assert_field_error(put_sample(client, user, raw), 422, "customMetaData")
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
    error = assert_field_error(put_sample(client, user, raw), 422, "body")
    assert "nested too deeply" in error
    raw = b'{"customMetaData": {"a": ' + b"[" * 100 + b"]" * 100 + b"}}"
    error = assert_field_error(put_sample(client, user, raw), 422, "customMetaData")
    assert "nested deeper than 64" in error
    fine = b'{"customMetaData": {"a": ' + b"[" * 60 + b"]" * 60 + b"}}"
    assert put_sample(client, user, fine).status_code == 200


# --- 11. integers Python's JSON parser refuses (ValueError: more than 4300 digits) ----------


def test_huge_integer_is_422_naming_body(client: TestClient, user: ApiUser) -> None:
    raw = b'{"customMetaData": {"a": ' + b"9" * 5000 + b"}}"
    error = assert_field_error(put_sample(client, user, raw), 422, "body")
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
