"""Embeddings of a dataset: list, upload (writeCSVUrl), read (readCSVUrl), 2-D projection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.embeddings import service as embedding_service
from winnow_api.params import DatasetId
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.wire_embeddings import DatasetEmbeddingData, WriteCSVUrlData

router = APIRouter(prefix="/v1/datasets/{datasetId}/embeddings", tags=["embeddings"])

EmbeddingId = Annotated[str, Path(alias="embeddingId", pattern=OBJECT_ID_PATTERN)]


@router.get("", response_model=list[DatasetEmbeddingData], response_model_exclude_none=True)
def list_embeddings(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> list[DatasetEmbeddingData]:
    """The dataset's embeddings, newest first: uploaded CSVs and every run's embeddings."""
    rows = embedding_service.of_dataset(session, user, dataset_id)
    return [DatasetEmbeddingData.from_row(e) for e in rows]


# Declared before the ``/{embeddingId}`` routes; the 24-hex id pattern keeps them apart too.
@router.get("/writeCSVUrl", response_model=WriteCSVUrlData)
def get_write_csv_url(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str | None, Query()] = None,
) -> WriteCSVUrlData:
    """Create an embedding called ``name`` and a signed, token-free URL to PUT its CSV to.

    The CSV follows lightly's ``save_embeddings`` format; once received, the dataset gains a
    sample for every file it names and the embedding is processed. A used name is a 409.
    """
    embedding, url = embedding_service.create_for_upload(session, user, dataset_id, name)
    return WriteCSVUrlData(signed_write_url=url, embedding_id=embedding.id)


@router.get("/{embeddingId}/readCSVUrl", response_model=str)
def get_read_csv_url(
    dataset_id: DatasetId, embedding_id: EmbeddingId, user: CurrentUser, session: SessionDep
) -> str:
    """A signed, token-free URL that streams the embedding's CSV exactly as it was stored."""
    return embedding_service.read_url(session, user, dataset_id, embedding_id)
