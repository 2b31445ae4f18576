"""Database-backed ``PipelineHooks`` for server runs: other runs' checkpoints, tags as query sets.

Every lookup is scoped to what the run's user may read (their own datasets and runs, and those of
datasets shared with them), so a config cannot reach a stranger's data by id.
Each callback opens its own short transaction; nothing is held open across compute.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.db.repositories import artifacts as artifact_repo
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.enums import ArtifactType, DatasourcePurpose
from winnow_common.errors import PipelineError, StorageError
from winnow_common.storage import open_datasource_row
from winnow_common.tags import bitmask_to_indices
from winnow_gpu_worker.stages.hooks import PipelineHooks, QuerySet


def database_hooks(sessions: Callable[[], sessionmaker[Session]], user_id: str) -> PipelineHooks:
    """Hooks that answer from the database on behalf of ``user_id``."""

    def checkpoint_of_run(run_id: str) -> bytes:
        with sessions().begin() as session:
            run = run_repo.get_readable(session, run_id, user_id)
            if run is None:
                raise PipelineError(f"checkpointRunId {run_id}: no such run")
            artifact = artifact_repo.of_type(session, run_id, ArtifactType.CHECKPOINT)
            if artifact is None:
                raise PipelineError(
                    f"checkpointRunId {run_id}: that run has no CHECKPOINT artifact "
                    "(it did not train a model)"
                )
            store = open_datasource_row(
                datasource_repo.for_purpose(session, run.dataset_id, DatasourcePurpose.LIGHTLY)
            )
            key = artifact.storage_key
        try:
            return store.read(key)
        except StorageError as exc:
            raise PipelineError(
                f"checkpointRunId {run_id}: its checkpoint {key} cannot be read: {exc.message}"
            ) from exc

    def query_set(dataset_id: str, tag_name: str) -> QuerySet:
        with sessions().begin() as session:
            dataset = dataset_repo.get_accessible(session, dataset_id, user_id)
            if dataset is None:
                raise PipelineError(f"SIMILARITY query set: no dataset {dataset_id}")
            tag = tag_repo.by_name(session, dataset_id, tag_name)
            if tag is None:
                raise PipelineError(
                    f"SIMILARITY query set: dataset {dataset.name!r} has no tag {tag_name!r}"
                )
            wanted = set(bitmask_to_indices(tag.bit_mask_data))
            names = sorted(
                name
                for name, idx in sample_repo.index_by_name(session, dataset_id).items()
                if idx in wanted
            )
            store = open_datasource_row(
                datasource_repo.for_purpose(session, dataset_id, DatasourcePurpose.INPUT)
            )
        return QuerySet(names, store.read, f"tag {tag_name!r} of dataset {dataset.name!r}")

    return PipelineHooks(checkpoint_of_run=checkpoint_of_run, query_set=query_set)
