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


@dataclass
class JobQueue:
    """Request-scoped list of jobs to send after commit (cleared on rollback)."""

    pending: list[tuple[TaskName, BaseModel]] = field(default_factory=list)

    def enqueue(self, task: TaskName, payload: BaseModel) -> None:
        self.pending.append((task, payload))

    def discard(self) -> None:
        self.pending.clear()

    def publish(self) -> None:
        app = celery_client()
        while self.pending:
            task, payload = self.pending.pop(0)
            app.send_task(task.value, kwargs=payload.model_dump(mode="json"))
            log.info("published %s %s", task.value, payload.model_dump(mode="json"))
