"""Routes 11-13 (worker registry) and how scheduling routes a run: label queue and priority."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.api.helpers import DIVERSITY, create_config, create_dataset, set_obs
from winnow_common.config import redis_settings

# The keys of DockerWorkerRegistryEntryData (required + the optional ones we send).
WORKER_KEYS = {"id", "userId", "name", "workerType", "state", "createdAt", "lastModifiedAt"}
REDIS_PRIORITY_SEP = "\x06\x16"


def _register(client: TestClient, user: ApiUser, name: str, **extra: Any) -> Any:
    body = {"name": name, "workerType": "FULL", "labels": [], "creator": "USER_PIP", **extra}
    return client.post("/v1/docker/worker", params=user.params, json=body)


def _workers(client: TestClient, user: ApiUser) -> list[dict[str, Any]]:
    response = client.get("/v1/docker/worker", params=user.params)
    assert response.status_code == 200, response.text
    workers: list[dict[str, Any]] = response.json()
    return workers


def test_registration_is_idempotent_by_name_and_updates_labels(
    client: TestClient, user: ApiUser
) -> None:
    first = _register(client, user, "Default", labels=["gpu-a100", "eu"])
    assert first.status_code == 201 and set(first.json()) == {"id"}
    again = _register(client, user, "Default", labels=["cpu"])
    assert again.status_code == 201 and again.json() == first.json()
    other = _register(client, user, "Second worker", dockerVersion="1.2.3")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]

    listed = _workers(client, user)
    assert [w["id"] for w in listed] == [first.json()["id"], other.json()["id"]]
    default, second = listed
    assert set(default) == WORKER_KEYS | {"labels"}
    assert set(second) == WORKER_KEYS | {"labels", "dockerVersion"}
    assert default["labels"] == ["cpu"] and default["name"] == "Default"
    assert default["workerType"] == "FULL" and default["state"] == "OFFLINE"
    assert default["userId"] and isinstance(default["createdAt"], int)
    assert default["lastModifiedAt"] >= default["createdAt"]
    assert second["dockerVersion"] == "1.2.3" and second["labels"] == []


def test_workers_are_private_and_delete_404s(
    client: TestClient, user: ApiUser, other_user: ApiUser
) -> None:
    mine = _register(client, user, "Default").json()["id"]
    theirs = _register(client, other_user, "Default").json()["id"]
    assert mine != theirs  # the same name under two users is two workers
    assert [w["id"] for w in _workers(client, user)] == [mine]

    foreign = client.delete(f"/v1/docker/worker/{theirs}", params=user.params)
    assert foreign.status_code == 404 and foreign.json()["code"] == "DOCKER_WORKER_UNKNOWN"
    unknown = client.delete(f"/v1/docker/worker/{'0' * 24}", params=user.params)
    assert unknown.status_code == 404 and unknown.json()["code"] == "DOCKER_WORKER_UNKNOWN"
    malformed = client.delete("/v1/docker/worker/not-an-id", params=user.params)
    assert malformed.status_code == 422

    deleted = client.delete(f"/v1/docker/worker/{mine}", params=user.params)
    assert deleted.status_code == 200
    assert _workers(client, user) == []
    assert [w["id"] for w in _workers(client, other_user)] == [theirs]
    gone = client.delete(f"/v1/docker/worker/{mine}", params=user.params)
    assert gone.status_code == 404
    assert client.get("/v1/docker/worker", params={"token": "wrong"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "ab"}, "name"),
        ({"name": "-starts-with-dash"}, "name"),
        ({"name": "has/slash"}, "name"),
        ({"workerType": "PARTIAL"}, "workerType"),
        ({"labels": ["has space"]}, "labels"),
        ({"labels": ["a+b"]}, "labels"),
        ({"labels": [""]}, "labels"),
        ({"labels": [f"l{i}" for i in range(7)]}, "labels"),
        ({"unknownKey": 1}, "unknownKey"),
    ],
)
def test_bad_registrations_are_422_naming_the_field(
    client: TestClient, user: ApiUser, body: dict[str, Any], field: str
) -> None:
    response = _register(client, user, **{"name": "Valid name", **body})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]
    assert _workers(client, user) == []


# --- scheduling: label queues and priorities ---------------------------------------------


@pytest.fixture
def broker(migrated_db: str) -> Iterator[redis.Redis]:
    """The API tests' Redis DB with every ``gpu*`` list (all queues and priority steps) cleared."""
    conn = redis.Redis.from_url(redis_settings().url)

    def clear() -> None:
        keys = list(conn.scan_iter(match="gpu*"))
        if keys:
            conn.delete(*keys)

    clear()
    yield conn
    clear()
    conn.close()


def _gpu_lists(conn: redis.Redis) -> dict[str, list[str]]:
    """Scheduled run ids per Redis list key (queue name, plus the priority step suffix)."""
    out: dict[str, list[str]] = {}
    for key in conn.scan_iter(match="gpu*"):
        ids = []
        for raw in conn.lrange(key, 0, -1):
            envelope = json.loads(raw)
            _, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
            assert envelope["headers"]["task"] == "gpu.process_run"
            ids.append(kwargs["scheduled_run_id"])
        out[key.decode()] = ids
    return out


def _schedule(
    client: TestClient, user: ApiUser, dataset_id: str, config_id: str, **body: Any
) -> Any:
    return client.post(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        params=user.params,
        json={"configId": config_id, "priority": "MID", "runsOn": [], **body},
    )


@pytest.fixture
def ready(client: TestClient, user: ApiUser) -> tuple[str, str]:
    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    set_obs(client, user.params, dataset_id, "LIGHTLY")
    config = create_config(
        client, user.params, {"selection": {"nSamples": 3, "strategies": DIVERSITY}}
    )
    assert config.status_code == 201, config.text
    return dataset_id, config.json()["id"]


def test_runs_go_to_their_label_queue_with_the_priority_step(
    client: TestClient, user: ApiUser, ready: tuple[str, str], broker: redis.Redis
) -> None:
    dataset_id, config_id = ready
    label = f"lab-{uuid.uuid4().hex[:6]}"
    sent = {
        ("MID", ()): None,
        ("CRITICAL", (label,)): None,
        ("LOW", ("zone-b", label)): None,
        ("HIGH", (label, "zone-b", label)): None,
    }
    for priority, runs_on in sent:
        response = _schedule(
            client, user, dataset_id, config_id, priority=priority, runsOn=list(runs_on)
        )
        assert response.status_code == 201, response.text
        sent[(priority, runs_on)] = response.json()["id"]

    pair = f"gpu.labels.{'+'.join(sorted([label, 'zone-b']))}"
    sep = REDIS_PRIORITY_SEP
    # CRITICAL is step 0, the queue's own key; HIGH 3, MID 6, LOW 9 get suffixed keys.
    assert _gpu_lists(broker) == {
        f"gpu{sep}6": [sent[("MID", ())]],
        f"gpu.labels.{label}": [sent[("CRITICAL", (label,))]],
        f"{pair}{sep}9": [sent[("LOW", ("zone-b", label))]],
        f"{pair}{sep}3": [sent[("HIGH", (label, "zone-b", label))]],
    }
    # runsOn is stored and listed as sent.
    listed = client.get(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=user.params
    ).json()
    assert {s["id"]: s["runsOn"] for s in listed}[sent[("LOW", ("zone-b", label))]] == [
        "zone-b",
        label,
    ]


@pytest.mark.parametrize(
    "runs_on", [["has space"], ["a+b"], [""], [f"l{i}" for i in range(7)], ["x" * 65]]
)
def test_bad_runs_on_is_422_and_publishes_nothing(
    client: TestClient,
    user: ApiUser,
    ready: tuple[str, str],
    broker: redis.Redis,
    runs_on: list[str],
) -> None:
    dataset_id, config_id = ready
    response = _schedule(client, user, dataset_id, config_id, runsOn=runs_on)
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("runsOn: ")
    assert _gpu_lists(broker) == {}
    listed = client.get(f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=user.params)
    assert listed.json() == []
