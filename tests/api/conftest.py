"""API tests: the real app in-process (TestClient) on the real Postgres and Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from fastapi.testclient import TestClient
from kombu.transport.redis import Channel as RedisChannel

from winnow_api.auth import ensure_user, issue_token
from winnow_api.main import create_app
from winnow_common.config import redis_settings
from winnow_common.db.session import session_factory
from winnow_common.jobs.names import PRIORITY_STEPS, Queue


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


class GpuQueue:
    """The Redis lists behind Celery's ``gpu`` queue: one per priority step.

    The Redis transport keeps priority 0 in ``gpu`` and step N in ``gpu\\x06\\x16N``; a MID run
    (step 6) lands in the latter, so counts and reads cover every step.
    """

    def __init__(self, conn: redis.Redis) -> None:
        self.conn = conn

    def keys(self) -> list[str]:
        return [Queue.GPU.value] + [
            f"{Queue.GPU.value}{RedisChannel.sep}{step}" for step in PRIORITY_STEPS if step
        ]

    def messages(self) -> list[bytes]:
        return [message for key in self.keys() for message in self.conn.lrange(key, 0, -1)]

    def count(self) -> int:
        return sum(self.conn.llen(key) for key in self.keys())

    def clear(self) -> None:
        self.conn.delete(*self.keys())


@pytest.fixture
def gpu_queue(migrated_db: str) -> Iterator[GpuQueue]:
    """Celery's ``gpu`` queue (every priority list) in the API tests' own Redis DB."""
    conn = redis.Redis.from_url(redis_settings().url)
    queue = GpuQueue(conn)
    queue.clear()
    yield queue
    queue.clear()
    conn.close()
