"""How a scheduled run is routed: its queue (from runsOn), a worker's queues, its priority."""

from __future__ import annotations

from bisect import bisect
from itertools import chain, combinations

import pytest

from winnow_common.enums import ScheduledRunPriority
from winnow_common.jobs import (
    MAX_WORKER_LABELS,
    InvalidLabels,
    gpu_queue_for,
    gpu_queues_for_worker,
    message_priority,
    normalize_labels,
)
from winnow_common.jobs.celery_app import create_celery_app
from winnow_common.jobs.names import PRIORITY_STEPS


def test_queue_name_depends_only_on_the_label_set() -> None:
    assert gpu_queue_for([]) == "gpu"
    assert gpu_queue_for(["a"]) == "gpu.labels.a"
    assert gpu_queue_for(["b", "a"]) == gpu_queue_for(["a", "b", "a"]) == "gpu.labels.a+b"
    assert gpu_queue_for(["region=eu", "gpu.a100"]) == "gpu.labels.gpu.a100+region=eu"


@pytest.mark.parametrize(
    "labels",
    [["has space"], ["a+b"], [""], ["-dash"], ["x" * 65], ["é"], ["a\x06b"]],
)
def test_unroutable_labels_are_refused(labels: list[str]) -> None:
    with pytest.raises(InvalidLabels, match="invalid labels"):
        gpu_queue_for(labels)


def test_label_count_is_capped_with_a_clear_error() -> None:
    assert len(normalize_labels(f"l{i}" for i in range(MAX_WORKER_LABELS))) == MAX_WORKER_LABELS
    too_many = [f"l{i}" for i in range(MAX_WORKER_LABELS + 1)]
    with pytest.raises(InvalidLabels, match=f"at most {MAX_WORKER_LABELS}"):
        gpu_queues_for_worker(too_many)
    # Duplicates do not count twice.
    assert normalize_labels(["a"] * 10) == ("a",)


def test_worker_consumes_gpu_and_every_subset_of_its_labels() -> None:
    assert gpu_queues_for_worker([]) == ["gpu"]
    assert gpu_queues_for_worker(["y", "x"]) == [
        "gpu.labels.x+y",
        "gpu.labels.x",
        "gpu.labels.y",
        "gpu",
    ]
    labels = [f"l{i}" for i in range(MAX_WORKER_LABELS)]
    queues = gpu_queues_for_worker(labels)
    assert len(queues) == len(set(queues)) == 2**MAX_WORKER_LABELS


def test_a_run_reaches_exactly_the_workers_holding_all_its_labels() -> None:
    universe = ["a", "b", "c", "d"]
    label_sets = list(
        chain.from_iterable(combinations(universe, n) for n in range(len(universe) + 1))
    )
    for worker in label_sets:
        consumed = set(gpu_queues_for_worker(worker))
        for runs_on in label_sets:
            assert (gpu_queue_for(runs_on) in consumed) == set(runs_on).issubset(worker), (
                worker,
                runs_on,
            )


def test_priorities_map_to_distinct_steps_served_critical_first() -> None:
    order = [
        ScheduledRunPriority.CRITICAL,
        ScheduledRunPriority.HIGH,
        ScheduledRunPriority.MID,
        ScheduledRunPriority.LOW,
    ]
    values = [message_priority(p) for p in order]
    assert values == sorted(values) and len(set(values)) == 4
    assert message_priority("LOW") == message_priority(ScheduledRunPriority.LOW)
    # kombu's Redis channel files priority p under the largest step <= p (Channel.priority):
    # each priority must get a step of its own, in the same order.
    steps = [PRIORITY_STEPS[bisect(PRIORITY_STEPS, v) - 1] for v in values]
    assert steps == values


def test_every_process_uses_the_same_priority_transport_options() -> None:
    options = create_celery_app("test").conf.broker_transport_options
    assert options["priority_steps"] == PRIORITY_STEPS
    assert options["visibility_timeout"] > 0
