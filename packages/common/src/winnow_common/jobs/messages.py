"""Messages (wake-ups) for the queue, and what the broker still holds.

A message only says "look at this id"; Postgres says what to do. Sending one twice is
harmless (the claim is idempotent), so anything that may have lost a message sends it again.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from pydantic import BaseModel

from winnow_common.jobs.names import Queue, TaskName
from winnow_common.jobs.payloads import (
    EmbedShardJob,
    PlatformJobMessage,
    ProcessRunJob,
    RenderReportJob,
)

log = logging.getLogger(__name__)

# kombu's Redis transport keeps one list per priority step: "<queue>" and "<queue>\x06\x16<n>".
_PRIORITY_SEPARATOR = "\x06\x16"


@dataclass(frozen=True)
class JobMessage:
    """One message to send after the transaction that decided it has committed."""

    task: TaskName
    entity_id: str
    queue: str
    priority: int | None

    def payload(self) -> BaseModel:
        """The id-only payload of the task."""
        if self.task is TaskName.PROCESS_RUN:
            return ProcessRunJob(scheduled_run_id=self.entity_id)
        if self.task is TaskName.PLATFORM_JOB:
            return PlatformJobMessage(job_id=self.entity_id)
        return RenderReportJob(run_id=self.entity_id)

    def send(self, app: Celery) -> None:
        """Publish with the queue and priority of the run."""
        options: dict[str, Any] = {"queue": self.queue}
        if self.priority is not None:
            options["priority"] = self.priority
        app.send_task(self.task.value, kwargs=self.payload().model_dump(mode="json"), **options)


@dataclass(frozen=True)
class ShardFanOut(JobMessage):
    """A run's EMBEDDING spread over the workers of its queue: a Celery chord.

    The header is one ``gpu.embed_shard`` per shard in ``shards`` (id and index only, on the
    run's queue and priority, so every matching worker takes some); the callback is the run's
    own ``gpu.process_run`` (an immutable signature: the shards' results are not its input),
    whose attempt restores every committed shard and goes on to the selection. Unsent, it is
    the run's ``gpu.process_run`` to the reconciler (the run waits OPEN either way).
    """

    shards: tuple[int, ...] = ()

    def send(self, app: Celery) -> None:
        """Publish the chord (the header now, the callback when the last shard task ends)."""
        from celery import chord  # the API never sends one; keep its import light

        options: dict[str, Any] = {"queue": self.queue}
        if self.priority is not None:
            options["priority"] = self.priority
        header = [
            app.signature(
                TaskName.EMBED_SHARD.value,
                kwargs=EmbedShardJob(scheduled_run_id=self.entity_id, shard=i).model_dump(),
                **options,
            )
            for i in self.shards
        ]
        callback = app.signature(
            self.task.value,
            kwargs=self.payload().model_dump(mode="json"),
            immutable=True,
            **options,
        )
        chord(header, app=app)(callback)


def send_all(app: Celery, messages: Iterable[JobMessage]) -> list[JobMessage]:
    """Send each message; those the broker refused are returned (the reconciler retries them)."""
    failed: list[JobMessage] = []
    for message in messages:
        try:
            message.send(app)
        except Exception as exc:  # broker down: Postgres still knows the run is waiting
            log.warning("could not send %s %s: %s", message.task.value, message.entity_id, exc)
            failed.append(message)
    return failed


def _entity_of(raw: bytes) -> tuple[str, str] | None:
    """``(task name, id)`` of one Celery message as kombu stores it in Redis."""
    try:
        envelope = json.loads(raw)
        task = envelope["headers"]["task"]
        body = envelope["body"]
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        _args, kwargs, _embed = json.loads(body)
    except (ValueError, KeyError, TypeError):
        return None
    entity = kwargs.get("scheduled_run_id") or kwargs.get("run_id") or kwargs.get("job_id")
    if task == TaskName.EMBED_SHARD.value:
        # A queued shard of a fanned-out run is its pending wake-up: the chord's callback
        # publishes the run's gpu.process_run once the last shard task ends.
        task = TaskName.PROCESS_RUN.value
    return (str(task), str(entity)) if entity else None


def queued_entities(redis_client: Any) -> set[tuple[str, str]]:
    """``(task, id)`` of every message waiting in a GPU or report queue (any priority).

    Messages a worker took but has not acknowledged (kombu's ``unacked`` hash) are not
    counted: the claim's lease covers them once taken.
    """
    found: set[tuple[str, str]] = set()
    for prefix in (Queue.GPU.value, Queue.REPORTS.value):
        for key in redis_client.scan_iter(match=f"{prefix}*", count=500):
            name = key.decode() if isinstance(key, bytes) else str(key)
            base = name.split(_PRIORITY_SEPARATOR, 1)[0]
            if not (base == prefix or base.startswith(f"{prefix}.")):
                continue
            if redis_client.type(key) not in (b"list", "list"):
                continue
            for raw in redis_client.lrange(key, 0, -1):
                entity = _entity_of(raw)
                if entity is not None:
                    found.add(entity)
    return found
