"""One attempt of a run's GPU stage: the lease is held, the pipeline runs, the outcome recorded.

Outcomes (each written by one short transaction that first fences the lease):

- the pipeline finished: results recorded, attempt DONE, the reporter's message sent;
- the run's own input is wrong (``PipelineError``, a missing file...): attempt and run FAILED;
- SIGTERM: attempt HANDED_BACK, the run's message re-queued, completed stages kept;
- EMBEDDING fanned out (``winnow_gpu_worker.fanout``): attempt HANDED_BACK, a chord of the
  missing shards sent (its callback re-queues the run), committed shards kept;
- the lease was lost (the database was unreachable too long, or the reconciler took the run):
  nothing is written, the next attempt resumes from the checkpoints;
- an outage (Postgres, Redis, S3) outlasted ``RUN_OUTAGE_RETRY_S``: attempt ABANDONED and the
  run re-queued (counted against ``RUN_MAX_ATTEMPTS``).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import RunSettings, worker_settings
from winnow_common.db.repositories import runs as run_repo
from winnow_common.enums import AttemptOutcome, RunState
from winnow_common.errors import HandBackRequested, LeaseLost
from winnow_common.jobs.messages import JobMessage, send_all
from winnow_common.lifecycle import attempts, results
from winnow_common.lifecycle import fanout as fanout_lifecycle
from winnow_common.lifecycle.attempts import Claim
from winnow_common.lifecycle.keeper import LeaseKeeper
from winnow_common.lifecycle.retry import is_transient, retry_transient
from winnow_common.lifecycle.runlog import write_run_log
from winnow_common.runs import load_run_context
from winnow_common.storage import DatasourceStore, RetryingStore, RunKeys
from winnow_gpu_worker import fanout, liveness
from winnow_gpu_worker.celery_app import app
from winnow_gpu_worker.memlog import MemoryLog, compose
from winnow_gpu_worker.pipeline import PipelineResult, run_pipeline
from winnow_gpu_worker.run_hooks import database_hooks
from winnow_gpu_worker.runlog import AttemptLogFlusher, capture_run_log
from winnow_gpu_worker.stages.ledger import StageLedger
from winnow_gpu_worker.stages.work import FanOutRequested

log = logging.getLogger(__name__)


class _Attempt:
    """The state one attempt carries between its steps."""

    def __init__(self, sessions: sessionmaker[Session], claim: Claim, settings: RunSettings):
        self.sessions, self.claim, self.settings = sessions, claim, settings
        self.keys = RunKeys.for_run(claim.run_id)
        self.keeper = LeaseKeeper(sessions, claim.attempt_id, settings)
        self.store: DatasourceStore | None = None
        self.flusher: AttemptLogFlusher | None = None
        self.lines: list[str] = []
        self.node: str | None = None
        self.crash_state = worker_settings().crash_hook_state
        self.memlog = MemoryLog(
            f"{claim.number}: gpu.process_run on {claim.holder}, pid {os.getpid()}",
            flush_s=settings.log_flush_interval_s,
        )

    def store_memlog(self, store: DatasourceStore) -> None:
        """From now on the memory log goes to ``memlog.txt`` (after earlier attempts' parts)."""
        try:
            earlier: str | None = store.read(self.keys.memlog).decode("utf-8", "replace")
        except Exception:  # none yet (the first attempt), or unreadable: start afresh
            earlier = None
        number, key = self.claim.number, self.keys.memlog
        self.memlog.set_sink(
            lambda text: store.write(key, compose(earlier, number, text).encode(), "text/plain")
        )

    def transaction(
        self, what: str, fn: Callable[[Session], JobMessage | None]
    ) -> JobMessage | None:
        """Run ``fn`` in its own transaction, waiting out a database outage."""

        def attempt() -> JobMessage | None:
            with self.sessions.begin() as session:
                return fn(session)

        return retry_transient(attempt, budget_s=self.settings.outage_retry_s, what=what)

    def on_state(self, state: RunState, message: str) -> None:
        self.memlog.stage(state.value)
        log.info("[%s] %s", state.value, message)
        self.keeper.report(state, message)
        if self.crash_state == state.value:
            # Test hook (WORKER_CRASH_HOOK_STATE): die like a machine that lost power.
            log.error("WORKER_CRASH_HOOK_STATE=%s: killing this worker (test hook)", state.value)
            # The state is written first (the heartbeat thread would race the kill), so the
            # crash lands in the named state.
            self.keeper.beat()
            if self.flusher is not None:
                self.flusher.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    def run_log(self, outcome: AttemptOutcome, detail: str | None) -> str | None:
        """Store this attempt's log and compose ``log.txt`` with this attempt ending ``outcome``."""
        if self.store is None:
            return None
        if self.flusher is not None:
            self.flusher.stop()
        try:
            with self.sessions.begin() as session:
                now = attempts.db_now_ms(session)
                history = attempts.history(session, self.claim.run_id)
        except Exception as exc:  # the log must never decide the outcome
            log.warning("could not read the attempt history for log.txt: %s", exc)
            return None
        ended = [
            replace(a, ended_at=now, outcome=outcome.value, detail=detail)
            if a.number == self.claim.number
            else a
            for a in history
        ]
        return write_run_log(self.store, self.keys, ended)


def _opening_lines(claim: Claim) -> None:
    log.info(
        "attempt %d of run %s (scheduled run %s) on %s",
        claim.number,
        claim.run_id,
        claim.scheduled_run_id,
        claim.holder,
    )
    for earlier in claim.previous:
        log.info("earlier %s", earlier.describe())
    if fanout_lifecycle.fanned_out_before(claim.previous):
        log.info(
            "EMBEDDING was fanned out to the GPU workers: the shards they committed are "
            "restored, any still missing are embedded here"
        )
    elif claim.redone_stages:
        log.info(
            "resuming: the stage %s was interrupted; completed stages are restored from their "
            "checkpoints",
            ", ".join(claim.redone_stages),
        )


def run_attempt(
    sessions: sessionmaker[Session], claim: Claim, settings: RunSettings, node: str | None = None
) -> None:
    """Run the claimed attempt to one of its outcomes; never raises for the run's sake.

    ``node`` is this worker's Celery node name (left out of the peers a fan-out counts on).
    """
    attempt = _Attempt(sessions, claim, settings)
    attempt.node = node
    attempt.keeper.start()
    attempt.memlog.start()
    liveness.set_active(claim.attempt_id, lambda why: _hand_back(attempt, why, forced=True))
    messages: list[JobMessage | None] = []
    try:
        with capture_run_log() as lines:
            attempt.lines = lines
            _opening_lines(claim)
            messages.append(_run(attempt))
    finally:
        liveness.clear_active(claim.attempt_id)
        attempt.memlog.stop()
        attempt.keeper.stop()
    failed = send_all(app, [m for m in messages if m is not None])
    for message in failed:
        log.warning("the reconciler will send %s %s", message.task.value, message.entity_id)


def _run(attempt: _Attempt) -> JobMessage | None:
    claim = attempt.claim
    try:
        attempt.on_state(RunState.INITIALIZING, "Reading the run's config and datasources")
        with attempt.sessions.begin() as session:
            ctx = load_run_context(session, claim.run_id)
            user_id = run_repo.require(session, claim.run_id).user_id
            queue = fanout_lifecycle.run_queue(session, claim.scheduled_run_id)
        budget = attempt.settings.outage_retry_s
        lightly = RetryingStore(ctx.lightly_store, budget)
        attempt.store = ctx.lightly_store
        attempt.store_memlog(ctx.lightly_store)
        attempt.flusher = AttemptLogFlusher(
            ctx.lightly_store,
            attempt.keys,
            claim.number,
            attempt.lines,
            attempt.settings.log_flush_interval_s,
        ).start()
        result = run_pipeline(
            ctx.config,
            RetryingStore(ctx.input_store, budget),
            lightly,
            attempt.keys,
            worker_settings(),
            attempt.on_state,
            hooks=database_hooks(lambda: attempt.sessions, user_id),
            ledger=StageLedger(lightly, attempt.keys, claim.number),
            guard=attempt.keeper.check,
            worker=claim.holder,
            fan_out=fanout.offer(claim, queue, attempt.node, worker_settings().embed_fanout),
        )
        attempt.keeper.check()
        return _finish(attempt, result)
    except FanOutRequested as exc:
        return _fan_out(attempt, exc)
    except HandBackRequested as exc:
        return _hand_back(attempt, exc.message, forced=False)
    except LeaseLost as exc:
        log.error("stopping: %s; the next attempt resumes from the checkpoints", exc.message)
        if attempt.flusher is not None:
            attempt.flusher.stop()
        return None
    except Exception as exc:
        if is_transient(exc):
            return _abandon(attempt, exc)
        return _fail(attempt, exc)


def _finish(attempt: _Attempt, result: PipelineResult) -> JobMessage | None:
    log.info("worker stage done: %d of %d selected", len(result.selected), result.n_input)
    attempt.keeper.beat()
    log_key = attempt.run_log(AttemptOutcome.DONE, None)
    memlog_key = attempt.keys.memlog if attempt.memlog.stop("DONE") else None
    stage_result = to_stage_result(result, attempt.keys)
    return attempt.transaction(
        "recording the results",
        lambda s: results.finish_worker_stage(
            s, attempt.claim.attempt_id, stage_result, log_key, memlog_key
        ),
    )


def to_stage_result(result: PipelineResult, keys: RunKeys) -> results.WorkerStageResult:
    """What the database records of a finished pipeline: samples, frames, crops, artifacts."""
    frames = {
        name: results.FrameSample(
            frame.video, frame.index, result.videos[frame.video].timestamp_sec(frame.index)
        )
        for name in result.selected
        if (frame := result.frames.get(name)) is not None
    }
    selected, selected_crops, crops = result.selected, [], {}
    if result.object_task is not None:
        selected, selected_crops = result.selected_parents, result.selected
        crops = {
            name: results.CropSample(
                ref.parent, ref.task, ref.index, ref.category_id, float(ref.score)
            )
            for name in selected_crops
            for ref in (result.crops[name],)
        }
    return results.WorkerStageResult(
        selected=selected,
        n_input=result.n_input,
        model_trained=result.model_trained,
        model_description=result.model_description,
        checkpoint_key=result.checkpoint_key,
        frames=frames,
        selected_crops=selected_crops,
        crops=crops,
        crop_dataset_name=result.crop_dataset_name,
        sequence_information_key=(
            keys.sequence_information if result.sequence_information is not None else None
        ),
    )


def _fail(attempt: _Attempt, exc: Exception) -> JobMessage | None:
    log.exception("run %s failed", attempt.claim.run_id)
    attempt.keeper.beat()
    log_key = attempt.run_log(AttemptOutcome.FAILED, f"{type(exc).__name__}: {exc}")

    def record(session: Session) -> None:
        results.fail_attempt(session, attempt.claim.attempt_id, exc, log_key)

    try:
        attempt.transaction("recording the failure", record)
    except LeaseLost as lost:
        log.error("the failure was not recorded: %s", lost.message)
    return None


def _hand_back(attempt: _Attempt, reason: str, *, forced: bool) -> JobMessage | None:
    log.warning("handing run %s back: %s", attempt.claim.run_id, reason)
    attempt.keeper.beat()
    attempt.run_log(AttemptOutcome.HANDED_BACK, reason)
    try:
        message = attempt.transaction(
            "handing the run back",
            lambda s: attempts.hand_back(s, attempt.claim.attempt_id, reason),
        )
    except LeaseLost as lost:
        log.error("the run was already taken over: %s", lost.message)
        return None
    if forced and message is not None:
        send_all(app, [message])
        return None
    return message


def _fan_out(attempt: _Attempt, request: FanOutRequested) -> JobMessage | None:
    """Hand the run back as a fan-out: the chord of its missing shards, sent after the commit."""
    detail = fanout_lifecycle.fanout_detail(len(request.shards), request.count)
    attempt.keeper.beat()
    attempt.run_log(AttemptOutcome.HANDED_BACK, detail)
    try:
        return attempt.transaction(
            "fanning EMBEDDING out",
            lambda s: fanout_lifecycle.hand_out(
                s, attempt.claim.attempt_id, request.shards, request.count
            ),
        )
    except LeaseLost as lost:
        log.error("the run was already taken over: %s", lost.message)
        return None


def _abandon(attempt: _Attempt, exc: Exception) -> JobMessage | None:
    reason = f"outage outlasted RUN_OUTAGE_RETRY_S: {type(exc).__name__}: {exc}"[:2000]
    log.error("abandoning attempt %d: %s", attempt.claim.number, reason)
    attempt.run_log(AttemptOutcome.ABANDONED, reason)
    try:
        return attempt.transaction(
            "abandoning the attempt",
            lambda s: attempts.abandon(s, attempt.claim.attempt_id, reason, attempt.settings),
        )
    except Exception as final:
        # Nothing more can be written: the lease expires and the reconciler re-queues the run.
        log.error("could not record the abandoned attempt: %s", final)
        return None
