"""The GPU worker dies (kill -9), is stopped (SIGTERM), or crashes on every attempt."""

from __future__ import annotations

import contextlib
import re
import signal
import time

from tests.faults.conftest import (
    FAULT_ENV,
    RECOVERY_BOUND_S,
    FaultStack,
    RunResult,
    assert_same_as_reference,
    fault_services,
    wait_for,
)
from winnow_common.jobs.names import TaskName
from winnow_localstack import LocalStack
from winnow_localstack.errors import StackError
from winnow_localstack.specs import gpu_worker_spec

GPU_TASK = TaskName.PROCESS_RUN.value
REPORT_TASK = TaskName.RENDER_REPORT.value


def _gpu_attempts(result: RunResult) -> list[dict[str, object]]:
    return [a for a in result.attempts if a["task"] == GPU_TASK]


def _embedding_shards(ledger: dict[str, int]) -> dict[str, int]:
    return {name: n for name, n in ledger.items() if name.startswith("embedding-shard-")}


def test_kill9_gpu_worker_during_embedding_resumes_from_committed_shards(
    fault_stack: FaultStack, reference: RunResult
) -> None:
    dataset_id, prefix = fault_stack.dataset("worker-kill9")
    scheduled_id = fault_stack.schedule(dataset_id)
    run = fault_stack.wait_shards(scheduled_id, prefix, at_least=1)

    fault_stack.kill("gpu-worker")
    fault_stack.wait_dead("gpu-worker")
    # Read after the process is gone: exactly what attempt 1 committed.
    at_kill = fault_stack.ledger(prefix, run["id"])
    shards_at_kill = _embedding_shards(at_kill)
    restarted = fault_stack.up()
    fault_stack.wait_end(scheduled_id, RECOVERY_BOUND_S)
    recovery_s = time.monotonic() - restarted
    result = fault_stack.result(scheduled_id, prefix)

    assert_same_as_reference(result, reference)
    gpu = _gpu_attempts(result)
    assert [(a["outcome"], a.get("stage")) for a in gpu] == [
        ("LOST", "EMBEDDING"),
        ("DONE", "SAVING_RESULTS"),
    ], gpu
    # Nothing attempt 1 committed was computed again: its listing, checks and shards keep
    # attempt 1's checkpoints; attempt 2 computed only the shards missing at the kill, of
    # which only the one in flight had been started (at most one shard recomputed).
    assert at_kill["listing"] == at_kill["checks"] == 1
    for name in ("listing", "checks", *shards_at_kill):
        assert result.ledger[name] == 1, name
    all_shards = _embedding_shards(result.ledger)
    redone = {name for name, n in all_shards.items() if n == 2}
    assert redone == set(all_shards) - set(shards_at_kill)
    assert len(redone) >= 1  # the kill did land mid-EMBEDDING
    # The log names both attempts and what the second one redid.
    assert "This run took 3 attempts" in result.log  # two GPU attempts and the report
    assert re.search(
        r"===== attempt 1: gpu\.process_run .*: LOST in EMBEDDING: lease expired", result.log
    )
    assert "resuming: the stage EMBEDDING was interrupted" in result.log
    restored_shards = re.findall(
        r"embedding shard \d+/\d+ \(\d+ images\): restored from the checkpoint of attempt 1",
        result.log,
    )
    assert len(restored_shards) == len(shards_at_kill), restored_shards
    for stage in ("listing", "checks"):
        assert re.search(
            rf"stage {stage} \(\w+\): restored from the checkpoint of attempt 1", result.log
        )
    print(
        f"\nkill -9 worker: {len(shards_at_kill)}/{len(all_shards)} shards committed at the kill, "
        f"COMPLETED {recovery_s:.1f}s after `up`"
    )


def test_sigterm_gpu_worker_hands_the_run_back_and_exits(
    fault_stack: FaultStack, reference: RunResult
) -> None:
    dataset_id, prefix = fault_stack.dataset("worker-sigterm")
    scheduled_id = fault_stack.schedule(dataset_id)
    run = fault_stack.wait_shards(scheduled_id, prefix, at_least=1)

    # The whole process group, as `winnow-stack down` or a pod eviction does (loader
    # processes included: they used to die first and fail the run).
    sent = fault_stack.kill("gpu-worker", signal.SIGTERM)
    fault_stack.wait_dead("gpu-worker", timeout_s=float(FAULT_ENV["RUN_SHUTDOWN_GRACE_S"]) + 10)
    exit_s = time.monotonic() - sent
    handed = fault_stack.attempts(run["id"])
    assert [(a["task"], a["outcome"]) for a in handed] == [(GPU_TASK, "HANDED_BACK")], handed
    assert fault_stack.run_of(scheduled_id)["state"] not in {"FAILED", "CRASHED", "ABORTED"}

    restarted = fault_stack.up()
    fault_stack.wait_end(scheduled_id, RECOVERY_BOUND_S)
    recovery_s = time.monotonic() - restarted
    result = fault_stack.result(scheduled_id, prefix)

    assert_same_as_reference(result, reference)
    assert [a["outcome"] for a in _gpu_attempts(result)] == ["HANDED_BACK", "DONE"]
    assert re.search(r"===== attempt 1: gpu\.process_run .*: HANDED_BACK in EMBEDDING", result.log)
    assert "Terminated" not in result.run["message"]
    print(
        f"\nSIGTERM worker: exited {exit_s:.1f}s after the signal, "
        f"COMPLETED {recovery_s:.1f}s after `up`"
    )


def test_worker_crashing_on_every_attempt_fails_the_run_after_max_attempts(
    fault_stack: FaultStack,
) -> None:
    """A worker that kills itself on entering EMBEDDING: the run ends FAILED after
    RUN_MAX_ATTEMPTS attempts, with a message naming them, and the worker shows OFFLINE."""
    label = f"crashy{time.time_ns() % 10**6}"
    worker_id = fault_stack.ok(
        "POST",
        "/v1/docker/worker",
        201,
        json={"name": label, "workerType": "FULL", "labels": [label]},
    )["id"]
    spec = gpu_worker_spec(
        node="crashy",
        extra_env={**FAULT_ENV, "WORKER_ID": worker_id, "WORKER_CRASH_HOOK_STATE": "EMBEDDING"},
    )
    crashy = LocalStack(
        state_dir=fault_stack.stack.paths.root,
        repo_root=fault_stack.stack.repo_root,
        environ={},
        services={**fault_services(), "crashy-worker": spec},
    )
    dataset_id, _prefix = fault_stack.dataset("crash-loop")
    scheduled_id = fault_stack.schedule(dataset_id, runs_on=[label])
    max_attempts = int(FAULT_ENV["RUN_MAX_ATTEMPTS"])
    try:
        for number in range(1, max_attempts + 1):
            # It may already have crashed while the launcher watched it start.
            with contextlib.suppress(StackError):
                crashy.start_service("crashy-worker")
            wait_for(
                f"crash of attempt {number}",
                lambda: not crashy.status()["crashy-worker"].running,
                180,
            )
            run = wait_for("the run", lambda: fault_stack.run_of(scheduled_id), 30)

            # The lease lapses, the reconciler ends the attempt LOST and queues the run again
            # (or, after the last one, fails it).
            def lost_attempts(run_id: str = run["id"], at_least: int = number) -> bool:
                attempts = fault_stack.attempts(run_id)
                return len([a for a in attempts if a.get("outcome") == "LOST"]) >= at_least

            wait_for(f"attempt {number} to be LOST", lost_attempts, 60)
        ended = fault_stack.wait_end(scheduled_id, 60)
    finally:
        crashy.stop_service("crashy-worker")

    assert ended["state"] == "FAILED", ended
    assert ended["message"].startswith(
        f"Run failed after {max_attempts} crashed attempts (RUN_MAX_ATTEMPTS={max_attempts})"
    ), ended["message"]
    for number in range(1, max_attempts + 1):
        assert f"attempt {number} (gpu.process_run" in ended["message"]
    attempts = fault_stack.attempts(ended["id"])
    assert [(a["number"], a["outcome"], a.get("stage")) for a in attempts] == [
        (n, "LOST", "EMBEDDING") for n in range(1, max_attempts + 1)
    ]
    assert {a.get("workerId") for a in attempts} == {worker_id}
    status = fault_stack.ok("GET", f"/v1/docker/worker/{worker_id}/status")
    assert status["state"] == "OFFLINE" and status["lastSeen"] > 0, status
    assert "runId" not in status
