"""Run artifacts: one file per type and run (log, reports, checkpoint, ...)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import RunArtifact
from winnow_common.enums import ArtifactType
from winnow_common.ids import now_ms


def get(session: Session, artifact_id: str) -> RunArtifact | None:
    """The artifact, whichever run it belongs to."""
    return session.get(RunArtifact, artifact_id)


def of_run(session: Session, run_id: str) -> Sequence[RunArtifact]:
    """The run's artifacts in id order."""
    return session.scalars(
        select(RunArtifact).where(RunArtifact.run_id == run_id).order_by(RunArtifact.id)
    ).all()


def of_type(session: Session, run_id: str, type_: ArtifactType) -> RunArtifact | None:
    """The run's artifact of ``type_``."""
    return session.scalar(
        select(RunArtifact).where(RunArtifact.run_id == run_id, RunArtifact.type == type_.value)
    )


def register(
    session: Session, run_id: str, type_: ArtifactType, file_name: str, storage_key: str
) -> RunArtifact:
    """Add or replace the run's artifact of ``type_`` (one per type, never duplicated)."""
    artifact = of_type(session, run_id, type_)
    if artifact is None:
        artifact = RunArtifact(run_id=run_id, type=type_.value)
        session.add(artifact)
    artifact.file_name = file_name
    artifact.storage_key = storage_key
    artifact.created_at = now_ms()
    session.flush()
    return artifact
