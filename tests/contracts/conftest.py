"""Contract tests: the real app in-process on the real Postgres/Redis/S3 of the local stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser, make_user


@pytest.fixture(scope="module")
def wire_client(migrated_db: str) -> Iterator[TestClient]:
    from winnow_api.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def wire_user(migrated_db: str) -> ApiUser:
    return make_user()
