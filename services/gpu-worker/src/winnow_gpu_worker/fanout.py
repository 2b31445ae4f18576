"""One run's EMBEDDING over many GPU workers: the offer an attempt makes, and the shard tasks.

The attempt that reaches EMBEDDING embeds shard 0 (which fixes the arithmetic), then, when
two or more shards are left and ``WORKER_EMBED_FANOUT`` allows it, hands the run back as a
*fan-out*: a Celery chord of one ``gpu.embed_shard`` task per missing shard on the run's queue,
whose callback is the run's own ``gpu.process_run``. Every worker of that queue takes shard
tasks; each rebuilds the run context from the checkpoints, embeds its shard and commits it to
the ledger under the key an attempt would use (same inputs, same bytes, so two workers on one
shard are harmless). The callback's attempt restores every committed shard and selects, so the
outputs are those of a one-worker run.

``auto`` fans out only when another worker of the run's queue answers a Celery ping while
this one is busy (an idle peer: a worker running a task does not answer with the solo pool);
``on`` whenever two or more shards are left; ``off`` never. A run fans out once: a later
attempt embeds whatever is still missing itself (a lost or failed shard task, a chord that
never fired and a run the reconciler re-published).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import redis_settings, run_settings, worker_settings
from winnow_common.enums import RunState
from winnow_common.errors import HandBackRequested
from winnow_common.jobs import EmbedShardJob
from winnow_common.lifecycle import fanout as fanout_lifecycle
from winnow_common.lifecycle.attempts import Claim
from winnow_common.lifecycle.shutdown import shutdown_requested
from winnow_common.runs import load_run_context
from winnow_common.storage import RetryingStore, RunKeys
from winnow_gpu_worker.pipeline import CheckpointMissing, run_embedding_shard
from winnow_gpu_worker.run_hooks import database_hooks
from winnow_gpu_worker.stages.ledger import StageLedger
from winnow_gpu_worker.stages.work import FanOut, FanOutRequested

log = logging.getLogger(__name__)

# How long an ``auto`` offer waits for idle peers to answer the ping.
PING_TIMEOUT_S = 1.0


def _broker_answers(timeout_s: float) -> bool:
    """Whether Redis answers now (a broadcast to a broker that is down would retry forever)."""
    import redis

    try:
        client = redis.Redis.from_url(
            redis_settings().url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


# The ping runs in a process of its own: Celery's and kombu's connection objects register
# after-fork handlers (multiprocessing.util) that a DataLoader process forked later in this
# process would run, talking to Redis over the parent's socket and hanging there.
_PING = """
import json, os, sys
from celery import Celery
queue, own, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
app = Celery("winnow-gpu-peers", broker=os.environ["WINNOW_PING_BROKER"], set_as_current=False)
answers = app.control.inspect(timeout=timeout).active_queues() or {}
print(json.dumps(sorted(
    node for node, queues in answers.items()
    if node != own and any(q.get("name") == queue for q in queues or [])
)))
"""


def idle_peers(queue: str, own_node: str | None, timeout_s: float = PING_TIMEOUT_S) -> list[str]:
    """Workers other than ``own_node`` that consume ``queue`` and answer a ping now."""
    if not _broker_answers(timeout_s):
        log.warning("the broker does not answer: no GPU worker to share EMBEDDING with")
        return []
    env = {**os.environ, "WINNOW_PING_BROKER": redis_settings().url}
    argv = [sys.executable, "-c", _PING, queue, own_node or "", str(timeout_s)]
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=timeout_s + 20, check=True
        )
        return [str(node) for node in json.loads(done.stdout.strip().splitlines()[-1])]
    except Exception as exc:  # no answer: no peers to speak of
        log.warning("could not ask the GPU workers which are idle: %s", exc)
        return []


def offer(claim: Claim, queue: str, own_node: str | None, mode: str) -> FanOut | None:
    """The attempt's fan-out offer for EMBEDDING (None: every shard is embedded here)."""
    if mode == "off":
        return None
    if fanout_lifecycle.fanned_out_before(claim.previous):
        log.info("EMBEDDING fanned out before: this attempt embeds the missing shards itself")
        return None

    def take(shards: list[int], count: int) -> None:
        if mode == "auto":
            peers = idle_peers(queue, own_node)
            if not peers:
                log.info("EMBEDDING: no idle GPU worker on %s; embedding every shard here", queue)
                return
            log.info("EMBEDDING: idle GPU workers on %s: %s", queue, ", ".join(peers))
        log.info(
            "EMBEDDING: fanning %d of %d shards out to the GPU workers of %s "
            "(one gpu.embed_shard task each; the run comes back when the last one ends)",
            len(shards),
            count,
            queue,
        )
        raise FanOutRequested(shards, count)

    return take


class _ShardGuard:
    """A shard task's safe points: stop on shutdown, keep the OPEN run's wake-up fresh."""

    def __init__(self, sessions: sessionmaker[Session], scheduled_run_id: str) -> None:
        self.sessions, self.scheduled_run_id = sessions, scheduled_run_id
        self.every_s = run_settings().heartbeat_interval_s
        self.last = 0.0

    def __call__(self) -> None:
        reason = shutdown_requested()
        if reason is not None:
            raise HandBackRequested(reason)
        if time.monotonic() - self.last < self.every_s:
            return
        self.last = time.monotonic()
        with self.sessions.begin() as session:
            wanted = fanout_lifecycle.touch(session, self.scheduled_run_id)
        if not wanted:
            raise _NotWanted("the run no longer needs embedding shards")


class _NotWanted(Exception):
    """The run ended, was canceled or finished its GPU stage while the shard was embedded."""


def _log_state(state: RunState, message: str) -> None:
    log.debug("[%s] %s", state.value, message)


def embed_shard(sessions: sessionmaker[Session], job: EmbedShardJob, node: str) -> dict[str, Any]:
    """The body of ``gpu.embed_shard``: never raises (the chord's callback must come)."""
    report: dict[str, Any] = {"shard": job.shard, "worker": node}
    try:
        guard = _ShardGuard(sessions, job.scheduled_run_id)
        with sessions.begin() as session:
            target = fanout_lifecycle.shard_target(session, job.scheduled_run_id)
            if target is None:
                return {**report, "outcome": "skipped: the run no longer needs it"}
            ctx = load_run_context(session, target.run_id)
        guard()
        keys = RunKeys.for_run(target.run_id)
        budget = run_settings().outage_retry_s
        lightly = RetryingStore(ctx.lightly_store, budget)
        return run_embedding_shard(
            ctx.config,
            RetryingStore(ctx.input_store, budget),
            lightly,
            keys,
            worker_settings(),
            _log_state,
            shard=job.shard,
            ledger=StageLedger(lightly, keys, target.attempt),
            worker=node,
            hooks=database_hooks(lambda: sessions, target.user_id),
            guard=guard,
        )
    except (HandBackRequested, _NotWanted, CheckpointMissing) as exc:
        why = exc.message if isinstance(exc, HandBackRequested) else str(exc)
        log.warning(
            "embedding shard %d of %s: stopped: %s", job.shard + 1, job.scheduled_run_id, why
        )
        return {**report, "outcome": f"stopped: {why}"}
    except Exception as exc:  # the run's next attempt embeds this shard itself
        log.exception("embedding shard %d of %s failed", job.shard + 1, job.scheduled_run_id)
        return {**report, "outcome": f"failed: {type(exc).__name__}: {exc}"[:500]}
