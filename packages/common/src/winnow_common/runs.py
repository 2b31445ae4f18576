"""What a run's stages read before they start: its dataset, config and opened stores.

The queries are the repositories'; the caller owns the (short) transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import scheduled_runs as scheduled_run_repo
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import WorkerConfigV4, parse_worker_config
from winnow_common.storage import DatasourceStore, open_datasource_row


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


def load_run_context(session: Session, run_id: str) -> RunContext:
    """Read the run's dataset, config and datasources and open its stores."""
    run = run_repo.require(session, run_id)
    dataset = dataset_repo.get(session, run.dataset_id)
    config = scheduled_run_repo.get_config(session, run.config_id)
    if dataset is None or config is None:
        raise PipelineError(f"run {run_id} lost its dataset or config")
    return RunContext(
        run_id=run.id,
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        config=parse_worker_config(config.config),
        raw_config=dict(config.config),
        input_store=open_datasource_row(
            datasource_repo.for_purpose(session, dataset.id, DatasourcePurpose.INPUT)
        ),
        lightly_store=open_datasource_row(
            datasource_repo.for_purpose(session, dataset.id, DatasourcePurpose.LIGHTLY)
        ),
    )
