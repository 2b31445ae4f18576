"""The Celery app factory every process uses (the API only to send, workers to consume)."""

from __future__ import annotations

from celery import Celery

from winnow_common.config import celery_settings, redis_settings
from winnow_common.jobs.names import PRIORITY_STEPS, TASK_ROUTES


def create_celery_app(name: str) -> Celery:
    """A Celery app on the Redis broker, tuned for long GPU jobs.

    Status lives in Postgres, so results are ignored; late acks and a visibility timeout above
    the longest job make a crashed worker's task come back instead of vanishing. Runs carry a
    message priority (see ``winnow_common.jobs.names.message_priority``): the Redis transport
    keeps one list per priority step and pops lower steps first across all consumed queues, so
    a CRITICAL run in any of a worker's queues is taken before a MID one in another.
    """
    settings = celery_settings()
    app = Celery(name, broker=redis_settings().url)
    app.conf.update(
        task_routes=TASK_ROUTES,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_soft_time_limit=settings.task_soft_time_limit_s,
        task_time_limit=settings.task_time_limit_s,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout_s,
            "priority_steps": PRIORITY_STEPS,
            # Within one priority step, rotate over the worker's queues (fair between label
            # sets); priority order across queues holds regardless, because BRPOP lists every
            # queue's step-0 list before any step-3 list, and so on.
            "queue_order_strategy": "round_robin",
        },
        broker_connection_retry_on_startup=True,
        worker_max_tasks_per_child=20,
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
    )
    return app
