"""One run's EMBEDDING over two GPU worker processes (a Celery chord of shard tasks).

Two workers share a label unique to the test, a third has a label of its own; all run with
tiny shards (4 images) and the default ``WORKER_EMBED_FANOUT=auto``. The run on the shared
label fans out (the other worker is idle) and both workers embed shards; the same run on the
lone worker fans nothing out (no idle peer). Both leave byte-identical embeddings and the same
selection.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.flow.conftest import Api, make_image_set, upload
from tests.flow.test_end_to_end import _create_dataset_with_sources
from tests.flow.test_worker_routing import _runs, _wait_worker_stage
from winnow_common.db.models import RunAttempt
from winnow_common.db.session import session_factory
from winnow_localstack import LocalStack
from winnow_localstack.specs import gpu_worker_spec

pytestmark = pytest.mark.flow

# 4 images a batch and a shard, decoded in the worker process (no loader processes to start
# per shard): the 30 clean images are 8 shards.
WORKER_ENV = {
    "WORKER_BATCH_SIZE": "4",
    "WORKER_EMBED_SHARD_SIZE": "4",
    "WORKER_NUM_LOADER_WORKERS": "0",
}
N_GOOD = 30
N_SHARDS = 8
CONFIG = {
    "workerType": "FULL",
    "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
    "selection": {
        "nSamples": 6,
        "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
    },
}
_SHARD_LINE = re.compile(
    r"embedding shard (\d+)/(\d+) \(\d+ images\) on worker (\S+): committed", re.MULTILINE
)


@pytest.fixture
def workers(local_stack: LocalStack, services: dict[str, str]) -> Iterator[Callable[..., str]]:
    """Start GPU worker processes with ``WORKER_LABELS``; stopped after the test."""
    started: list[str] = []

    def start(label: str) -> str:
        name = f"fanout-{uuid.uuid4().hex[:6]}"
        env = {**WORKER_ENV, "WORKER_LABELS": label}
        local_stack.services[name] = gpu_worker_spec(node=name, extra_env=env)
        started.append(name)
        local_stack.start_service(name)
        return name

    yield start
    for name in started:
        local_stack.stop_service(name)
        del local_stack.services[name]


def _wait_ready(log: Path, timeout_s: float = 120) -> None:
    """Until the Celery worker logged that it consumes (it answers pings from then on)."""
    deadline = time.monotonic() + timeout_s
    while not (log.exists() and " ready." in log.read_text(errors="replace")):
        assert time.monotonic() < deadline, f"{log.name} never became ready"
        time.sleep(0.3)


def _outputs(s3: Any, bucket: str, prefix: str, run_id: str) -> dict[str, bytes]:
    root = f"{prefix}/.lightly/runs/{run_id}"
    keys = ("data/embeddings.csv", "filenames/selected_filenames.txt", "log.txt")
    return {key: s3.get_object(Bucket=bucket, Key=f"{root}/{key}")["Body"].read() for key in keys}


def _gpu_attempts(run_id: str) -> list[RunAttempt]:
    with session_factory().begin() as session:
        rows = session.scalars(
            select(RunAttempt)
            .where(RunAttempt.run_id == run_id, RunAttempt.task == "gpu.process_run")
            .order_by(RunAttempt.number)
        ).all()
    return list(rows)


def test_one_runs_embedding_is_split_over_two_workers(
    api: Api,
    services: dict[str, str],
    s3: Any,
    local_stack: LocalStack,
    workers: Callable[..., str],
) -> None:
    images = make_image_set(n_good=N_GOOD)
    input_bucket, lightly_bucket = services["S3_INPUT_BUCKET"], services["S3_LIGHTLY_BUCKET"]
    upload(s3, input_bucket, images)
    source = f"obs://{input_bucket}/{images.prefix}"
    datasets = {
        kind: _create_dataset_with_sources(
            api, services, source, f"obs://{lightly_bucket}/{images.prefix}-{kind}"
        )
        for kind in ("fanned", "alone")
    }
    fan_label, lone_label = f"fan-{uuid.uuid4().hex[:6]}", f"lone-{uuid.uuid4().hex[:6]}"
    pair = [workers(fan_label), workers(fan_label)]
    lone = workers(lone_label)
    for name in (*pair, lone):
        _wait_ready(local_stack.paths.log(name))

    scheduled = {}
    for kind, label in (("fanned", fan_label), ("alone", lone_label)):
        created = api.call(
            "POST", "/v1/docker/worker/config/vX", json={"version": "V4", "config": CONFIG}
        )
        assert created.status_code == 201, created.text
        response = api.call(
            "POST",
            f"/v1/datasets/{datasets[kind]}/docker/worker/schedule",
            json={"configId": created.json()["id"], "priority": "MID", "runsOn": [label]},
        )
        assert response.status_code == 201, response.text
        scheduled[kind] = response.json()["id"]
    _wait_worker_stage(api, list(scheduled.values()), timeout_s=240)
    runs = _runs(list(scheduled.values()))
    fanned, alone = runs[scheduled["fanned"]], runs[scheduled["alone"]]

    # The fanned run: attempt 1 embedded shard 1 and handed the other 7 out; attempt 2 (the
    # chord's callback) restored them all and selected.
    attempts = _gpu_attempts(fanned.id)
    assert [(a.outcome, a.stage) for a in attempts] == [
        ("HANDED_BACK", "EMBEDDING"),
        ("DONE", "SAVING_RESULTS"),
    ], [(a.outcome, a.stage, a.detail) for a in attempts]
    assert attempts[0].detail == (
        f"EMBEDDING fanned out: {N_SHARDS - 1} of {N_SHARDS} shards to the GPU workers"
    )
    # Each worker's log names the shards it embedded; both took some, none was left out.
    embedded: dict[str, set[int]] = {}
    for name in pair:
        text = local_stack.paths.log(name).read_text(errors="replace")
        for shard, count, node in _SHARD_LINE.findall(text):
            assert int(count) == N_SHARDS and node.startswith(f"{name}-"), (shard, node)
            embedded.setdefault(name, set()).add(int(shard))
    assert set(embedded) == set(pair), embedded
    assert set().union(*embedded.values()) == set(range(2, N_SHARDS + 1)), embedded
    fanned_out = _outputs(s3, lightly_bucket, f"{images.prefix}-fanned", fanned.id)
    log_text = fanned_out["log.txt"].decode()
    for name in pair:
        assert re.search(
            rf"restored from the checkpoint of attempt 1 \(embedded on {name}-", log_text
        ), name

    # The lone worker had no idle peer: one attempt, nothing fanned out.
    assert [a.outcome for a in _gpu_attempts(alone.id)] == ["DONE"]
    lone_log = local_stack.paths.log(lone).read_text(errors="replace")
    assert "no idle GPU worker" in lone_log and not _SHARD_LINE.search(lone_log)

    # The same bytes: embeddings and selection.
    alone_out = _outputs(s3, lightly_bucket, f"{images.prefix}-alone", alone.id)
    assert fanned_out["data/embeddings.csv"] == alone_out["data/embeddings.csv"]
    assert (
        fanned_out["filenames/selected_filenames.txt"]
        == alone_out["filenames/selected_filenames.txt"]
    )
    assert len(alone_out["data/embeddings.csv"].decode().splitlines()) == N_GOOD + 1
    print(f"\nfan-out: shards embedded per worker {[sorted(s) for s in embedded.values()]}")
