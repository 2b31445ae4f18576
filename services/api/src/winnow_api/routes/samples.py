"""Samples: mappings (bit order), partial listings, read URLs and custom metadata updates.

Samples exist only once a run has put them into the dataset; ``idx`` is a sample's bit in tag
bitmasks, so every listing here is ordered by ``idx``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_api.signing import sample_read_url
from winnow_common.db.models import Dataset, Sample
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import (
    DatasourceNotConfigured,
    DatasourceNotFound,
    InvalidInput,
    SampleNotFound,
)
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.runs import datasource_for
from winnow_common.schemas.wire import SampleDataModes, SampleUpdateRequest

router = APIRouter(tags=["samples"])

SampleId = Annotated[str, Path(alias="sampleId", pattern=OBJECT_ID_PATTERN)]


def get_dataset_sample(session: Session, dataset: Dataset, sample_id: str) -> Sample:
    """A sample of the dataset (404 otherwise, also for another dataset's sample)."""
    sample = session.get(Sample, sample_id)
    if sample is None or sample.dataset_id != dataset.id:
        raise SampleNotFound(f"sampleId: sample {sample_id} does not exist in dataset {dataset.id}")
    return sample


@router.get("/v1/datasets/{datasetId}/mappings", response_model=list[str])
def get_mappings(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    field: Annotated[Literal["fileName", "_id"], Query()],
) -> list[str]:
    """One value per sample in bit order (``fileName`` or sample ``_id``); ``[]`` past the end."""
    dataset = get_owned_dataset(session, user, dataset_id)
    column = Sample.file_name if field == "fileName" else Sample.id
    stmt = select(column).where(Sample.dataset_id == dataset.id).order_by(Sample.idx)
    return list(session.scalars(page.apply(stmt)))


@router.get(
    "/v1/datasets/{datasetId}/samples/partial",
    response_model=list[SampleDataModes],
    response_model_exclude_none=True,
)
def get_samples_partial(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    mode: Annotated[Literal["ids", "fileNames", "full"], Query()] = "full",
) -> list[SampleDataModes]:
    """Samples in bit order with the keys ``mode`` asks for (``fileNames``: id and fileName)."""
    dataset = get_owned_dataset(session, user, dataset_id)
    stmt = select(Sample).where(Sample.dataset_id == dataset.id).order_by(Sample.idx)
    samples = session.scalars(page.apply(stmt))
    if mode == "ids":
        return [SampleDataModes(id=s.id) for s in samples]
    if mode == "fileNames":
        return [SampleDataModes(id=s.id, file_name=s.file_name) for s in samples]
    return [
        SampleDataModes(
            id=s.id,
            type="IMAGE",
            dataset_id=s.dataset_id,
            file_name=s.file_name,
            index=s.idx,
            created_at=s.created_at,
            custom_meta_data=s.custom_meta_data,
        )
        for s in samples
    ]


@router.get("/v1/datasets/{datasetId}/samples/{sampleId}/readurl", response_model=str)
def get_sample_read_url(
    dataset_id: DatasetId,
    sample_id: SampleId,
    user: CurrentUser,
    session: SessionDep,
    type_: Annotated[Literal["full", "thumbnail"], Query(alias="type")] = "full",
) -> str:
    """A signed, token-free URL that streams the sample's file from the INPUT datasource.

    Winnow keeps no thumbnails, so ``type=thumbnail`` also gets the full image.
    """
    dataset = get_owned_dataset(session, user, dataset_id)
    sample = get_dataset_sample(session, dataset, sample_id)
    try:
        datasource_for(session, dataset.id, DatasourcePurpose.INPUT)
    except DatasourceNotConfigured as exc:
        # A URL that can only fail is worse than a final 404 now.
        raise DatasourceNotFound(exc.message) from exc
    return sample_read_url(dataset.id, sample.id)


@router.put("/v1/datasets/{datasetId}/samples/{sampleId}", status_code=200, response_class=Response)
def update_sample(
    dataset_id: DatasetId,
    sample_id: SampleId,
    body: SampleUpdateRequest,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """Store the sample's ``customMetaData`` (``upload_custom_metadata`` sends one per sample).

    ``fileName`` cannot change (it is the sample's key in the INPUT datasource); ``thumbName``,
    ``exif`` and ``metaData`` are accepted for compatibility but Winnow does not keep them.
    """
    dataset = get_owned_dataset(session, user, dataset_id)
    sample = get_dataset_sample(session, dataset, sample_id)
    if body.file_name is not None and body.file_name != sample.file_name:
        raise InvalidInput("fileName: a sample's fileName cannot be changed")
    if body.custom_meta_data is not None:
        custom: dict[str, Any] = dict(body.custom_meta_data)
        sample.custom_meta_data = custom
    session.flush()
    return Response(status_code=200)
