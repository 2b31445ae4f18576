"""Samples: partial listings, read URLs with signed token-free downloads, custom metadata."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, insert_samples, make_bucket, set_real_obs
from winnow_common.db.models import Sample
from winnow_common.db.session import session_factory

NAMES = ["a.png", "sub/b.png", "c.png"]


@pytest.fixture
def dataset(client: TestClient, user: ApiUser) -> dict[str, Any]:
    """A dataset whose INPUT is a real bucket holding its three sample files."""
    files = {name: f"image {name}".encode() for name in NAMES}
    bucket = make_bucket({f"in/{name}": data for name, data in files.items()})
    dataset_id = create_dataset(client, user.params)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    return {"id": dataset_id, "sample_ids": insert_samples(dataset_id, NAMES), "files": files}


def _partial(client: TestClient, user: ApiUser, dataset_id: str, **params: Any) -> Any:
    return client.get(
        f"/v1/datasets/{dataset_id}/samples/partial", params={**user.params, **params}
    )


def test_partial_file_names_exact_keys_and_pages(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    full = _partial(client, user, dataset["id"], mode="fileNames", pageSize=25000, pageOffset=0)
    assert full.status_code == 200
    assert full.json() == [
        {"id": i, "fileName": n} for i, n in zip(dataset["sample_ids"], NAMES, strict=True)
    ]
    second = _partial(client, user, dataset["id"], mode="fileNames", pageSize=2, pageOffset=2)
    assert second.json() == [{"id": dataset["sample_ids"][2], "fileName": "c.png"}]
    past = _partial(client, user, dataset["id"], mode="fileNames", pageSize=2, pageOffset=3)
    assert past.status_code == 200 and past.json() == []


def test_partial_ids_and_full_modes(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    ids = _partial(client, user, dataset["id"], mode="ids").json()
    assert ids == [{"id": i} for i in dataset["sample_ids"]]
    full = _partial(client, user, dataset["id"], mode="full", pageSize=1).json()
    assert len(full) == 1
    assert set(full[0]) == {"id", "type", "datasetId", "fileName", "index", "createdAt"}
    assert full[0]["index"] == 0 and full[0]["type"] == "IMAGE"
    bad = _partial(client, user, dataset["id"], mode="everything")
    assert bad.status_code == 422 and "mode" in bad.json()["error"]


def test_partial_of_an_empty_dataset_is_empty(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    response = _partial(client, user, dataset_id, mode="fileNames", pageSize=25000)
    assert response.status_code == 200 and response.json() == []


def test_read_url_downloads_without_token(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    for sample_id, name in zip(dataset["sample_ids"], NAMES, strict=True):
        response = client.get(
            f"/v1/datasets/{dataset['id']}/samples/{sample_id}/readurl",
            params={**user.params, "type": "full"},
        )
        assert response.status_code == 200
        url = response.json()
        assert isinstance(url, str) and url.startswith("http://testserver/")
        assert "token" not in url
        parts = urlsplit(url)
        downloaded = client.get(f"{parts.path}?{parts.query}")
        assert downloaded.status_code == 200
        assert downloaded.content == dataset["files"][name]
        assert downloaded.headers["content-type"] == "image/png"
        assert "content-encoding" not in downloaded.headers


def test_read_url_signature_is_checked(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    sample_id, other_id = dataset["sample_ids"][:2]
    url = client.get(
        f"/v1/datasets/{dataset['id']}/samples/{sample_id}/readurl", params=user.params
    ).json()
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    # The signature of one sample does not open another.
    swapped = client.get(f"{parts.path.replace(sample_id, other_id)}?{parts.query}")
    assert swapped.status_code == 401
    tampered = client.get(f"{parts.path}?{urlencode({**query, 'signature': '0' * 64})}")
    assert tampered.status_code == 401
    expired = client.get(f"{parts.path}?{urlencode({**query, 'expires': 1})}")
    assert expired.status_code == 401 and "expired" in expired.json()["error"]
    unsigned = client.get(parts.path)
    assert unsigned.status_code == 422


def test_read_url_errors(
    client: TestClient, user: ApiUser, other_user: ApiUser, dataset: dict[str, Any]
) -> None:
    base = f"/v1/datasets/{dataset['id']}/samples"
    unknown = client.get(f"{base}/{'0' * 24}/readurl", params=user.params)
    assert unknown.status_code == 404 and unknown.json()["code"] == "SAMPLE_UNKNOWN"
    sample_id = dataset["sample_ids"][0]
    foreign = client.get(f"{base}/{sample_id}/readurl", params=other_user.params)
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
    bad_id = client.get(f"{base}/nope/readurl", params=user.params)
    assert bad_id.status_code == 422 and "sampleId" in bad_id.json()["error"]

    bare = create_dataset(client, user.params)
    bare_sample = insert_samples(bare, ["x.png"])[0]
    no_source = client.get(f"/v1/datasets/{bare}/samples/{bare_sample}/readurl", params=user.params)
    assert no_source.status_code == 404
    assert no_source.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"


def test_update_sample_stores_custom_metadata(
    client: TestClient, user: ApiUser, dataset: dict[str, Any]
) -> None:
    sample_id = dataset["sample_ids"][1]
    meta = {"image_id": 1, "number_of_people": 3, "weather": {"scenario": "cloudy"}}
    url = f"/v1/datasets/{dataset['id']}/samples/{sample_id}"
    response = client.put(url, params=user.params, json={"customMetaData": meta})
    assert response.status_code == 200
    with session_factory()() as session:
        stored = session.get(Sample, sample_id)
        assert stored is not None and stored.custom_meta_data == meta
    full = _partial(client, user, dataset["id"], mode="full").json()
    assert full[1]["customMetaData"] == meta and "customMetaData" not in full[0]

    # Sending the same fileName is fine; a different one is refused.
    same = client.put(url, params=user.params, json={"fileName": "sub/b.png"})
    assert same.status_code == 200
    renamed = client.put(url, params=user.params, json={"fileName": "other.png"})
    assert renamed.status_code == 422 and "fileName" in renamed.json()["error"]
    extra = client.put(url, params=user.params, json={"customMetaData": meta, "bogus": 1})
    assert extra.status_code == 422 and "bogus" in extra.json()["error"]


def test_update_sample_errors(
    client: TestClient, user: ApiUser, other_user: ApiUser, dataset: dict[str, Any]
) -> None:
    body = {"customMetaData": {"image_id": 0}}
    base = f"/v1/datasets/{dataset['id']}/samples"
    unknown = client.put(f"{base}/{'0' * 24}", params=user.params, json=body)
    assert unknown.status_code == 404 and unknown.json()["code"] == "SAMPLE_UNKNOWN"
    sample_id = dataset["sample_ids"][0]
    foreign = client.put(f"{base}/{sample_id}", params=other_user.params, json=body)
    assert foreign.status_code == 404
    other_dataset = create_dataset(client, user.params)
    wrong_dataset = client.put(
        f"/v1/datasets/{other_dataset}/samples/{sample_id}", params=user.params, json=body
    )
    assert wrong_dataset.status_code == 404 and wrong_dataset.json()["code"] == "SAMPLE_UNKNOWN"
    partial = _partial(client, other_user, dataset["id"], mode="fileNames")
    assert partial.status_code == 404
