"""Labels and priority with real processes: an extra GPU worker started with WORKER_ID.

The session's default gpu-worker consumes only ``gpu`` (runs without labels), so every run
here carries a label unique to the test and can only reach the worker started for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from sqlalchemy import select

from tests.conftest import REPO_ROOT
from tests.flow.conftest import Api, make_image_set, upload
from tests.flow.test_end_to_end import _create_dataset_with_sources
from winnow_common.db.models import Run
from winnow_common.db.session import session_factory
from winnow_common.enums import RunState
from winnow_common.jobs import gpu_queue_for
from winnow_localstack import LocalStack
from winnow_localstack.specs import gpu_worker_spec

pytestmark = pytest.mark.flow

CONFIG = {
    "workerType": "FULL",
    "selection": {
        "nSamples": 2,
        "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
    },
}


@pytest.fixture
def dataset(api: Api, services: dict[str, str], s3: Any) -> str:
    """A dataset with both datasources on a tiny image set."""
    images = make_image_set(n_good=8)
    upload(s3, services["S3_INPUT_BUCKET"], images)
    return _create_dataset_with_sources(
        api,
        services,
        f"obs://{services['S3_INPUT_BUCKET']}/{images.prefix}",
        f"obs://{services['S3_LIGHTLY_BUCKET']}/{images.prefix}",
    )


@pytest.fixture
def start_worker(local_stack: LocalStack, services: dict[str, str]) -> Iterator[Callable[..., str]]:
    """Start an extra GPU worker process with some env; stopped (SIGTERM) after the test."""
    started: list[str] = []

    def start(**env: str) -> str:
        name = f"gpu-worker-{uuid.uuid4().hex[:6]}"
        local_stack.services[name] = gpu_worker_spec(node=name, extra_env=env)
        started.append(name)
        local_stack.start_service(name)
        return name

    yield start
    for name in started:
        local_stack.stop_service(name)
        del local_stack.services[name]


def _register(api: Api, labels: list[str]) -> str:
    name = f"worker {uuid.uuid4().hex[:8]}"
    response = api.call(
        "POST", "/v1/docker/worker", json={"name": name, "workerType": "FULL", "labels": labels}
    )
    assert response.status_code == 201, response.text
    worker_id: str = response.json()["id"]
    return worker_id


def _schedule(api: Api, dataset_id: str, priority: str, runs_on: list[str]) -> str:
    config = api.call(
        "POST", "/v1/docker/worker/config/vX", json={"version": "V4", "config": CONFIG}
    )
    assert config.status_code == 201, config.text
    scheduled = api.call(
        "POST",
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        json={"configId": config.json()["id"], "priority": priority, "runsOn": runs_on},
    )
    assert scheduled.status_code == 201, scheduled.text
    scheduled_id: str = scheduled.json()["id"]
    return scheduled_id


# The worker's part ends with GENERATING_REPORT; the reporter (a separate process) finishes the
# run. Waiting for the worker stage only keeps these tests off the reporter's render time.
_WORKER_STAGE_DONE = {RunState.GENERATING_REPORT.value, RunState.COMPLETED.value}


def _wait_worker_stage(api: Api, scheduled_ids: list[str], timeout_s: float = 300) -> None:
    pending = set(scheduled_ids)
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        for scheduled_id in list(pending):
            response = api.call("GET", f"/v1/docker/runs/schedule/{scheduled_id}")
            if response.status_code != 200:
                continue
            run = response.json()
            assert run["state"] not in {"FAILED", "CRASHED", "ABORTED"}, run["message"]
            if run["state"] in _WORKER_STAGE_DONE:
                pending.discard(scheduled_id)
        time.sleep(0.5)
    assert not pending, f"the worker did not finish {pending} within {timeout_s}s"


def _runs(scheduled_ids: list[str]) -> dict[str, Run]:
    with session_factory().begin() as session:
        rows = session.scalars(select(Run).where(Run.scheduled_id.in_(scheduled_ids))).all()
    return {r.scheduled_id: r for r in rows}


def _worker(api: Api, worker_id: str) -> dict[str, Any]:
    workers = api.call("GET", "/v1/docker/worker").json()
    return next(w for w in workers if w["id"] == worker_id)


def _wait_state(api: Api, worker_id: str, state: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while _worker(api, worker_id)["state"] != state:
        assert time.monotonic() < deadline, f"worker never became {state}"
        time.sleep(0.25)


def test_labelled_runs_reach_only_a_worker_with_all_their_labels(
    api: Api,
    dataset: str,
    services: dict[str, str],
    local_stack: LocalStack,
    start_worker: Callable[..., str],
) -> None:
    label = f"route-{uuid.uuid4().hex[:6]}"
    worker_id = _register(api, [label, "zone-b"])
    assert _worker(api, worker_id)["state"] == "OFFLINE"
    served = _schedule(api, dataset, "MID", [label])
    stranded = _schedule(api, dataset, "MID", [label, "no-worker-has-this"])

    name = start_worker(WORKER_ID=worker_id)
    _wait_worker_stage(api, [served])
    runs = _runs([served, stranded])
    assert runs[served].worker_id == worker_id
    _wait_state(api, worker_id, "IDLE")

    # The run needing a label the worker lacks was never delivered to it: still OPEN, no run.
    assert stranded not in runs
    assert api.call("GET", f"/v1/docker/runs/schedule/{stranded}").status_code == 404
    listed = api.call("GET", f"/v1/datasets/{dataset}/docker/worker/schedule").json()
    assert {s["id"]: s["state"] for s in listed}[stranded] == "OPEN"
    broker = redis.Redis.from_url(services["REDIS_URL"])
    stranded_queue = gpu_queue_for([label, "no-worker-has-this"])
    assert broker.llen(f"{stranded_queue}\x06\x166") == 1  # MID step, still waiting

    local_stack.stop_service(name)
    _wait_state(api, worker_id, "OFFLINE", timeout_s=30)
    broker.delete(f"{stranded_queue}\x06\x166")
    broker.close()


def test_waiting_runs_are_claimed_in_priority_order(
    api: Api, dataset: str, start_worker: Callable[..., str]
) -> None:
    label = f"prio-{uuid.uuid4().hex[:6]}"
    worker_id = _register(api, [label])
    order = ["LOW", "MID", "HIGH", "CRITICAL"]
    scheduled = {priority: _schedule(api, dataset, priority, [label]) for priority in order}

    start_worker(WORKER_ID=worker_id)
    # Four runs back to back keep the worker BUSY for many seconds: polling cannot miss it.
    _wait_state(api, worker_id, "BUSY", timeout_s=180)
    _wait_worker_stage(api, list(scheduled.values()))
    runs = _runs(list(scheduled.values()))
    claimed = sorted(order, key=lambda p: runs[scheduled[p]].processing_started_at or 0)
    assert claimed == ["CRITICAL", "HIGH", "MID", "LOW"], {
        p: runs[scheduled[p]].processing_started_at for p in order
    }
    assert {r.worker_id for r in runs.values()} == {worker_id}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WORKER_ID": "0" * 24}, "is not a registered worker"),
        ({"WORKER_LABELS": "ok,not ok"}, "invalid labels"),
        ({"WORKER_ID": "0" * 24, "WORKER_LABELS": "a"}, "not both"),
    ],
)
def test_a_worker_that_cannot_be_identified_does_not_start(
    services: dict[str, str], env: dict[str, str], message: str
) -> None:
    # Serving only `gpu` instead would leave the runs meant for this worker waiting silently.
    argv = gpu_worker_spec(node=f"bad-{uuid.uuid4().hex[:6]}").render(
        {"python": sys.executable, "statehash": "test"}
    )
    done = subprocess.run(
        argv,
        env={**os.environ, **services, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert message in done.stdout + done.stderr
