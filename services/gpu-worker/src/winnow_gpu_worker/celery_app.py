"""The GPU worker's Celery app.

Started with ``-Q gpu`` (runs that need no labels). At start-up it resolves its identity
(``WORKER_ID`` / ``WORKER_LABELS``, see :mod:`winnow_gpu_worker.identity`) and adds the queue of
every subset of its labels, so the same start command serves labelled workers too. A registered
worker's state goes IDLE when it is ready and OFFLINE when it shuts down (BUSY while it runs a
job, see ``tasks.py``); while the process lives it heartbeats ``lastSeen``. SIGTERM (a warm
shutdown) makes the run in progress hand itself back (see :mod:`winnow_gpu_worker.liveness`).
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import (
    celeryd_after_setup,
    worker_ready,
    worker_shutdown,
    worker_shutting_down,
)

from winnow_common.config import redis_settings, run_settings, worker_settings
from winnow_common.db.session import session_factory
from winnow_common.enums import ComputeWorkerState
from winnow_common.jobs.celery_app import create_celery_app
from winnow_gpu_worker import liveness
from winnow_gpu_worker.identity import (
    WorkerIdentityError,
    current_identity,
    resolve_identity,
    set_current_identity,
    set_worker_state,
)

log = logging.getLogger(__name__)

app = create_celery_app("winnow-gpu-worker")
app.conf.include = ["winnow_gpu_worker.tasks", "winnow_gpu_worker.platform_jobs"]
# A fanned-out EMBEDDING is a chord (see winnow_gpu_worker.fanout): Redis counts its finished
# shard tasks and the worker ending the last one sends the callback. Only the shard tasks store
# a result (task_ignore_result stays on for everything else); the API and the reconciler keep
# no result backend, so their sends subscribe to nothing.
app.conf.result_backend = redis_settings().url
app.conf.result_expires = 24 * 3600


def listen_on_label_queues(sender: str, instance: Any, **_: Any) -> None:
    """Resolve this worker's identity and consume the queues of its label subsets.

    A worker that cannot be identified must not start: serving only ``gpu`` would leave the
    runs meant for it waiting silently. Celery swallows ``Exception`` from signal handlers,
    hence ``SystemExit``.
    """
    try:
        settings = worker_settings()  # pydantic's ValidationError is a ValueError
        with session_factory().begin() as session:
            identity = resolve_identity(session, settings)
    except (WorkerIdentityError, ValueError) as exc:
        log.critical("worker %s cannot start: %s", sender, exc)
        raise SystemExit(f"winnow gpu worker: {exc}") from None
    set_current_identity(identity)
    for queue in identity.queues:
        instance.app.amqp.queues.select_add(queue)
    log.info(
        "worker %s (registered id %s, labels %s) consumes %s",
        sender,
        identity.worker_id,
        list(identity.labels),
        sorted(instance.app.amqp.queues.consume_from),
    )


def _record_state(state: ComputeWorkerState) -> None:
    worker_id = current_identity().worker_id
    if worker_id is None:
        return
    try:
        with session_factory().begin() as session:
            set_worker_state(session, worker_id, state)
    except Exception:  # the state is informational; never block start or shutdown on it
        log.exception("could not record state %s of worker %s", state.value, worker_id)


def mark_idle(**_: Any) -> None:
    """The consumer is connected: the registered worker is IDLE and starts heartbeating."""
    _record_state(ComputeWorkerState.IDLE)
    liveness.start_presence(session_factory(), current_identity().worker_id, run_settings())


def hand_back_on_shutdown(sig: str | None = None, how: str | None = None, **_: Any) -> None:
    """SIGTERM / Ctrl-C: the run in progress hands itself back within the grace time."""
    liveness.begin_shutdown(
        f"worker shutting down ({how or 'warm'} shutdown, {sig or 'signal'})",
        run_settings().shutdown_grace_s,
    )


def mark_offline(**_: Any) -> None:
    """A graceful shutdown: the registered worker is OFFLINE."""
    liveness.stop_presence()
    _record_state(ComputeWorkerState.OFFLINE)


# Connected by call, not as decorators (which mypy sees as untyped); weak=False keeps them alive.
celeryd_after_setup.connect(listen_on_label_queues, weak=False)
worker_ready.connect(mark_idle, weak=False)
worker_shutting_down.connect(hand_back_on_shutdown, weak=False)
worker_shutdown.connect(mark_offline, weak=False)
