"""GET /v1/docker/runs/{runId}/events: Server-Sent Events of a run (the dashboard's run page).

The stream sends the run's state as it changes and ends after its end state; a stranger gets
404; while it streams it holds no database connection, so other requests go on.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.conftest import ApiUser, make_user
from tests.api.helpers import (
    create_dataset,
    insert_run,
    make_bucket,
    s3_client,
    set_real_obs,
)
from tests.flow.conftest import services  # noqa: F401 - the stack's processes
from winnow_common.db.models import RunAttempt
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.session import session_factory
from winnow_common.enums import RunState
from winnow_common.ids import now_ms


def _insert_running_run(dataset_id: str) -> tuple[str, str]:
    """A run in STARTED with its open GPU attempt; returns (run id, scheduled id)."""
    with session_factory().begin() as session:
        now = now_ms()
        run = insert_run(
            session, dataset_id, state="STARTED", scheduled_state="LOCKED",
            message="Picked up by a worker", processing_started_at=now,
        )  # fmt: skip
        session.add(
            RunAttempt(
                run_id=run.id, number=1, task="gpu.process_run", holder="node-1",
                started_at=now, heartbeat_at=now, expires_at=now + 600_000,
            )
        )  # fmt: skip
        return run.id, run.scheduled_id


def _events(lines: Any) -> list[tuple[str, dict[str, Any]]]:
    out, name = [], None
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name:
            out.append((name, json.loads(line[6:])))
    return out


@pytest.fixture
def running(client: TestClient, migrated_db: str) -> tuple[ApiUser, str, str, str]:
    owner = make_user()
    dataset_id = create_dataset(client, owner.params, f"ev-{uuid.uuid4().hex[:8]}")
    bucket = make_bucket({"in/a.png": b"a"})
    set_real_obs(client, owner.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    set_real_obs(client, owner.params, dataset_id, "LIGHTLY", f"obs://{bucket}/lightly")
    run_id, scheduled_id = _insert_running_run(dataset_id)
    return owner, run_id, scheduled_id, bucket


def _progress(run_id: str, bucket: str) -> None:
    """The run moves on like a worker would: EMBEDDING with a log line, then COMPLETED."""
    time.sleep(1.0)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    s3_client().put_object(
        Bucket=bucket,
        Key=f"lightly/.lightly/runs/{run_id}/logs/attempt-01.txt",
        Body=f"{stamp},000 INFO w: attempt 1\n{stamp},100 INFO w: [EMBEDDING] Embedding\n".encode(),
    )
    with session_factory().begin() as session:
        run_repo.set_state(session, run_id, RunState.EMBEDDING, "Embedding 12 images")
    time.sleep(2.5)
    with session_factory().begin() as session:
        session.query(RunAttempt).filter(RunAttempt.run_id == run_id).update(
            {"ended_at": now_ms(), "outcome": "DONE"}
        )
        run_repo.end(session, run_id, RunState.COMPLETED, "Selected 4 of 12 samples")


def test_the_stream_follows_the_run_to_its_end(client: TestClient, running: Any) -> None:
    owner, run_id, _, bucket = running
    mover = threading.Thread(target=_progress, args=(run_id, bucket))
    mover.start()
    with client.stream("GET", f"/v1/docker/runs/{run_id}/events", params=owner.params) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _events(r.iter_lines())
    mover.join()
    states = [data["state"] for name, data in events if name == "run"]
    assert states[0] == "STARTED" and states[-1] == "COMPLETED" and "EMBEDDING" in states
    assert events[-1][0] == "end" and events[-1][1]["state"] == "COMPLETED"
    last = [data for name, data in events if name == "run"][-1]
    assert last["ended"] is True and last["progress"] == 1.0
    assert [a["number"] for a in last["attempts"]] == [1]
    assert any("[EMBEDDING]" in line for line in last["logTail"])
    assert [s["state"] for s in last["stages"]][:2] == ["QUEUED", "EMBEDDING"]
    assert last["stages"][-1]["state"] == "COMPLETED"


def test_a_stranger_gets_404(client: TestClient, running: Any) -> None:
    _, run_id, _, _ = running
    response = client.get(f"/v1/docker/runs/{run_id}/events", params=make_user().params)
    assert response.status_code == 404
    assert response.json()["error"].startswith("runId:")


def test_cancel_aborts_a_running_run_and_ends_its_attempt(client: TestClient, running: Any) -> None:
    owner, run_id, _, _ = running
    stranger = client.post(f"/v1/docker/runs/{run_id}/cancel", params=make_user().params)
    assert stranger.status_code == 404
    response = client.post(f"/v1/docker/runs/{run_id}/cancel", params=owner.params)
    assert response.status_code == 200 and response.json() == {"result": "ABORTED"}
    run = client.get(f"/v1/docker/runs/{run_id}", params=owner.params).json()
    assert run["state"] == "ABORTED"
    attempts = client.get(f"/v1/docker/runs/{run_id}/attempts", params=owner.params).json()
    assert attempts[0]["outcome"] == "ABORTED" and "endedAt" in attempts[0]
    again = client.post(f"/v1/docker/runs/{run_id}/cancel", params=owner.params)
    assert again.json() == {"result": "ALREADY_ENDED"}


def test_a_stream_holds_no_database_connection(
    client: TestClient,
    running: Any,
    services: dict[str, str],  # noqa: F811 - the real API process (a stream in its own server)
) -> None:
    owner, run_id, _, _ = running
    base = services["API_PUBLIC_URL"]
    url = f"{base}/v1/docker/runs/{run_id}/events"
    with httpx.stream("GET", url, params=owner.params, timeout=30) as stream:
        lines = stream.iter_lines()
        assert any(line.startswith("event: run") for line in lines)
        long_idle = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND now() - state_change > interval '1 second'"
        )
        for _ in range(4):
            time.sleep(0.6)
            with session_factory()() as session:
                assert session.scalar(long_idle) == 0
            started = time.monotonic()
            other = httpx.get(f"{base}/v1/docker/runs/{run_id}", params=owner.params, timeout=10)
            assert other.status_code == 200 and time.monotonic() - started < 5
