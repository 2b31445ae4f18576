"""Session fixtures: one real local stack (PostgreSQL, Redis, S3) for the whole test run.

The servers come from `winnow_localstack` (pgserver, a redis-server binary, SeaweedFS), or from
DATABASE_URL / REDIS_URL / S3_ENDPOINT_URL when those are set. Nothing is mocked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from winnow_localstack import LocalStack

REPO_ROOT = Path(__file__).resolve().parents[1]
# In-process API tests publish to this Redis database; worker processes started by the flow
# tests consume database 0, so they never pick up jobs the API tests enqueue.
API_TEST_REDIS_DB = 1
# The suite's runs embed with lightly's resnet-18 with seeded random weights: small (32-d),
# fast and the model these tests' expectations (and the fault tests' timing) were written
# for. Product default is the pretrained model (WORKER_DEFAULT_MODEL=pretrained); its own
# tests set it explicitly (tests/gpu_worker/test_ml_pretrained.py, pipeline/test_default_model.py).
# Worker processes the stack starts inherit this environment.
os.environ.setdefault("WORKER_DEFAULT_MODEL", "random")


def _clear_settings_caches() -> None:
    from winnow_common import config
    from winnow_common.db import session

    for name in dir(config):
        fn = getattr(config, name)
        if callable(fn) and hasattr(fn, "cache_clear"):
            fn.cache_clear()
    session.get_engine.cache_clear()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The real infrastructure servers, started once per test session and stopped after."""
    stack = LocalStack(state_dir=tmp_path_factory.mktemp("winnow-stack"), repo_root=REPO_ROOT)
    stack.up(with_services=False)
    try:
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="session")
def stack_env(local_stack: LocalStack) -> dict[str, str]:
    """The stack's connection settings (as written to stack.env)."""
    return dict(local_stack.env())


@pytest.fixture(scope="session")
def migrated_db(stack_env: dict[str, str]) -> str:
    """The stack's database migrated to head; this process's settings point at the stack."""
    from alembic import command
    from alembic.config import Config

    base_redis = stack_env["REDIS_URL"].rsplit("/", 1)[0]
    os.environ.update(
        {
            "DATABASE_URL": stack_env["DATABASE_URL"],
            "REDIS_URL": f"{base_redis}/{API_TEST_REDIS_DB}",
            "S3_ENDPOINT_URL": stack_env["S3_ENDPOINT_URL"],
            "S3_ACCESS_KEY_ID": stack_env["S3_ACCESS_KEY_ID"],
            "S3_SECRET_ACCESS_KEY": stack_env["S3_SECRET_ACCESS_KEY"],
            "API_SECRET_KEY": stack_env["API_SECRET_KEY"],
            "API_PUBLIC_URL": "http://testserver",
        }
    )
    _clear_settings_caches()
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = stack_env["DATABASE_URL"]
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    return stack_env["DATABASE_URL"]
