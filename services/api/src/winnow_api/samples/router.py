"""Samples: mappings (bit order), partial listings, read URLs and custom metadata updates.

Samples exist only once a run has put them into the dataset; ``idx`` is a sample's bit in tag
bitmasks, so every listing here is ordered by ``idx``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.params import DatasetId, SampleId
from winnow_api.samples import service as sample_service
from winnow_api.signing import sample_read_url
from winnow_common.schemas.wire import SampleDataModes, SampleUpdateRequest

router = APIRouter(tags=["samples"])


@router.get("/v1/datasets/{datasetId}/mappings", response_model=list[str])
def get_mappings(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    field: Annotated[Literal["fileName", "_id"], Query()],
) -> list[str]:
    """One value per sample in bit order (``fileName`` or sample ``_id``); ``[]`` past the end."""
    return sample_service.mappings(session, user, dataset_id, page, field)


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
    samples = sample_service.partial(session, user, dataset_id, page)
    return [SampleDataModes.from_row(s, mode) for s in samples]


@router.get("/v1/datasets/{datasetId}/samples/{sampleId}/readurl", response_model=str)
def get_sample_read_url(
    dataset_id: DatasetId,
    sample_id: SampleId,
    user: CurrentUser,
    session: SessionDep,
    type_: Annotated[Literal["full", "thumbnail"], Query(alias="type")] = "full",
) -> str:
    """A signed, token-free URL that streams the sample's image: an image's file from the INPUT
    datasource, a video frame's or crop's extracted image from the LIGHTLY datasource.

    Winnow keeps no thumbnails, so ``type=thumbnail`` also gets the full image.
    """
    sample = sample_service.readable(session, user, dataset_id, sample_id)
    return sample_read_url(sample.dataset_id, sample.id)


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
    sample_service.update(session, user, dataset_id, sample_id, body)
    return Response(status_code=200)
