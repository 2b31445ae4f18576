"""Issue 10, concurrency and outages: concurrent creates that hit a unique index or a deleted
dataset, and a broker that is down after the commit, never answer 500.

Every error body is ``{"code": ..., "error": "<field>: <problem>"}`` (see hardening_helpers.py).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.conftest import ApiUser, GpuQueue
from tests.api.hardening_helpers import (
    assert_field_error,
    user_id_of,
)
from tests.api.helpers import (
    DIVERSITY,
    create_config,
    create_dataset,
    set_obs,
)

# --- 13./14. concurrent creates: unique violations become 409 / a replace, not a 500 --------


def _wait_for_lock_wait(done: Callable[[], bool]) -> None:
    """Until another backend waits on a lock (the request's insert blocked on ours) or done."""
    from winnow_common.db.session import session_factory

    deadline = time.monotonic() + 15
    with session_factory()() as probe:
        while not done() and time.monotonic() < deadline:
            waiting = probe.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            probe.rollback()
            if waiting:
                return
            time.sleep(0.05)


def _race(rows: Callable[[Any], None], request: Callable[[], httpx.Response]) -> httpx.Response:
    """``request`` while another transaction has applied ``rows`` but not committed yet.

    The request's own check does not see them, its insert blocks on the unique index (or the
    foreign key), and fails once the other transaction commits: the concurrent request.
    """
    from winnow_common.db.session import session_factory

    with session_factory()() as other, ThreadPoolExecutor(1) as pool:
        rows(other)
        other.flush()
        future = pool.submit(request)
        _wait_for_lock_wait(future.done)
        other.commit()
        return future.result(timeout=30)


def test_concurrent_duplicate_dataset_create_is_409_naming_name(
    client: TestClient, user: ApiUser
) -> None:
    from winnow_common.db.models import Dataset

    name = f"race-{uuid.uuid4().hex[:8]}"
    user_id = user_id_of(user)
    response = _race(
        lambda s: s.add(Dataset(user_id=user_id, name=name)),
        lambda: client.post("/v1/datasets", params=user.params, json={"name": name}),
    )
    assert_field_error(response, 409, "name")
    assert response.json()["code"] == "DATASET_NAME_EXISTS"
    # The sequential case answers the same.
    again = client.post("/v1/datasets", params=user.params, json={"name": name})
    assert_field_error(again, 409, "name")


def test_concurrent_first_datasource_put_replaces_instead_of_500(
    client: TestClient, user: ApiUser
) -> None:
    from winnow_common.db.models import Datasource

    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", "type": "LOCAL", "fullPath": "/data/from-the-put"}
    response = _race(
        lambda s: s.add(
            Datasource(dataset_id=dataset_id, purpose="INPUT", type="LOCAL", full_path="/other")
        ),
        lambda: client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body),
    )
    assert response.status_code == 200, response.text
    stored = client.get(f"/v1/datasets/{dataset_id}/datasource", params=user.params).json()
    assert stored["fullPath"] == "/data/from-the-put"


def test_datasource_put_on_a_dataset_deleted_meanwhile_is_404(
    client: TestClient, user: ApiUser
) -> None:
    from winnow_common.db.models import Dataset

    dataset_id = create_dataset(client, user.params)
    body = {"purpose": "INPUT", "type": "LOCAL", "fullPath": "/data/in"}
    response = _race(
        lambda s: s.delete(s.get(Dataset, dataset_id)),
        lambda: client.put(f"/v1/datasets/{dataset_id}/datasource", params=user.params, json=body),
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "DATASET_UNKNOWN"


# --- 21. the broker is down after the commit: the request still succeeds --------------------


@pytest.fixture
def broker_down(migrated_db: str) -> Iterator[None]:
    """The in-process API's Celery broker on a port where nothing listens (a real closed port:
    bound, never listening, so every connection is refused)."""
    from winnow_api import enqueue
    from winnow_common import config

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    saved = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
    config.redis_settings.cache_clear()
    enqueue.celery_client.cache_clear()
    try:
        yield
    finally:
        os.environ["REDIS_URL"] = saved
        config.redis_settings.cache_clear()
        enqueue.celery_client.cache_clear()
        closed.close()


def test_schedule_with_the_broker_down_is_201_and_the_run_stays_open(
    client: TestClient,
    user: ApiUser,
    gpu_queue: GpuQueue,
    broker_down: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from winnow_common.db.models import ScheduledRun
    from winnow_common.db.session import session_factory

    dataset_id = create_dataset(client, user.params)
    set_obs(client, user.params, dataset_id, "INPUT")
    set_obs(client, user.params, dataset_id, "LIGHTLY")
    config = create_config(
        client, user.params, {"selection": {"nSamples": 1, "strategies": DIVERSITY}}
    )
    assert config.status_code == 201, config.text
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="winnow_api.enqueue"):
        response = client.post(
            f"/v1/datasets/{dataset_id}/docker/worker/schedule",
            params=user.params,
            json={"configId": config.json()["id"]},
        )
    assert response.status_code == 201, response.text
    assert time.monotonic() - started < 30
    scheduled_id = response.json()["id"]
    with session_factory().begin() as session:
        row = session.get(ScheduledRun, scheduled_id)
        assert row is not None and row.state == "OPEN"  # the reconciler publishes it again
    assert any("could not publish" in r.getMessage() for r in caplog.records)
    assert gpu_queue.count() == 0
    listed = client.get(f"/v1/datasets/{dataset_id}/docker/worker/schedule", params=user.params)
    assert [s["id"] for s in listed.json()] == [scheduled_id]
