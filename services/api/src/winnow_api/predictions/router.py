"""Prediction task schemas and per-sample predictions (stored where the worker reads them).

Both land in the dataset's LIGHTLY datasource in Lightly's format (``.lightly/predictions/``),
where a run's PREDICTIONS and SCORES inputs and its report read them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.params import DatasetId, SampleId
from winnow_api.predictions import service as prediction_service
from winnow_common.schemas.wire import CreateEntityResponse
from winnow_common.schemas.wire_predictions import PredictionSingleton, PredictionTaskSchema

router = APIRouter(prefix="/v1/datasets/{datasetId}/predictions", tags=["predictions"])

# Deprecated in lightly's API ("currently ignored"): Winnow keeps one version per task.
PredictionVersion = Annotated[int | None, Query(alias="predictionUUIDTimestamp", ge=0)]


@router.post("/tasks", status_code=201, response_model=CreateEntityResponse)
def create_or_update_prediction_task_schema(
    dataset_id: DatasetId,
    body: Annotated[PredictionTaskSchema, Body()],
    user: CurrentUser,
    session: SessionDep,
    prediction_uuid_timestamp: PredictionVersion = None,
) -> CreateEntityResponse:
    """Create or replace a task's ``schema.json`` and list the task in ``tasks.json``.

    The id is the same for every update of one task.
    """
    task_id = prediction_service.create_or_update_task(session, user, dataset_id, body)
    return CreateEntityResponse(id=task_id)


@router.post("/samples/{sampleId}", status_code=201, response_model=CreateEntityResponse)
def create_or_update_prediction_by_sample_id(
    dataset_id: DatasetId,
    sample_id: SampleId,
    body: Annotated[list[PredictionSingleton], Body()],
    user: CurrentUser,
    session: SessionDep,
    prediction_uuid_timestamp: PredictionVersion = None,
) -> CreateEntityResponse:
    """Replace the sample's predictions of each task the singletons name (checked against the
    task's schema first); the id is the sample's."""
    found = prediction_service.create_or_update_for_sample(
        session, user, dataset_id, sample_id, body
    )
    return CreateEntityResponse(id=found)
