"""Helpers of the hardening tests (issue 10): inputs that made the API answer 500 get a final
4xx naming the field instead.

One test per kind of 500 (schemathesis over ``openapi.json`` found most of them; the fuzzing
itself runs in ``tests/contracts/test_schemathesis.py``), spread over ``test_hardening_*.py`` by
what the input reaches. Every error body is ``{"code": ..., "error": "<field>: <problem>"}``.
"""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, insert_samples

JSON = {"content-type": "application/json"}


def assert_field_error(response: httpx.Response, status: int, field: str) -> str:
    """The response is ``status`` with the standard error body, its message about ``field``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "error"}, body
    error: str = body["error"]
    assert error.startswith(f"{field}: "), error
    return error


def user_id_of(user: ApiUser) -> str:
    """The database id of the test user."""
    from winnow_common.db.models import User
    from winnow_common.db.session import session_factory

    with session_factory().begin() as session:
        return str(session.scalars(select(User.id).where(User.email == user.email)).one())


def sample_of(client: TestClient, user: ApiUser) -> tuple[str, str]:
    """A new dataset of the user with one sample ``a.png``: (dataset id, sample id)."""
    dataset_id = create_dataset(client, user.params)
    return dataset_id, insert_samples(dataset_id, ["a.png"])[0]


def put_sample(client: TestClient, user: ApiUser, raw: bytes) -> httpx.Response:
    """PUT the raw JSON bytes ``raw`` as the update of a new sample."""
    dataset_id, sample_id = sample_of(client, user)
    response: httpx.Response = client.put(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}",
        params=user.params,
        content=raw,
        headers=JSON,
    )
    return response


def path_of(url: str) -> str:
    """The path and query of a URL of the in-process test server."""
    return url.removeprefix("http://testserver")
