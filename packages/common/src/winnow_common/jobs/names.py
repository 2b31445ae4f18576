"""Stable task names and queues, and how a scheduled run is routed to a queue.

Routing is by name prefix, except for ``gpu.process_run``: the API publishes it to the queue
of the run's ``runsOn`` label set (:func:`gpu_queue_for`) with the Redis priority of the run's
``priority`` (:func:`message_priority`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from itertools import combinations

from winnow_common.enums import ScheduledRunPriority


class Queue(StrEnum):
    GPU = "gpu"
    REPORTS = "reports"


class TaskName(StrEnum):
    PROCESS_RUN = "gpu.process_run"
    RENDER_REPORT = "reports.render_report"
    # A platform job (sampling on stored embeddings, a 2-D projection): ``gpu`` queue.
    PLATFORM_JOB = "gpu.platform_job"
    # One embedding shard of a run whose EMBEDDING fanned out (a Celery chord's header task;
    # the chord's callback is the run's ``gpu.process_run``): the run's queue.
    EMBED_SHARD = "gpu.embed_shard"


TASK_ROUTES = {"gpu.*": {"queue": Queue.GPU.value}, "reports.*": {"queue": Queue.REPORTS.value}}

# --- labels -----------------------------------------------------------------------------

# '+' joins labels in a queue name, so it (and whitespace) is kept out of labels.
LABEL_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_.:=@-]{0,63}$"
_LABEL_RE = re.compile(LABEL_PATTERN)
LABEL_QUEUE_PREFIX = f"{Queue.GPU.value}.labels."
LABEL_SEPARATOR = "+"
# A worker consumes one queue per non-empty subset of its labels (2**n - 1 queues), so the
# number of labels is capped: 6 labels are 63 label queues plus ``gpu``.
MAX_WORKER_LABELS = 6


class InvalidLabels(ValueError):
    """A label set that cannot be routed (bad label, or more than ``MAX_WORKER_LABELS``)."""


def normalize_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """The sorted, de-duplicated label set; raises :class:`InvalidLabels` with a clear message."""
    unique = sorted(set(labels))
    bad = [label for label in unique if not isinstance(label, str) or not _LABEL_RE.match(label)]
    if bad:
        raise InvalidLabels(
            f"invalid labels {bad!r}: a label is 1-64 characters of letters, digits and _.:=@- "
            "and starts with a letter or digit"
        )
    if len(unique) > MAX_WORKER_LABELS:
        raise InvalidLabels(
            f"{len(unique)} labels given, at most {MAX_WORKER_LABELS} are supported "
            "(a worker listens on one queue per subset of its labels)"
        )
    return tuple(unique)


def gpu_queue_for(runs_on: Iterable[str]) -> str:
    """The queue a run with these ``runsOn`` labels is published to.

    ``gpu`` for no labels (any worker); otherwise ``gpu.labels.`` plus the sorted labels joined
    with ``+``, so the same label set always names the same queue whatever the order sent.
    """
    labels = normalize_labels(runs_on)
    if not labels:
        return Queue.GPU.value
    return LABEL_QUEUE_PREFIX + LABEL_SEPARATOR.join(labels)


def gpu_queues_for_worker(labels: Iterable[str]) -> list[str]:
    """Every queue a worker with these labels consumes: ``gpu`` and one per non-empty subset.

    A run needing labels S sits in the queue of S, and a worker can run it iff S is a subset of
    the worker's labels, so the worker listens exactly on the queues of those subsets. Larger
    subsets (more specific runs) come first; the broker still serves higher priorities first.
    """
    own = normalize_labels(labels)
    queues = [
        gpu_queue_for(subset)
        for size in range(len(own), 0, -1)
        for subset in combinations(own, size)
    ]
    return [*queues, Queue.GPU.value]


# --- priority ---------------------------------------------------------------------------

# Redis transport: a message with priority p goes to the list of the largest step <= p, and a
# consumer pops the lists of lower steps first (0 is served first). One step per priority.
PRIORITY_STEPS = [0, 3, 6, 9]
_PRIORITY_OF = {
    ScheduledRunPriority.CRITICAL: 0,
    ScheduledRunPriority.HIGH: 3,
    ScheduledRunPriority.MID: 6,
    ScheduledRunPriority.LOW: 9,
}


def message_priority(priority: ScheduledRunPriority | str) -> int:
    """The Celery message priority of a scheduled run (Redis: lower is served first)."""
    return _PRIORITY_OF[ScheduledRunPriority(priority)]
