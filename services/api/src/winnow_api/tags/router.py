"""Dataset tags and filename exports (bit i of a tag's bitmask = sample with idx i)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.params import DatasetId
from winnow_api.tags import service as tag_service
from winnow_common.enums import FileNameFormat
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.wire import (
    CreateEntityResponse,
    TagArithmeticsRequest,
    TagBitMaskResponse,
    TagCreateRequest,
    TagData,
)

router = APIRouter(prefix="/v1/datasets/{datasetId}/tags", tags=["tags"])

TagId = Annotated[str, Path(alias="tagId", pattern=OBJECT_ID_PATTERN)]


@router.get("", response_model=list[TagData], response_model_exclude_none=True)
def list_tags(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> list[TagData]:
    """All tags of a dataset, oldest first."""
    return [TagData.from_row(t) for t in tag_service.of_dataset(session, user, dataset_id)]


@router.post("", status_code=201, response_model=CreateEntityResponse)
def create_tag(
    dataset_id: DatasetId, body: TagCreateRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Create a tag from a bitmask over the dataset's samples (``create_tag_from_filenames``).

    ``totSize`` must equal the number of samples and no bit may lie beyond it: a bitmask made
    for another sample set would silently mark the wrong files.
    """
    return CreateEntityResponse(id=tag_service.create(session, user, dataset_id, body).id)


# Declared before the ``/{tagId}`` routes; the 24-hex id pattern would also keep them apart.
@router.post("/arithmetics/bitmask", status_code=200, response_model=TagBitMaskResponse)
def tag_arithmetics(
    dataset_id: DatasetId, body: TagArithmeticsRequest, user: CurrentUser, session: SessionDep
) -> TagBitMaskResponse:
    """UNION, INTERSECTION or DIFFERENCE (tag1 minus tag2) of two tags' bitmasks.

    With ``newTagName`` the result is also saved as a tag whose parent is ``tagId1``; the
    answer is the bitmask either way.
    """
    bitmask = tag_service.arithmetics(session, user, dataset_id, body)
    return TagBitMaskResponse(bit_mask_data=bitmask)


@router.get("/{tagId}", response_model=TagData, response_model_exclude_none=True)
def get_tag(
    dataset_id: DatasetId, tag_id: TagId, user: CurrentUser, session: SessionDep
) -> TagData:
    """One tag."""
    return TagData.from_row(tag_service.get(session, user, dataset_id, tag_id))


@router.get("/{tagId}/export/basic/filenames", response_model=str)
def export_tag_filenames(
    dataset_id: DatasetId,
    tag_id: TagId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    file_name_format: Annotated[
        FileNameFormat, Query(alias="fileNameFormat")
    ] = FileNameFormat.NAME,
) -> str:
    """The tag's samples, ``\\n``-joined, paginated by item; ``""`` past the end.

    ``NAME``: paths relative to the INPUT root; ``DATASOURCE_FULL``: full datasource paths;
    ``REDIRECTED_READ_URL``: signed token-free URLs. All three list the same samples in the
    same (bit) order, so the client can zip them.
    """
    values = tag_service.export_filenames(session, user, dataset_id, tag_id, page, file_name_format)
    return "\n".join(values)
