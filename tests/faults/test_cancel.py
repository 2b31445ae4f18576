"""Canceling a run that a live GPU worker is embedding (the dashboard's Cancel button): the run
ends ABORTED, the worker stops writing to it at its next lease renewal, and the same worker
process goes on to complete the next run exactly as an uninterrupted one."""

from __future__ import annotations

import time

from tests.faults.conftest import (
    RECOVERY_BOUND_S,
    FaultStack,
    RunResult,
    assert_same_as_reference,
)
from winnow_common.jobs.names import TaskName


def test_cancel_mid_embedding_stops_the_run_and_the_worker_goes_on(
    fault_stack: FaultStack, reference: RunResult
) -> None:
    dataset_id, prefix = fault_stack.dataset("cancel")
    scheduled_id = fault_stack.schedule(dataset_id)
    run = fault_stack.wait_shards(scheduled_id, prefix, at_least=1)
    worker_pid = fault_stack.pid("gpu-worker")

    answer = fault_stack.ok("POST", f"/v1/docker/runs/{run['id']}/cancel")
    assert answer == {"result": "ABORTED"}
    ended = fault_stack.wait_end(scheduled_id, 30)
    assert ended["state"] == "ABORTED", ended

    # The worker notices at its next renewal (1 s here) and writes nothing more: the committed
    # shards stop growing, no selection tag appears, the attempt is ABORTED.
    time.sleep(4)
    shards = fault_stack.shards_committed(prefix, run["id"])
    time.sleep(4)
    assert fault_stack.shards_committed(prefix, run["id"]) == shards
    assert fault_stack.ok("GET", f"/v1/datasets/{dataset_id}/tags") == []
    gpu = [a for a in fault_stack.attempts(run["id"]) if a["task"] == TaskName.PROCESS_RUN.value]
    assert [a["outcome"] for a in gpu] == ["ABORTED"], gpu
    assert (fault_stack.run_of(scheduled_id) or {}).get("state") == "ABORTED"

    # The same worker process takes the next run and completes it as the reference did.
    next_id, next_prefix = fault_stack.dataset("after-cancel")
    next_scheduled = fault_stack.schedule(next_id)
    fault_stack.wait_end(next_scheduled, RECOVERY_BOUND_S)
    assert_same_as_reference(fault_stack.result(next_scheduled, next_prefix), reference)
    assert fault_stack.pid("gpu-worker") == worker_pid
    assert (fault_stack.run_of(scheduled_id) or {}).get("state") == "ABORTED"
