"""Jobs are collected during a request and published only after its transaction committed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from celery import Celery
from pydantic import BaseModel

from winnow_common.jobs.celery_app import create_celery_app
from winnow_common.jobs.names import TaskName

log = logging.getLogger(__name__)


@lru_cache
def celery_client() -> Celery:
    """The API's Celery app: it only sends tasks by name, so it never imports worker code."""
    return create_celery_app("winnow-api")


@dataclass(frozen=True)
class PendingJob:
    """One job to send: the task, its id-only payload, and where / how urgently.

    ``queue`` None means the task's default route (``TASK_ROUTES``); ``priority`` None means
    no message priority (Redis serves it with the most urgent step).
    """

    task: TaskName
    payload: BaseModel
    queue: str | None = None
    priority: int | None = None


@dataclass
class JobQueue:
    """Request-scoped list of jobs to send after commit (cleared on rollback)."""

    pending: list[PendingJob] = field(default_factory=list)

    def enqueue(
        self,
        task: TaskName,
        payload: BaseModel,
        *,
        queue: str | None = None,
        priority: int | None = None,
    ) -> None:
        """Remember a job; it is sent by :meth:`publish` once the transaction committed."""
        self.pending.append(PendingJob(task, payload, queue, priority))

    def discard(self) -> None:
        """Forget every pending job (the transaction rolled back)."""
        self.pending.clear()

    def publish(self) -> list[PendingJob]:
        """Send the pending jobs in the order they were enqueued; return those not sent.

        This runs after the transaction committed, so the request has succeeded whatever the
        broker does: a job the broker refuses (Redis down, unreachable, out of memory) is
        logged and skipped, never a 500. Postgres still holds what it was about (an OPEN
        scheduled run), and the reconciler sends the message again once it finds it missing.
        """
        app = celery_client()
        failed: list[PendingJob] = []
        while self.pending:
            job = self.pending.pop(0)
            kwargs = job.payload.model_dump(mode="json")
            options: dict[str, object] = {}
            if job.queue is not None:
                options["queue"] = job.queue
            if job.priority is not None:
                options["priority"] = job.priority
            try:
                app.send_task(job.task.value, kwargs=kwargs, **options)
            except Exception as exc:  # kombu OperationalError, redis errors, OSError, ...
                log.warning(
                    "could not publish %s %s (the reconciler will send it again): %s",
                    job.task.value,
                    kwargs,
                    exc,
                )
                failed.append(job)
                continue
            log.info("published %s %s %s", job.task.value, kwargs, options)
        return failed
