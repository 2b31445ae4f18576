"""API tests: the real app in-process (TestClient) on the real Postgres and Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from fastapi.testclient import TestClient

from winnow_api.auth import ensure_user, issue_token
from winnow_api.main import create_app
from winnow_common.config import redis_settings
from winnow_common.db.session import session_factory


@pytest.fixture(scope="session")
def client(migrated_db: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@dataclass
class ApiUser:
    email: str
    token: str

    @property
    def params(self) -> dict[str, str]:
        return {"token": self.token}


def make_user() -> ApiUser:
    email = f"user-{uuid.uuid4().hex[:10]}@winnow.test"
    with session_factory().begin() as session:
        token = issue_token(session, ensure_user(session, email))
    return ApiUser(email, token)


@pytest.fixture
def user(migrated_db: str) -> ApiUser:
    return make_user()


@pytest.fixture
def other_user(migrated_db: str) -> ApiUser:
    return make_user()


@pytest.fixture
def gpu_queue(migrated_db: str) -> Iterator[redis.Redis]:
    """The Redis list Celery uses for the ``gpu`` queue (the API tests' own Redis DB)."""
    conn = redis.Redis.from_url(redis_settings().url)
    conn.delete("gpu")
    yield conn
    conn.delete("gpu")
    conn.close()
