"""Fault tests: a whole stack of its own (Postgres, Redis, S3, API, GPU worker, reporter,
reconciler) whose real processes are killed (``kill -9``, SIGTERM) and brought back with
``LocalStack.up()``, the launcher call behind ``winnow-stack up`` / ``make up``.

Leases, heartbeats and the reconciler run on short clocks here (seconds, see ``FAULT_ENV``) so
that a fault is noticed and repaired within a test's time; the images are few and small, cut in
several embedding shards, so that EMBEDDING lasts long enough to be interrupted mid-stage.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import boto3
import httpx
import numpy as np
import pytest
from PIL import Image

from winnow_common.enums import RunState
from winnow_localstack import LocalStack
from winnow_localstack.specs import SERVICES, ServiceSpec

REPO_ROOT = Path(__file__).resolve().parents[2]

# Short clocks: a lease lapses 8 s after the last heartbeat, the reconciler looks every second
# and re-publishes a lost message 3 s after it was last sent; a worker told to stop hands its
# run back within 8 s. Shards of 32 images (2 batches of 16) commit a few seconds apart.
FAULT_ENV = {
    "RUN_LEASE_TIMEOUT_S": "8",
    "RUN_HEARTBEAT_INTERVAL_S": "1",
    "RUN_MAX_ATTEMPTS": "3",
    "RUN_SHUTDOWN_GRACE_S": "8",
    "RUN_OUTAGE_RETRY_S": "120",
    "RUN_LOG_FLUSH_INTERVAL_S": "1",
    "RECONCILER_INTERVAL_S": "1",
    "RECONCILER_REPUBLISH_GRACE_S": "3",
    "WORKER_EMBED_SHARD_SIZE": "32",
    "WORKER_BATCH_SIZE": "16",
    "WORKER_NUM_LOADER_WORKERS": "1",
}
# The documented bound (README, "Faults and recovery") for these clocks: from the fault (or the
# restart, for faults a user repairs with `make up`) to the run COMPLETED.
RECOVERY_BOUND_S = 240.0
N_IMAGES = int(os.environ.get("WINNOW_FAULT_IMAGES", "192"))
N_SAMPLES = 24
INPUT_PREFIX = "faults/input"

T = TypeVar("T")


def fault_services(extra: dict[str, str] | None = None) -> dict[str, ServiceSpec]:
    """The launcher's services with the short clocks of :data:`FAULT_ENV` (and ``extra``)."""
    env = {**FAULT_ENV, **(extra or {})}
    return {
        name: replace(spec, extra_env={**spec.extra_env, **env}) for name, spec in SERVICES.items()
    }


def fault_image(seed: int) -> bytes:
    """A distinct 64x64 PNG: a seeded colour field with a few rectangles."""
    rng = np.random.default_rng(seed)
    pixels = (rng.random((64, 64, 3)) * 70 + rng.integers(0, 180, 3)).astype(np.uint8)
    for _ in range(4):
        x, y = rng.integers(0, 48, 2)
        pixels[y : y + 16, x : x + 16] = rng.integers(0, 255, 3)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float, every_s: float = 0.3) -> T:
    """Poll ``probe`` until it returns something other than ``None``/``False``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            value = probe()
        except (httpx.HTTPError, OSError):
            value = None  # the API or a server is down for the fault: keep polling
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(every_s)


@dataclass
class RunResult:
    """What a finished run left behind, for comparison with the uninterrupted run."""

    run: dict[str, Any]
    selected: list[str]
    embeddings_csv: str
    tags: list[dict[str, Any]]
    log: str
    attempts: list[dict[str, Any]]
    ledger: dict[str, int] = field(default_factory=dict)  # checkpoint name -> attempt

    @property
    def artifact_types(self) -> list[str]:
        return sorted(a["type"] for a in self.run["artifacts"])

    def embeddings_by_file(self) -> dict[str, list[str]]:
        rows = list(csv.reader(io.StringIO(self.embeddings_csv)))
        return {row[0]: row[1:] for row in rows[1:]}


class FaultStack:
    """The fault tests' stack and the calls they make on it."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.env = stack.env()
        self.url = self.env["API_PUBLIC_URL"]
        self.s3 = boto3.client(
            "s3",
            endpoint_url=self.env["S3_ENDPOINT_URL"],
            aws_access_key_id=self.env["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["S3_SECRET_ACCESS_KEY"],
            region_name="us-east-1",
        )
        self.lightly_bucket = self.env["S3_LIGHTLY_BUCKET"]

    # ------------------------------------------------------------------ API
    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {**kwargs.pop("params", {}), "token": self.stack.env()["WINNOW_TOKEN"]}
        return httpx.request(method, f"{self.url}{path}", params=params, timeout=30, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def dataset(self, name: str) -> tuple[str, str]:
        """A dataset reading the shared input images and writing under ``faults/<name>``."""
        dataset_id = self.ok("POST", "/v1/datasets", 201, json={"name": f"fault {name}"})["id"]
        lightly_prefix = f"faults/{name}-{time.time_ns()}"
        for purpose, path in (
            ("INPUT", f"obs://{self.env['S3_INPUT_BUCKET']}/{INPUT_PREFIX}"),
            ("LIGHTLY", f"obs://{self.lightly_bucket}/{lightly_prefix}"),
        ):
            body = {
                "purpose": purpose,
                "type": "OBS",
                "fullPath": path,
                "obsEndpoint": self.env["S3_ENDPOINT_URL"],
                "obsAccessKeyId": self.env["S3_ACCESS_KEY_ID"],
                "obsSecretAccessKey": self.env["S3_SECRET_ACCESS_KEY"],
            }
            self.ok("PUT", f"/v1/datasets/{dataset_id}/datasource", json=body)
        return dataset_id, lightly_prefix

    def schedule(self, dataset_id: str, runs_on: list[str] | None = None) -> str:
        """A diversity selection of :data:`N_SAMPLES`; returns the scheduled run id."""
        config = {
            "workerType": "FULL",
            "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
            "selection": {
                "nSamples": N_SAMPLES,
                "strategies": [
                    {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
                ],
            },
        }
        config_id = self.ok(
            "POST", "/v1/docker/worker/config/vX", 201, json={"version": "V4", "config": config}
        )["id"]
        body = {"configId": config_id, "priority": "MID", "runsOn": runs_on or []}
        scheduled = self.ok(
            "POST", f"/v1/datasets/{dataset_id}/docker/worker/schedule", 201, json=body
        )
        return str(scheduled["id"])

    def run_of(self, scheduled_id: str) -> dict[str, Any] | None:
        """The run of a scheduled run (``None`` before a worker claimed it)."""
        response = self.call("GET", f"/v1/docker/runs/schedule/{scheduled_id}")
        return response.json() if response.status_code == 200 else None

    def wait_state(self, scheduled_id: str, states: set[str], timeout_s: float) -> dict[str, Any]:
        """The run once it is in one of ``states``."""

        def probe() -> dict[str, Any] | None:
            run = self.run_of(scheduled_id)
            return run if run and run["state"] in states else None

        return wait_for(f"run of {scheduled_id} in {sorted(states)}", probe, timeout_s)

    def wait_end(self, scheduled_id: str, timeout_s: float = RECOVERY_BOUND_S) -> dict[str, Any]:
        """The run once it ended (COMPLETED, FAILED, ...)."""
        terminal = {s.value for s in RunState if s.is_terminal}
        return self.wait_state(scheduled_id, terminal, timeout_s)

    def attempts(self, run_id: str) -> list[dict[str, Any]]:
        return list(self.ok("GET", f"/v1/docker/runs/{run_id}/attempts"))

    # -------------------------------------------------------------- storage
    def run_root(self, lightly_prefix: str, run_id: str) -> str:
        return f"{lightly_prefix}/.lightly/runs/{run_id}"

    def ledger(self, lightly_prefix: str, run_id: str) -> dict[str, int]:
        """Checkpoint name -> the attempt that wrote it, as stored in the run's ledger."""
        import json

        prefix = f"{self.run_root(lightly_prefix, run_id)}/work/ledger/"
        out: dict[str, int] = {}
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.lightly_bucket, Prefix=prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                body = self.s3.get_object(Bucket=self.lightly_bucket, Key=obj["Key"])["Body"]
                name = obj["Key"][len(prefix) :].removesuffix(".json")
                out[name] = int(json.loads(body.read())["attempt"])
        return out

    def shards_committed(self, lightly_prefix: str, run_id: str) -> int:
        return sum(
            1 for name in self.ledger(lightly_prefix, run_id) if name.startswith("embedding-shard")
        )

    def wait_shards(self, scheduled_id: str, lightly_prefix: str, at_least: int) -> dict[str, Any]:
        """The run once EMBEDDING committed ``at_least`` shards (and is still embedding)."""
        run = self.wait_state(scheduled_id, {"EMBEDDING"}, 180)

        def probe() -> bool:
            return self.shards_committed(lightly_prefix, run["id"]) >= at_least

        wait_for(f"{at_least} committed embedding shard(s)", probe, 180)
        return run

    def result(self, scheduled_id: str, lightly_prefix: str) -> RunResult:
        """Everything a finished run left: selection, embeddings.csv, tags, log, attempts."""
        run = self.run_of(scheduled_id)
        assert run is not None
        tags = self.ok("GET", f"/v1/datasets/{run['datasetId']}/tags")
        initial = [t for t in tags if t["name"] == "initial-tag"]
        selected: list[str] = []
        if initial:
            export = self.call(
                "GET",
                f"/v1/datasets/{run['datasetId']}/tags/{initial[0]['id']}/export/basic/filenames",
                params={"pageSize": 5000, "pageOffset": 0},
            )
            selected = sorted(export.json().split("\n"))
        root = self.run_root(lightly_prefix, run["id"])
        body = self.s3.get_object(Bucket=self.lightly_bucket, Key=f"{root}/data/embeddings.csv")
        log_artifact = next((a for a in run["artifacts"] if a["type"] == "LOG"), None)
        log_text = ""
        if log_artifact:
            url = self.ok(
                "GET", f"/v1/docker/runs/{run['id']}/artifacts/{log_artifact['id']}/readurl"
            )
            log_text = httpx.get(url, timeout=30).text
        return RunResult(
            run=run,
            selected=selected,
            embeddings_csv=body["Body"].read().decode(),
            tags=tags,
            log=log_text,
            attempts=self.attempts(run["id"]),
            ledger=self.ledger(lightly_prefix, run["id"]),
        )

    # ------------------------------------------------------------ processes
    def pid(self, name: str) -> int:
        status = self.stack.status()[name]
        assert status.running and status.pid, f"{name} is not running: {status}"
        return int(status.pid)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> float:
        """Send ``sig`` to the process group of ``name`` (service or infra); the time it was sent.

        The launcher starts each process as a session leader, so its group is the whole
        container-like unit (a worker and its loader processes, Postgres and its backends).
        """
        pid = self.pid(name)
        os.killpg(pid, sig)
        return time.monotonic()

    def wait_dead(self, name: str, timeout_s: float = 30) -> None:
        wait_for(f"{name} to exit", lambda: not self.stack.status()[name].running, timeout_s, 0.1)

    def up(self) -> float:
        """``winnow-stack up``: heal the stack in place; the time it returned."""
        self.stack.up()
        return time.monotonic()


@pytest.fixture(scope="session")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    """A whole stack of its own (its servers die in these tests), images uploaded."""
    stack = LocalStack(
        state_dir=tmp_path_factory.mktemp("fault-stack"),
        repo_root=REPO_ROOT,
        environ={},
        services=fault_services(),
        timeout_s=60,
    )
    stack.up()
    try:
        fs = FaultStack(stack)
        for i in range(N_IMAGES):
            fs.s3.put_object(
                Bucket=fs.env["S3_INPUT_BUCKET"],
                Key=f"{INPUT_PREFIX}/img-{i:04d}.png",
                Body=fault_image(i),
            )
        yield fs
    finally:
        stack.down()


@pytest.fixture(scope="session")
def reference(fault_stack: FaultStack) -> RunResult:
    """The same selection run once without any fault."""
    dataset_id, prefix = fault_stack.dataset("reference")
    scheduled_id = fault_stack.schedule(dataset_id)
    run = fault_stack.wait_end(scheduled_id)
    assert run["state"] == "COMPLETED", run["message"]
    result = fault_stack.result(scheduled_id, prefix)
    assert len(result.selected) == N_SAMPLES
    assert len(result.attempts) == 2  # one GPU attempt, one report attempt
    return result


def assert_same_as_reference(result: RunResult, reference: RunResult) -> None:
    """The interrupted run ended as the uninterrupted one did, with its outputs once."""
    assert result.run["state"] == "COMPLETED", result.run["message"]
    assert result.selected == reference.selected
    assert result.embeddings_csv == reference.embeddings_csv
    assert [t["name"] for t in result.tags] == ["initial-tag"]
    for kind in ("REPORT_PDF", "REPORT_JSON", "LOG"):
        assert result.artifact_types.count(kind) == 1, result.artifact_types
