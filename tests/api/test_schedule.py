"""Scheduling: config validation, bad input gets a clear 4xx and nothing is enqueued."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser, GpuQueue
from tests.api.helpers import DIVERSITY, create_config, create_dataset, set_obs

GOOD = {
    "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
    "selection": {"nSamples": 5, "strategies": DIVERSITY},
}


def _ready_dataset(client: TestClient, user: ApiUser) -> str:
    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    set_obs(client, user.params, dataset_id, "LIGHTLY")
    return dataset_id


def _schedule(client: TestClient, user: ApiUser, dataset_id: str, config_id: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        params=user.params,
        json={"configId": config_id, "priority": "MID", "runsOn": [], "creator": "USER_PIP"},
    )


def test_schedule_publishes_one_task_with_only_the_id(
    client: TestClient, user: ApiUser, gpu_queue: GpuQueue
) -> None:
    dataset_id = _ready_dataset(client, user)
    config = create_config(client, user.params, GOOD)
    assert config.status_code == 201, config.text
    response = _schedule(client, user, dataset_id, config.json()["id"])
    assert response.status_code == 201, response.text
    scheduled_id = response.json()["id"]

    messages = gpu_queue.messages()
    assert len(messages) == 1
    envelope = json.loads(messages[0])
    assert envelope["headers"]["task"] == "gpu.process_run"
    args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
    assert args == [] and kwargs == {"scheduled_run_id": scheduled_id}

    listed = client.get(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=user.params
    ).json()
    assert [(s["id"], s["state"], s["configId"]) for s in listed] == [
        (scheduled_id, "OPEN", config.json()["id"])
    ]
    not_started = client.get(f"/v1/docker/runs/schedule/{scheduled_id}", params=user.params)
    assert not_started.status_code == 404


def test_unknown_key_names_the_closest_valid_one(
    client: TestClient, user: ApiUser, gpu_queue: GpuQueue
) -> None:
    bad = {**GOOD, "docker": {"enableCorruptnesCheck": True}}
    response = create_config(client, user.params, bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert "docker.enableCorruptnesCheck" in error and "enableCorruptnessCheck" in error
    snake = create_config(client, user.params, {**GOOD, "selection": {"n_sample": 3}})
    assert snake.status_code == 422 and "'nSamples'" in snake.json()["error"]
    assert gpu_queue.count() == 0


def test_non_positive_sample_count_is_rejected(
    client: TestClient, user: ApiUser, gpu_queue: GpuQueue
) -> None:
    for n in (0, -3):
        response = create_config(
            client, user.params, {"selection": {"nSamples": n, "strategies": DIVERSITY}}
        )
        assert response.status_code == 422 and "selection.nSamples" in response.json()["error"]
    neither = create_config(client, user.params, {"selection": {"strategies": DIVERSITY}})
    assert neither.status_code == 422 and "nSamples" in neither.json()["error"]
    both = create_config(
        client,
        user.params,
        {"selection": {"nSamples": 8, "proportionSamples": 0.25, "strategies": DIVERSITY}},
    )
    assert both.status_code == 422, both.text
    assert "'selection.nSamples' / 'selection.proportionSamples'" in both.json()["error"]
    assert "not both" in both.json()["error"]
    assert gpu_queue.count() == 0


def test_missing_datasource_is_rejected(
    client: TestClient, user: ApiUser, gpu_queue: GpuQueue
) -> None:
    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    config_id = create_config(client, user.params, GOOD).json()["id"]
    response = _schedule(client, user, dataset_id, config_id)
    assert response.status_code == 400
    assert response.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"
    assert "LIGHTLY" in response.json()["error"]
    assert gpu_queue.count() == 0


def test_wrong_token_and_foreign_dataset_enqueue_nothing(
    client: TestClient, user: ApiUser, other_user: ApiUser, gpu_queue: GpuQueue
) -> None:
    dataset_id = _ready_dataset(client, user)
    config_id = create_config(client, user.params, GOOD).json()["id"]

    wrong = client.post(
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        params={"token": "wrong"},
        json={"configId": config_id, "priority": "MID"},
    )
    assert wrong.status_code == 401
    foreign = _schedule(client, other_user, dataset_id, config_id)
    assert foreign.status_code == 404 and foreign.json()["code"] == "DATASET_UNKNOWN"
    own_dataset = _ready_dataset(client, other_user)
    foreign_config = _schedule(client, other_user, own_dataset, config_id)
    assert foreign_config.status_code == 404
    assert foreign_config.json()["code"] == "DOCKER_WORKER_CONFIG_UNKNOWN"
    assert gpu_queue.count() == 0


def test_invalid_combinations_name_the_allowed_ones(client: TestClient, user: ApiUser) -> None:
    weights_on_embeddings = {
        "selection": {
            "nSamples": 3,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "WEIGHTS"}}],
        }
    }
    response = create_config(client, user.params, weights_on_embeddings)
    error = response.json()["error"]
    assert response.status_code == 422
    assert "selection.strategies[0]: EMBEDDINGS input with WEIGHTS strategy is not allowed" in error
    assert "allowed combinations: EMBEDDINGS -> DIVERSITY, SIMILARITY, TYPICALITY" in error
    assert "PREDICTIONS (name CLASS_DISTRIBUTION) -> BALANCE" in error
    scores_without_task = {
        "selection": {
            "nSamples": 3,
            "strategies": [{"input": {"type": "SCORES"}, "strategy": {"type": "WEIGHTS"}}],
        }
    }
    response = create_config(client, user.params, scores_without_task)
    assert response.status_code == 422 and "SCORES input needs 'task'" in response.json()["error"]


def test_sequence_rules_are_checked_when_a_config_is_created(
    client: TestClient, user: ApiUser
) -> None:
    sequences = {**GOOD, "docker": {"selectedSequenceLength": 2}}
    response = create_config(client, user.params, sequences)
    error = response.json()["error"]
    assert response.status_code == 422
    assert (
        "'docker.enableCorruptnessCheck' is not supported together with "
        "selectedSequenceLength > 1" in error
    )
    assert "'docker.removeExactDuplicates' is not supported together with" in error
    docker = {
        "selectedSequenceLength": 2,
        "enableCorruptnessCheck": False,
        "removeExactDuplicates": False,
    }
    odd = {"docker": docker, "selection": {"nSamples": 3, "strategies": DIVERSITY}}
    response = create_config(client, user.params, odd)
    assert response.status_code == 422
    assert response.json()["error"].startswith(
        "'selection.nSamples': 3 is not a multiple of the sequence length 2"
    )
    even = {"docker": docker, "selection": {"nSamples": 4, "strategies": DIVERSITY}}
    response = create_config(client, user.params, even)
    assert response.status_code == 201, response.text


QUERY = {"datasetId": "0123456789abcdef01234567", "tagName": "query"}


@pytest.mark.parametrize(
    "config",
    [
        {**GOOD, "docker": {"enableTraining": True}},
        {**GOOD, "docker": {"embeddings": "my_embeddings.csv"}},
        {**GOOD, "docker": {"useDatapool": True}},
        {**GOOD, "docker": {"relevantFilenamesFile": ".lightly/relevant_filenames.txt"}},
        {**GOOD, "docker": {"dumpDataset": True, "outputImageFormat": "png"}},
        {**GOOD, "docker": {"checkpointRunId": "0123456789abcdef01234567"}},
        {
            "selection": {
                "nSamples": 5,
                "strategies": [
                    {
                        "input": {"type": "EMBEDDINGS"},
                        "strategy": {
                            "type": "DIVERSITY",
                            "stopping_condition_minimum_distance": 0.1,
                        },
                    },
                    {
                        "input": {"type": "SCORES", "task": "cls", "score": "uncertainty_margin"},
                        "strategy": {"type": "WEIGHTS"},
                    },
                    {
                        "input": {"type": "METADATA", "key": "lightly.sharpness"},
                        "strategy": {"type": "THRESHOLD", "threshold": 20, "operation": "BIGGER"},
                    },
                    {
                        "input": {
                            "type": "PREDICTIONS",
                            "task": "cls",
                            "name": "CLASS_DISTRIBUTION",
                        },
                        "strategy": {"type": "BALANCE", "target": {"cat": 0.5, "dog": 0.5}},
                    },
                    {"input": {"type": "EMBEDDINGS", **QUERY}, "strategy": {"type": "SIMILARITY"}},
                    {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "TYPICALITY"}},
                ],
            }
        },
    ],
    ids=[
        "enableTraining",
        "embeddings",
        "useDatapool",
        "relevantFilenamesFile",
        "dumpDataset",
        "checkpointRunId",
        "every-strategy",
    ],
)
def test_wired_features_are_accepted_and_scheduled(
    client: TestClient, user: ApiUser, gpu_queue: GpuQueue, config: dict[str, Any]
) -> None:
    created = create_config(client, user.params, config)
    assert created.status_code == 201, created.text
    response = _schedule(client, user, _ready_dataset(client, user), created.json()["id"])
    assert response.status_code == 201, response.text
    assert gpu_queue.count() == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../x", "'..'"),
        ("/abs", "leading '/'"),
        ("./x", "'./'"),
        ("notinlightly.txt", "'.lightly/'"),
    ],
)
def test_bad_relevant_filenames_paths_are_refused(
    client: TestClient, user: ApiUser, path: str, reason: str
) -> None:
    bad = {**GOOD, "docker": {"relevantFilenamesFile": path}}
    response = create_config(client, user.params, bad)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert f"'docker.relevantFilenamesFile' {path!r}" in error and reason in error


@pytest.mark.parametrize("path", ["../e.csv", "/abs/e.csv"])
def test_bad_embeddings_paths_are_refused(client: TestClient, user: ApiUser, path: str) -> None:
    response = create_config(client, user.params, {**GOOD, "docker": {"embeddings": path}})
    assert response.status_code == 422, response.text
    assert f"'docker.embeddings' {path!r}" in response.json()["error"]
