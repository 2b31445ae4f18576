"""Small request helpers shared by the API tests."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

DIVERSITY = [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]


def create_dataset(client: TestClient, params: dict[str, str], name: str | None = None) -> str:
    body = {"name": name or f"ds-{uuid.uuid4().hex[:8]}", "type": "Images", "creator": "USER_PIP"}
    response = client.post("/v1/datasets", params=params, json=body)
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    return dataset_id


def set_obs(client: TestClient, params: dict[str, str], dataset_id: str, purpose: str) -> None:
    body = {
        "purpose": purpose,
        "type": "OBS",
        "fullPath": f"obs://bucket/{purpose.lower()}",
        "obsEndpoint": "http://127.0.0.1:9",
        "obsAccessKeyId": "AK",
        "obsSecretAccessKey": "SECRET-VALUE",
        "thumbSuffix": ".lightly/thumbnails/[filename]_thumb.[extension]",
    }
    response = client.put(f"/v1/datasets/{dataset_id}/datasource", params=params, json=body)
    assert response.status_code == 200, response.text


def create_config(client: TestClient, params: dict[str, str], config: dict[str, Any]) -> Any:
    return client.post(
        "/v1/docker/worker/config/vX",
        params=params,
        json={"version": "V4", "config": {"workerType": "FULL", **config}, "creator": "USER_PIP"},
    )
