"""The dashboard's dataset helpers: a page of samples with signed read URLs and the caller's
role; a collaborator sees the same, anyone else (or a revoked collaborator) a 404."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, insert_samples, set_obs


def _get(client: TestClient, user: ApiUser, dataset_id: str, what: str, **params: object):
    return client.get(
        f"/dashboard/api/datasets/{dataset_id}/{what}", params={**user.params, **params}
    )


def test_samples_page_with_read_urls_and_roles(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    names = [f"img_{i}.png" for i in range(5)]
    ids = insert_samples(dataset_id, names)

    no_source = _get(client, user, dataset_id, "samples").json()
    assert no_source["total"] == 5 and no_source["readable"] is False
    assert [s["url"] for s in no_source["samples"]] == [None] * 5

    set_obs(client, user.params, dataset_id, "INPUT")
    page = _get(client, user, dataset_id, "samples", pageSize=2, pageOffset=3).json()
    assert page["total"] == 5 and page["readable"] is True
    assert [(s["id"], s["index"], s["fileName"]) for s in page["samples"]] == [
        (ids[3], 3, names[3]),
        (ids[4], 4, names[4]),
    ]
    url = urlsplit(page["samples"][0]["url"])
    assert url.path == f"/v1/files/datasets/{dataset_id}/samples/{ids[3]}"
    assert "signature=" in url.query and "token" not in url.query
    assert _get(client, user, dataset_id, "samples", pageSize=501).status_code == 422

    assert _get(client, user, dataset_id, "role").json() == {"role": "owner", "isOwner": True}
    for what in ("role", "samples"):
        assert _get(client, other_user, dataset_id, what).status_code == 404

    share = {"accessType": "WRITE", "users": [other_user.email]}
    base = f"/v1/datasets/{dataset_id}/collaboration/access"
    assert client.post(base, params=user.params, json=share).status_code == 201
    assert _get(client, other_user, dataset_id, "role").json() == {
        "role": "collaborator",
        "isOwner": False,
    }
    assert _get(client, other_user, dataset_id, "samples").json()["total"] == 5
    revoke = {"accessType": "WRITE", "users": []}
    assert client.post(base, params=user.params, json=revoke).status_code == 201
    assert _get(client, other_user, dataset_id, "samples").status_code == 404
