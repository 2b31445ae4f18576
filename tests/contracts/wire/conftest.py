"""The wire tests' seeded world: built once per test module on the local stack."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiUser
from tests.contracts.wire.world import World, build_world


@pytest.fixture(scope="module")
def world(wire_client: TestClient, wire_user: ApiUser, stack_env: dict[str, str]) -> World:
    """One user's dataset with datasources, samples, a finished run, artifacts and tags."""
    return build_world(wire_client, wire_user, stack_env)
