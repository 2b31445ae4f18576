"""Celery glue: claim a scheduled run, run the pipeline, record results, hand over to the reporter.

No database transaction is held open across the compute: claim (short), compute, record (short).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from winnow_common import __version__
from winnow_common.config import worker_settings
from winnow_common.db.models import Run, Sample, ScheduledRun, Tag
from winnow_common.db.session import session_factory
from winnow_common.enums import ArtifactType, ComputeWorkerState, RunState, ScheduledRunState
from winnow_common.ids import now_ms
from winnow_common.jobs import ProcessRunJob, RenderReportJob, TaskName
from winnow_common.runs import fail_run, load_run_context, register_artifact, set_run_state
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_common.tags import indices_to_bitmask
from winnow_gpu_worker.celery_app import app
from winnow_gpu_worker.identity import current_identity, set_worker_state
from winnow_gpu_worker.pipeline import PipelineResult, run_pipeline
from winnow_gpu_worker.run_hooks import database_hooks
from winnow_gpu_worker.runlog import capture_run_log

log = logging.getLogger(__name__)

INITIAL_TAG = "initial-tag"


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory()


def claim_scheduled_run(
    session: Session, scheduled_run_id: str, worker_id: str | None = None
) -> str | None:
    """Lock an OPEN scheduled run and create its run record, in one transaction.

    Returns the run id, or None when there is nothing to do (already claimed and finished, or
    unknown). A LOCKED run whose record is not terminal was interrupted (worker lost): it is
    restarted, which is safe because every output key is deterministic. ``worker_id`` (the
    registered worker of this process, if any) is recorded on the run and marked BUSY in the
    same transaction.
    """
    scheduled = session.scalar(
        select(ScheduledRun).where(ScheduledRun.id == scheduled_run_id).with_for_update()
    )
    if scheduled is None:
        log.warning("scheduled run %s does not exist; nothing to do", scheduled_run_id)
        return None
    run = session.scalar(select(Run).where(Run.scheduled_id == scheduled.id))
    if scheduled.state == ScheduledRunState.OPEN.value and run is None:
        scheduled.state = ScheduledRunState.LOCKED.value
        run = Run(
            user_id=scheduled.user_id,
            dataset_id=scheduled.dataset_id,
            config_id=scheduled.config_id,
            scheduled_id=scheduled.id,
            docker_version=__version__,
            state=RunState.STARTED.value,
            message="Picked up by a worker",
            processing_started_at=now_ms(),
            worker_id=worker_id,
        )
        session.add(run)
        session.flush()
        set_worker_state(session, worker_id, ComputeWorkerState.BUSY)
        return run.id
    if run is not None and not RunState(run.state).is_terminal:
        run.state = RunState.STARTED.value
        run.message = "Restarted after an interrupted attempt"
        run.worker_id = worker_id
        set_worker_state(session, worker_id, ComputeWorkerState.BUSY)
        return run.id
    return None


def record_selection(session: Session, run_id: str, result: PipelineResult) -> None:
    """Add the selected samples to the dataset and tag them (``initial-tag`` on the first run)."""
    run = session.get(Run, run_id)
    assert run is not None
    existing = {
        s.file_name: s.idx
        for s in session.scalars(select(Sample).where(Sample.dataset_id == run.dataset_id))
    }
    next_idx = max(existing.values(), default=-1) + 1
    indices = []
    for name in result.selected:
        if name not in existing:
            session.add(
                Sample(dataset_id=run.dataset_id, file_name=name, idx=next_idx, created_at=now_ms())
            )
            existing[name] = next_idx
            next_idx += 1
        indices.append(existing[name])
    session.flush()
    initial = session.scalar(
        select(Tag).where(Tag.dataset_id == run.dataset_id, Tag.name == INITIAL_TAG)
    )
    previous = session.scalar(select(Tag).where(Tag.run_id == run.id))
    if previous is not None:  # a restarted run replaces its own tag
        session.delete(previous)
        session.flush()
        initial = None if previous.name == INITIAL_TAG else initial
    total = session.scalar(
        select(func.count()).select_from(Sample).where(Sample.dataset_id == run.dataset_id)
    )
    session.add(
        Tag(
            dataset_id=run.dataset_id,
            run_id=run.id,
            prev_tag_id=initial.id if initial else None,
            name=f"run-{run.id}" if initial else INITIAL_TAG,
            bit_mask_data=indices_to_bitmask(indices),
            tot_size=total or 0,
        )
    )
    run.model_trained = result.model_trained
    run.model_description = result.model_description
    session.flush()


def register_result_artifacts(session: Session, run_id: str, result: PipelineResult) -> None:
    """CORRUPTNESS_CHECK_INFORMATION always; CHECKPOINT when the run trained a model."""
    keys = RunKeys.for_run(run_id)
    register_artifact(
        session,
        run_id,
        ArtifactType.CORRUPTNESS_CHECK_INFORMATION,
        "corruptness_check_information.json",
        keys.corruptness_info,
    )
    if result.checkpoint_key is not None:
        register_artifact(
            session,
            run_id,
            ArtifactType.CHECKPOINT,
            result.checkpoint_key.rsplit("/", 1)[-1],
            result.checkpoint_key,
        )


def _write_log(store: DatasourceStore | None, run_id: str, lines: list[str]) -> str | None:
    """Write the run's log.txt; best effort, a log must never turn a result into a failure."""
    if store is None:
        return None
    key = RunKeys.for_run(run_id).log
    try:
        store.write(key, ("\n".join(lines) + "\n").encode(), "text/plain")
    except Exception:
        log.exception("could not store the log of run %s", run_id)
        return None
    return key


def _register_log(session: Session, run_id: str, key: str | None) -> None:
    if key is not None:
        register_artifact(session, run_id, ArtifactType.LOG, "log.txt", key)


def process_scheduled_run(scheduled_run_id: str) -> str | None:
    """Process one scheduled run end to end (the body of the ``gpu.process_run`` task).

    The LOG artifact is registered in the same transaction that ends the worker stage, so a
    client that sees the run FAILED (or waiting for its report) also sees its log. A
    registered worker is BUSY from the claim until its stage ends, then IDLE again.
    """
    worker_id = current_identity().worker_id
    with _sessions().begin() as session:
        run_id = claim_scheduled_run(session, scheduled_run_id, worker_id)
    if run_id is None:
        return None
    try:
        return _process_claimed_run(scheduled_run_id, run_id)
    finally:
        with _sessions().begin() as session:
            set_worker_state(session, worker_id, ComputeWorkerState.IDLE)


def _process_claimed_run(scheduled_run_id: str, run_id: str) -> str:
    """The worker stage of a claimed run: pipeline, results, log; then the reporter's job."""

    def on_state(state: RunState, message: str) -> None:
        log.info("[%s] %s", state.value, message)
        with _sessions().begin() as s:
            set_run_state(s, run_id, state, message)

    lightly_store: DatasourceStore | None = None
    with capture_run_log() as lines:
        log.info("run %s for scheduled run %s", run_id, scheduled_run_id)
        try:
            on_state(RunState.INITIALIZING, "Reading the run's config and datasources")
            with _sessions().begin() as session:
                ctx = load_run_context(session, run_id)
                user_id = session.get(Run, run_id).user_id  # type: ignore[union-attr]
            lightly_store = ctx.lightly_store
            result = run_pipeline(
                ctx.config,
                ctx.input_store,
                ctx.lightly_store,
                RunKeys.for_run(run_id),
                worker_settings(),
                on_state,
                hooks=database_hooks(_sessions, user_id),
            )
            log.info("worker stage done: %d of %d selected", len(result.selected), result.n_input)
            log_key = _write_log(lightly_store, run_id, lines)
            with _sessions().begin() as session:
                record_selection(session, run_id, result)
                register_result_artifacts(session, run_id, result)
                _register_log(session, run_id, log_key)
                set_run_state(
                    session,
                    run_id,
                    RunState.GENERATING_REPORT,
                    f"Selected {len(result.selected)} of {result.n_input} samples; "
                    "waiting for the reporter",
                )
        except Exception as exc:
            log.exception("run %s failed", run_id)
            log_key = _write_log(lightly_store, run_id, lines)
            with _sessions().begin() as session:
                _register_log(session, run_id, log_key)
                fail_run(session, run_id, exc)
            return run_id
    # Published only after the commit above, so the reporter sees the final state.
    app.send_task(TaskName.RENDER_REPORT.value, kwargs=RenderReportJob(run_id=run_id).model_dump())
    return run_id


@app.task(name=TaskName.PROCESS_RUN.value)
def process_run(scheduled_run_id: str) -> None:
    """Celery entry point; the payload is the scheduled run's id only."""
    process_scheduled_run(ProcessRunJob(scheduled_run_id=scheduled_run_id).scheduled_run_id)
