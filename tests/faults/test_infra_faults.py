"""Redis, Postgres or the reporter die (kill -9) while runs are queued or running."""

from __future__ import annotations

import time

from tests.faults.conftest import (
    RECOVERY_BOUND_S,
    FaultStack,
    RunResult,
    assert_same_as_reference,
    wait_for,
)
from winnow_common.jobs.names import TaskName

GPU_TASK = TaskName.PROCESS_RUN.value
REPORT_TASK = TaskName.RENDER_REPORT.value


def test_kill9_redis_with_one_run_running_and_one_queued(
    fault_stack: FaultStack, reference: RunResult
) -> None:
    running_ds, running_prefix = fault_stack.dataset("redis-running")
    queued_ds, queued_prefix = fault_stack.dataset("redis-queued")
    running = fault_stack.schedule(running_ds)
    fault_stack.wait_state(running, {"EMBEDDING"}, 180)
    # The only GPU worker is busy, so this one waits in the queue (a Redis list).
    queued = fault_stack.schedule(queued_ds)

    fault_stack.kill("redis")
    fault_stack.wait_dead("redis")
    time.sleep(2)  # the stack notices: publishes fail, the workers lose their broker
    restarted = fault_stack.up()
    outcomes = []
    for scheduled_id, prefix in ((running, running_prefix), (queued, queued_prefix)):
        # One worker: the queued run starts only once the running one is done.
        fault_stack.wait_end(scheduled_id, 2 * RECOVERY_BOUND_S)
        result = fault_stack.result(scheduled_id, prefix)
        assert_same_as_reference(result, reference)
        outcomes.append([a["outcome"] for a in result.attempts if a["task"] == GPU_TASK])
    # Neither run was used up by the outage: each ended with a GPU attempt DONE.
    assert all(gpu[-1] == "DONE" for gpu in outcomes), outcomes
    print(
        f"\nkill -9 redis: both runs COMPLETED {time.monotonic() - restarted:.1f}s after `up`; "
        f"GPU attempts (running, queued): {outcomes}"
    )


def test_kill9_postgres_during_embedding(fault_stack: FaultStack, reference: RunResult) -> None:
    dataset_id, prefix = fault_stack.dataset("postgres-kill9")
    scheduled_id = fault_stack.schedule(dataset_id)
    fault_stack.wait_shards(scheduled_id, prefix, at_least=1)

    fault_stack.kill("postgres")
    fault_stack.wait_dead("postgres")
    time.sleep(3)  # heartbeats and state writes fail meanwhile; the worker waits them out
    restarted = fault_stack.up()
    fault_stack.wait_end(scheduled_id, RECOVERY_BOUND_S)
    recovery_s = time.monotonic() - restarted
    result = fault_stack.result(scheduled_id, prefix)

    assert_same_as_reference(result, reference)
    gpu = [a for a in result.attempts if a["task"] == GPU_TASK]
    assert gpu[-1]["outcome"] == "DONE"
    # Either the worker outlived the outage with its lease, or its lease lapsed and a second
    # attempt resumed from the checkpoints; never a crash that used up the run.
    assert all(a["outcome"] in {"LOST", "ABANDONED", "DONE"} for a in gpu), gpu
    assert len(gpu) <= 2, gpu
    if len(gpu) == 2:
        assert "restored from the checkpoint of attempt 1" in result.log
    print(f"\nkill -9 postgres: {len(gpu)} GPU attempt(s), COMPLETED {recovery_s:.1f}s after `up`")


def test_kill9_reporter_mid_render(fault_stack: FaultStack, reference: RunResult) -> None:
    dataset_id, prefix = fault_stack.dataset("reporter-kill9")
    scheduled_id = fault_stack.schedule(dataset_id)
    run = fault_stack.wait_state(scheduled_id, {"GENERATING_REPORT"}, RECOVERY_BOUND_S)

    def rendering() -> bool:
        return any(
            a["task"] == REPORT_TASK and a.get("outcome") is None
            for a in fault_stack.attempts(run["id"])
        )

    wait_for("the reporter to claim the report", rendering, 60, every_s=0.1)
    fault_stack.kill("reporter")
    fault_stack.wait_dead("reporter")
    assert fault_stack.run_of(scheduled_id)["state"] == "GENERATING_REPORT"
    restarted = fault_stack.up()
    fault_stack.wait_end(scheduled_id, RECOVERY_BOUND_S)
    recovery_s = time.monotonic() - restarted
    result = fault_stack.result(scheduled_id, prefix)

    assert_same_as_reference(result, reference)
    reports = [a for a in result.attempts if a["task"] == REPORT_TASK]
    assert [a["outcome"] for a in reports] == ["LOST", "DONE"], reports
    assert f"===== attempt 3: {REPORT_TASK} " in result.log
    print(f"\nkill -9 reporter: COMPLETED {recovery_s:.1f}s after `up`")
