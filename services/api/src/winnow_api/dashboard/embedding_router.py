"""The embedding view's own route: an embedding's 2-D projection as column arrays.

Dashboard-only (not in the OpenAPI document); authenticated like every route and limited to
the datasets the caller may read (owner or collaborator; 404 otherwise).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from winnow_api.dashboard import embedding_service
from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.params import DatasetId
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.base import WireResponse

router = APIRouter(include_in_schema=False)

EmbeddingId = Annotated[str, Path(alias="embeddingId", pattern=OBJECT_ID_PATTERN)]


class ProjectionData(WireResponse):
    """Parallel arrays, one entry per point: ``idx`` is the sample's bit in tag bitmasks."""

    embedding_id: str
    method: str
    sample_ids: list[str]
    file_names: list[str]
    idx: list[int]
    x: list[float]
    y: list[float]


@router.get(
    "/dashboard/api/datasets/{datasetId}/embeddings/{embeddingId}/projection",
    response_model=ProjectionData,
)
def get_projection(
    dataset_id: DatasetId, embedding_id: EmbeddingId, user: CurrentUser, session: SessionDep
) -> ProjectionData:
    """The stored 2-D projection; 404 when no job computes it, 409 while one is running."""
    p = embedding_service.projection(session, user, dataset_id, embedding_id)
    return ProjectionData(
        embedding_id=p.embedding_id,
        method=p.method,
        sample_ids=p.sample_ids,
        file_names=p.file_names,
        idx=p.idx,
        x=p.x,
        y=p.y,
    )
