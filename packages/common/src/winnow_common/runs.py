"""Run bookkeeping shared by the GPU worker and the reporter (callers own the transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import (
    Dataset,
    Datasource,
    Run,
    RunArtifact,
    ScheduledRun,
    WorkerConfig,
)
from winnow_common.enums import ArtifactType, DatasourcePurpose, RunState, ScheduledRunState
from winnow_common.errors import DatasourceNotConfigured, PipelineError, RunNotFound
from winnow_common.ids import now_ms
from winnow_common.schemas.worker_config import WorkerConfigV4, parse_worker_config
from winnow_common.secretbox import decrypt_secrets
from winnow_common.storage.datasource import DatasourceStore, open_datasource


def get_run(session: Session, run_id: str) -> Run:
    """The run row, or ``RunNotFound``."""
    run = session.get(Run, run_id)
    if run is None:
        raise RunNotFound(f"run {run_id} does not exist")
    return run


def set_run_state(session: Session, run_id: str, state: RunState, message: str) -> None:
    """Move a run to ``state`` with a human-readable message (flush only)."""
    run = get_run(session, run_id)
    run.state = state.value
    run.message = message
    session.flush()


def end_run(session: Session, run_id: str, state: RunState, message: str) -> None:
    """Put a run in a terminal state and close its scheduled run (flush only)."""
    if not state.is_terminal:
        raise ValueError(f"{state} is not a terminal state")
    run = get_run(session, run_id)
    run.state = state.value
    run.message = message
    run.processing_ended_at = run.processing_ended_at or now_ms()
    scheduled = session.get(ScheduledRun, run.scheduled_id)
    if scheduled is not None:
        scheduled.state = ScheduledRunState.DONE.value
    session.flush()


def fail_run(session: Session, run_id: str, exc: BaseException) -> None:
    """Mark a run FAILED, keeping the error type and reason on the row."""
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    run = get_run(session, run_id)
    run.error_type = type(exc).__name__
    run.error_detail = reason
    end_run(session, run_id, RunState.FAILED, f"Run failed in {run.state}: {reason}")


def register_artifact(
    session: Session, run_id: str, type_: ArtifactType, file_name: str, storage_key: str
) -> RunArtifact:
    """Add or replace the run's artifact of ``type_`` (one per type, never duplicated)."""
    artifact = session.scalar(
        select(RunArtifact).where(RunArtifact.run_id == run_id, RunArtifact.type == type_.value)
    )
    if artifact is None:
        artifact = RunArtifact(run_id=run_id, type=type_.value)
        session.add(artifact)
    artifact.file_name = file_name
    artifact.storage_key = storage_key
    artifact.created_at = now_ms()
    session.flush()
    return artifact


@dataclass(frozen=True)
class RunContext:
    """Everything a stage needs to know about a run, read in one short transaction."""

    run_id: str
    dataset_id: str
    dataset_name: str
    config: WorkerConfigV4
    raw_config: dict[str, object]
    input_store: DatasourceStore
    lightly_store: DatasourceStore


def open_datasource_row(source: Datasource) -> DatasourceStore:
    """Open the store a datasource row describes (decrypting its secrets)."""
    return open_datasource(
        source.type,
        source.full_path,
        dict(source.options),
        decrypt_secrets(source.secrets_encrypted),
    )


def datasource_for(session: Session, dataset_id: str, purpose: DatasourcePurpose) -> Datasource:
    """The dataset's datasource for ``purpose`` (INPUT_OUTPUT serves both)."""
    rows = {
        d.purpose: d
        for d in session.scalars(select(Datasource).where(Datasource.dataset_id == dataset_id))
    }
    found = rows.get(purpose.value) or rows.get(DatasourcePurpose.INPUT_OUTPUT.value)
    if found is None:
        raise DatasourceNotConfigured(
            f"dataset {dataset_id} has no {purpose.value} datasource; configure it with "
            f"PUT /v1/datasets/{dataset_id}/datasource"
        )
    return found


def load_run_context(session: Session, run_id: str) -> RunContext:
    """Read the run's dataset, config and datasources and open its stores."""
    run = get_run(session, run_id)
    dataset = session.get(Dataset, run.dataset_id)
    config = session.get(WorkerConfig, run.config_id)
    if dataset is None or config is None:
        raise PipelineError(f"run {run_id} lost its dataset or config")
    return RunContext(
        run_id=run.id,
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        config=parse_worker_config(config.config),
        raw_config=dict(config.config),
        input_store=open_datasource_row(
            datasource_for(session, dataset.id, DatasourcePurpose.INPUT)
        ),
        lightly_store=open_datasource_row(
            datasource_for(session, dataset.id, DatasourcePurpose.LIGHTLY)
        ),
    )
