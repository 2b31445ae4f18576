"""Who this worker process is: its registered worker row (if any), its labels and its queues.

A process started with ``WORKER_ID`` takes the labels of that registered worker; one started
with ``WORKER_LABELS`` uses those; one with neither has no labels. On top of ``-Q gpu`` it then
consumes the queue of every non-empty subset of its labels (see
``winnow_common.jobs.names.gpu_queues_for_worker``), so it receives exactly the runs whose
``runsOn`` it satisfies. Labels are read once at start: re-registering a worker with new labels
takes effect when its process restarts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_common.config import WorkerSettings
from winnow_common.db.repositories import workers as worker_repo
from winnow_common.enums import ComputeWorkerState
from winnow_common.ids import is_object_id
from winnow_common.jobs.names import gpu_queues_for_worker, normalize_labels

log = logging.getLogger(__name__)


class WorkerIdentityError(RuntimeError):
    """The worker cannot start as configured (unknown WORKER_ID, unroutable labels)."""


@dataclass(frozen=True)
class WorkerIdentity:
    """The registered worker id (None: not registered) and the process's label set."""

    worker_id: str | None = None
    labels: tuple[str, ...] = ()

    @property
    def queues(self) -> list[str]:
        """The GPU queues this process consumes (``gpu`` last)."""
        return gpu_queues_for_worker(self.labels)


_current = WorkerIdentity()


def current_identity() -> WorkerIdentity:
    """This process's identity (no id and no labels until :func:`set_current_identity`)."""
    return _current


def set_current_identity(identity: WorkerIdentity) -> None:
    """Remember the identity resolved at start-up for the tasks of this process."""
    global _current
    _current = identity


def resolve_identity(session: Session, settings: WorkerSettings) -> WorkerIdentity:
    """Read the identity from the settings and, for ``WORKER_ID``, from its registry row."""
    try:
        if settings.id is None:
            return WorkerIdentity(None, normalize_labels(settings.label_list()))
        if not is_object_id(settings.id):
            raise WorkerIdentityError(f"WORKER_ID {settings.id!r} is not a 24-hex worker id")
        row = worker_repo.get(session, settings.id)
        if row is None:
            raise WorkerIdentityError(
                f"WORKER_ID {settings.id} is not a registered worker "
                "(register one with POST /v1/docker/worker and use the id it returns)"
            )
        return WorkerIdentity(row.id, normalize_labels(row.labels))
    except ValueError as exc:  # InvalidLabels
        raise WorkerIdentityError(f"cannot route this worker's runs: {exc}") from None


def set_worker_state(session: Session, worker_id: str | None, state: ComputeWorkerState) -> None:
    """Record a registered worker's state; a no-op for unregistered or deleted workers."""
    if worker_id is None:
        return
    worker_repo.set_state(session, worker_id, state)
