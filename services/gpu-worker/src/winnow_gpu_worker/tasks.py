"""Celery glue: lease a scheduled run's GPU stage and run one attempt of it.

Postgres decides everything (the claim, the lease, the outcome); the message only wakes this
worker up. A duplicate message, or one for a run another worker holds, finds nothing to claim.
"""

from __future__ import annotations

import logging
import os
import socket
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import run_settings
from winnow_common.db.session import session_factory
from winnow_common.enums import ComputeWorkerState
from winnow_common.jobs import EmbedShardJob, ProcessRunJob, TaskName
from winnow_common.lifecycle.attempts import Claim, claim_process_run
from winnow_common.lifecycle.retry import retry_transient
from winnow_gpu_worker import fanout, liveness
from winnow_gpu_worker.celery_app import app
from winnow_gpu_worker.identity import current_identity, set_worker_state
from winnow_gpu_worker.worker_stage import run_attempt

log = logging.getLogger(__name__)


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory()


def holder_name(node: str | None = None) -> str:
    """Who holds a lease: the Celery node (or host) and the process id."""
    return f"{node or socket.gethostname()} pid {os.getpid()}"


def claim(scheduled_run_id: str, holder: str) -> Claim | None:
    """Lease the GPU stage (one short transaction; the worker is BUSY in it)."""
    worker_id = current_identity().worker_id
    settings = run_settings()

    def attempt() -> Claim | None:
        with _sessions().begin() as session:
            granted = claim_process_run(session, scheduled_run_id, holder, worker_id, settings)
            if granted is not None:
                set_worker_state(session, worker_id, ComputeWorkerState.BUSY)
            return granted

    return retry_transient(attempt, budget_s=settings.outage_retry_s, what="claiming the run")


def process_scheduled_run(scheduled_run_id: str, node: str | None = None) -> str | None:
    """Process one scheduled run's GPU stage (the body of ``gpu.process_run``).

    Returns the run id, or None when there was nothing to claim.
    """
    granted = claim(scheduled_run_id, holder_name(node))
    if granted is None:
        log.info("scheduled run %s: nothing to claim", scheduled_run_id)
        return None
    liveness.set_presence_state(ComputeWorkerState.BUSY)
    try:
        run_attempt(_sessions(), granted, run_settings(), node)
    finally:
        liveness.set_presence_state(ComputeWorkerState.IDLE)
        try:
            with _sessions().begin() as session:
                set_worker_state(session, current_identity().worker_id, ComputeWorkerState.IDLE)
        except Exception as exc:  # the heartbeat writes the state again
            log.warning("could not mark the worker IDLE: %s", exc)
    return granted.run_id


@app.task(name=TaskName.PROCESS_RUN.value, bind=True)
def process_run(self, scheduled_run_id: str) -> None:  # type: ignore[no-untyped-def]
    """Celery entry point; the payload is the scheduled run's id only."""
    job = ProcessRunJob(scheduled_run_id=scheduled_run_id)
    process_scheduled_run(job.scheduled_run_id, getattr(self.request, "hostname", None))


@app.task(name=TaskName.EMBED_SHARD.value, bind=True, ignore_result=False)
def embed_shard(self, scheduled_run_id: str, shard: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Celery entry point of one shard of a fanned-out EMBEDDING (a chord's header task).

    Its result (what happened to the shard) is stored only for the chord's join.
    """
    job = EmbedShardJob(scheduled_run_id=scheduled_run_id, shard=shard)
    node = getattr(self.request, "hostname", None) or socket.gethostname()
    liveness.set_presence_state(ComputeWorkerState.BUSY)
    try:
        return fanout.embed_shard(_sessions(), job, node)
    finally:
        liveness.set_presence_state(ComputeWorkerState.IDLE)
