"""Reporter glue: lease the report stage, render, store, register artifacts, complete the run."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import run_settings
from winnow_common.db.repositories import artifacts as artifact_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.session import session_factory
from winnow_common.enums import ArtifactType, AttemptOutcome, RunState
from winnow_common.errors import LeaseLost
from winnow_common.ids import now_ms
from winnow_common.jobs.messages import send_all
from winnow_common.lifecycle import attempts, results
from winnow_common.lifecycle.attempts import Claim, claim_report
from winnow_common.lifecycle.keeper import LeaseKeeper
from winnow_common.lifecycle.retry import is_transient, retry_transient
from winnow_common.lifecycle.runlog import write_attempt_log, write_run_log
from winnow_common.runs import load_run_context
from winnow_common.storage import DatasourceStore, RetryingStore, RunKeys
from winnow_reporter.celery_app import app
from winnow_reporter.render import config_summary, render_report
from winnow_reporter.report import RunSummary

log = logging.getLogger(__name__)


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory()


def _claim(run_id: str, holder: str) -> Claim | None:
    settings = run_settings()

    def attempt() -> Claim | None:
        with _sessions().begin() as session:
            return claim_report(session, run_id, holder, settings)

    return retry_transient(attempt, budget_s=settings.outage_retry_s, what="claiming the report")


def render_run_report(run_id: str, holder: str | None = None) -> None:
    """Render and store the report of a run that finished its worker stage, then complete it.

    The report stage holds a lease like the GPU stage: a reporter killed mid-render leaves an
    attempt whose lease expires, the reconciler queues the report again, and the next attempt
    renders it from scratch into the same keys (so there is one report, registered once).
    """
    holder = holder or f"{socket.gethostname()} pid {os.getpid()}"
    claim = _claim(run_id, holder)
    if claim is None:
        log.info("run %s: no report to render (not waiting for one, or already claimed)", run_id)
        return
    settings = run_settings()
    keeper = LeaseKeeper(_sessions(), claim.attempt_id, settings).start()
    try:
        _render_claimed(claim, keeper)
    finally:
        keeper.stop()


def _render_claimed(claim: Claim, keeper: LeaseKeeper) -> None:
    run_id = claim.run_id
    keys = RunKeys.for_run(run_id)
    with _capture_log() as lines:
        log.info("attempt %d of run %s (report) on %s", claim.number, run_id, claim.holder)
        for earlier in claim.previous:
            log.info("earlier %s", earlier.describe())
        with _sessions().begin() as session:
            run = run_repo.require(session, run_id)
            ctx = load_run_context(session, run_id)
            started_at, trained = run.processing_started_at, bool(run.model_trained)
            model = run.model_description or ""
        keeper.report(RunState.GENERATING_REPORT, "Rendering the report")
        run_info = {
            "run_id": ctx.run_id,
            "dataset_id": ctx.dataset_id,
            "dataset_name": ctx.dataset_name,
            "started_at_ms": started_at,
            "ended_at_ms": now_ms(),
            "model_trained": trained,
            "model_description": model,
            "config_summary": config_summary(ctx.config),
        }
        store = ctx.lightly_store
        try:
            data = render_report(
                RetryingStore(store, run_settings().outage_retry_s),
                keys,
                run_info,
                ctx.input_store.read,
            )
            log.info("report rendered: %d of %d samples selected", data.n_selected, data.n_input)
        except Exception as exc:
            log.exception("report of run %s failed", run_id)
            write_attempt_log(store, keys, claim.number, lines)
            if is_transient(exc):
                _abandon(claim, exc)
            else:
                with _sessions().begin() as session:
                    results.fail_attempt(session, claim.attempt_id, exc, None)
            return
        write_attempt_log(store, keys, claim.number, lines)
    _complete(claim, store, keys, data)


def _complete(claim: Claim, store: DatasourceStore, keys: RunKeys, data: RunSummary) -> None:
    """Register the reports and the recomposed log.txt, and complete the run (fenced)."""
    run_id = claim.run_id

    def record() -> None:
        with _sessions().begin() as session:
            now = attempts.db_now_ms(session)
            history = [
                replace(a, ended_at=now, outcome=AttemptOutcome.DONE.value)
                if a.number == claim.number
                else a
                for a in attempts.history(session, run_id)
            ]
        log_key = write_run_log(store, keys, history)
        with _sessions().begin() as session:
            attempts.fence(session, claim.attempt_id)
            for type_, name, key in (
                (ArtifactType.REPORT_PDF, "report.pdf", keys.report_pdf),
                (ArtifactType.REPORT_JSON, "report.json", keys.report_json),
                (ArtifactType.REPORT_V2_JSON, "report_v2.json", keys.report_v2_json),
            ):
                artifact_repo.register(session, run_id, type_, name, key)
            results.register_log(session, run_id, log_key)
            results.complete_run(
                session,
                claim.attempt_id,
                f"Run completed: {data.n_selected} of {data.n_input} samples selected.",
            )

    try:
        retry_transient(record, budget_s=run_settings().outage_retry_s, what="completing the run")
    except LeaseLost as exc:
        log.error("the report of run %s was not recorded: %s", run_id, exc.message)


def _abandon(claim: Claim, exc: Exception) -> None:
    reason = f"outage outlasted RUN_OUTAGE_RETRY_S: {type(exc).__name__}: {exc}"[:2000]
    try:
        with _sessions().begin() as session:
            message = attempts.abandon(session, claim.attempt_id, reason, run_settings())
    except Exception as final:  # the lease expires and the reconciler queues the report again
        log.error("could not record the abandoned report attempt: %s", final)
        return
    if message is not None:
        send_all(app, [message])


@contextmanager
def _capture_log() -> Iterator[list[str]]:
    """INFO+ lines of the reporter and the lifecycle code while the block runs."""
    lines: list[str] = []
    handler = _ListHandler(lines)
    loggers = [logging.getLogger(n) for n in ("winnow_reporter", "winnow_common.lifecycle")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.addHandler(handler)
    try:
        yield lines
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


class _ListHandler(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.INFO)
        self.lines = lines
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
