"""Collaboration: sharing replaces the WRITE config's users; ``[]`` revokes."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, insert_samples, insert_tag
from winnow_api.auth import ensure_user, issue_token
from winnow_common.db.models import SharedAccessConfig, User
from winnow_common.db.session import session_factory

OBJECT_ID = re.compile(r"^[a-f0-9]{24}$")
ITEM_KEYS = {"id", "owner", "accessType", "users", "teams", "createdAt", "lastModifiedAt"}


def _share(client: TestClient, user: ApiUser, dataset_id: str, users: list[str]) -> Any:
    return client.post(
        f"/v1/datasets/{dataset_id}/collaboration/access",
        params=user.params,
        json={"accessType": "WRITE", "users": users, "creator": "USER_PIP"},
    )


def _access(client: TestClient, user: ApiUser, dataset_id: str) -> Any:
    return client.get(f"/v1/datasets/{dataset_id}/collaboration/access", params=user.params)


def test_share_replace_and_revoke(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    empty = _access(client, user, dataset_id)
    assert empty.status_code == 200 and empty.json() == []

    first = _share(client, user, dataset_id, ["a@example.com", "b@example.com"])
    assert first.status_code == 201
    assert set(first.json()) == {"id"} and OBJECT_ID.match(first.json()["id"])

    items = _access(client, user, dataset_id).json()
    assert len(items) == 1 and set(items[0]) == ITEM_KEYS
    item = items[0]
    with session_factory()() as session:
        owner = session.query(User).filter(User.email == user.email).one()
    assert item["id"] == first.json()["id"] and item["owner"] == owner.id
    assert item["accessType"] == "WRITE" and item["teams"] == []
    assert item["users"] == ["a@example.com", "b@example.com"]
    assert isinstance(item["createdAt"], int) and item["createdAt"] > 1_600_000_000_000

    time.sleep(0.002)
    replaced = _share(client, user, dataset_id, ["c@example.com", "c@example.com"])
    assert replaced.status_code == 201 and replaced.json()["id"] == first.json()["id"]
    item = _access(client, user, dataset_id).json()[0]
    assert item["users"] == ["c@example.com"]
    assert item["lastModifiedAt"] > item["createdAt"]

    assert _share(client, user, dataset_id, []).status_code == 201
    items = _access(client, user, dataset_id).json()
    assert len(items) == 1 and items[0]["users"] == [] and items[0]["teams"] == []


def test_share_bad_input(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    url = f"/v1/datasets/{dataset_id}/collaboration/access"
    wrong_type = client.post(url, params=user.params, json={"accessType": "READ", "users": []})
    assert wrong_type.status_code == 422 and "accessType" in wrong_type.json()["error"]
    missing = client.post(url, params=user.params, json={"users": ["a@example.com"]})
    assert missing.status_code == 422 and "accessType" in missing.json()["error"]
    blank = client.post(url, params=user.params, json={"accessType": "WRITE", "users": [""]})
    assert blank.status_code == 422 and "users" in blank.json()["error"]


def test_only_the_owner_can_share_or_look(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    assert _share(client, user, dataset_id, ["a@example.com"]).status_code == 201
    foreign_post = _share(client, other_user, dataset_id, [])
    assert foreign_post.status_code == 404 and foreign_post.json()["code"] == "DATASET_UNKNOWN"
    foreign_get = _access(client, other_user, dataset_id)
    assert foreign_get.status_code == 404
    assert _access(client, user, dataset_id).json()[0]["users"] == ["a@example.com"]


def test_deleting_a_dataset_removes_everything_it_holds(client: TestClient, user: ApiUser) -> None:
    dataset_id = create_dataset(client, user.params)
    insert_samples(dataset_id, ["a.png", "b.png"])
    insert_tag(dataset_id, "initial-tag", "0x3", 2)
    assert _share(client, user, dataset_id, ["a@example.com"]).status_code == 201

    assert client.delete(f"/v1/datasets/{dataset_id}", params=user.params).status_code == 200
    gone = client.get(f"/v1/datasets/{dataset_id}", params=user.params)
    assert gone.status_code == 404 and gone.json()["code"] == "DATASET_UNKNOWN"
    assert _access(client, user, dataset_id).status_code == 404
    with session_factory()() as session:
        left = session.query(SharedAccessConfig).filter_by(dataset_id=dataset_id).count()
    assert left == 0
    unknown = client.get(f"/v1/datasets/{'0' * 24}", params=user.params)
    assert unknown.status_code == 404 and unknown.json()["code"] == "DATASET_UNKNOWN"


def test_a_collaborator_sees_the_config_but_cannot_change_it(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    dataset_id = create_dataset(client, user.params)
    assert _share(client, user, dataset_id, [other_user.email]).status_code == 201
    seen = _access(client, other_user, dataset_id)
    assert seen.status_code == 200 and seen.json() == _access(client, user, dataset_id).json()
    widened = _share(client, other_user, dataset_id, [other_user.email, "friend@example.com"])
    assert widened.status_code == 403 and widened.json()["code"] == "FORBIDDEN"
    assert widened.json()["error"].startswith("datasetId:")
    assert _access(client, user, dataset_id).json()[0]["users"] == [other_user.email]


def test_a_share_reaches_a_user_created_later(client: TestClient, user: ApiUser) -> None:
    """Access is checked by email on every request: sharing with an address nobody uses yet
    grants access to whoever gets that address."""
    dataset_id = create_dataset(client, user.params)
    email = f"Later-{uuid.uuid4().hex[:8]}@Winnow.Test"
    assert _share(client, user, dataset_id, [email]).status_code == 201
    with session_factory().begin() as session:
        token = issue_token(session, ensure_user(session, email.lower()))
    response = client.get(f"/v1/datasets/{dataset_id}", params={"token": token})
    assert response.status_code == 200 and response.json()["id"] == dataset_id
    listed = client.get("/v1/datasets", params={"token": token, "shared": "true"}).json()
    assert [d["id"] for d in listed] == [dataset_id]
