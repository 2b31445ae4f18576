"""Dataset tags and filename exports (bit i of a tag's bitmask = sample with idx i)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.params import DatasetId
from winnow_api.tags import exports as tag_exports
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
from winnow_common.schemas.wire_tags import LabelBoxDataRow, LabelBoxV4DataRow, LabelStudioTask

router = APIRouter(prefix="/v1/datasets/{datasetId}/tags", tags=["tags"])

TagId = Annotated[str, Path(alias="tagId", pattern=OBJECT_ID_PATTERN)]


def export_options(
    expires_in: Annotated[int | None, Query(alias="expiresIn")] = None,
    access_control: Annotated[str | None, Query(alias="accessControl")] = None,
    file_name_format: Annotated[
        FileNameFormat, Query(alias="fileNameFormat")
    ] = FileNameFormat.NAME,
    include_meta_data: Annotated[bool, Query(alias="includeMetaData")] = False,
    output_format: Annotated[Literal["JSON", "PLAIN"] | None, Query(alias="format")] = None,
    preview_example: Annotated[bool, Query(alias="previewExample")] = False,
) -> tag_exports.ExportOptions:
    """lightly's export query parameters: URL lifetime (``expiresIn`` seconds), how names are
    written (``fileNameFormat``), sample data in Label Studio tasks (``includeMetaData``), and
    ``previewExample`` (the first item only)."""
    return tag_exports.ExportOptions(
        expires_in=expires_in,
        access_control=access_control,
        file_name_format=file_name_format,
        include_meta_data=include_meta_data,
        output_format=output_format,
        preview_example=preview_example,
    )


ExportOptionsDep = Annotated[tag_exports.ExportOptions, Depends(export_options)]


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


@router.delete("/{tagId}", status_code=200, response_class=Response)
def delete_tag(
    dataset_id: DatasetId, tag_id: TagId, user: CurrentUser, session: SessionDep
) -> Response:
    """Delete a leaf tag (409 for the root ``initial-tag`` and for another tag's parent)."""
    tag_service.delete(session, user, dataset_id, tag_id)
    return Response(status_code=200)


@router.get(
    "/{tagId}/export/LabelStudio/tasks",
    response_model=list[LabelStudioTask],
    response_model_exclude_none=True,
)
def export_label_studio_tasks(
    dataset_id: DatasetId,
    tag_id: TagId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    options: ExportOptionsDep,
) -> list[LabelStudioTask]:
    """The tag's samples as Label Studio tasks (bit order, paginated by item; ``[]`` past the
    end): ``id`` = the sample's index, ``data.image`` = a signed, token-free read URL."""
    rows = tag_exports.items(session, user, dataset_id, tag_id, page, options)
    meta = options.include_meta_data
    return [LabelStudioTask.from_export(r.sample, r.name, r.url, meta) for r in rows]


@router.get("/{tagId}/export/LabelBox/datarows", response_model=list[LabelBoxDataRow])
def export_label_box_data_rows(
    dataset_id: DatasetId,
    tag_id: TagId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    options: ExportOptionsDep,
) -> list[LabelBoxDataRow]:
    """The tag's samples as Labelbox v3 data rows (``externalId``, ``imageUrl``)."""
    rows = tag_exports.items(session, user, dataset_id, tag_id, page, options)
    return [LabelBoxDataRow.from_export(r.name, r.url) for r in rows]


@router.get("/{tagId}/export/LabelBoxV4/datarows", response_model=list[LabelBoxV4DataRow])
def export_label_box_v4_data_rows(
    dataset_id: DatasetId,
    tag_id: TagId,
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    options: ExportOptionsDep,
) -> list[LabelBoxV4DataRow]:
    """The tag's samples as Labelbox v4 data rows (``row_data``, ``global_key``,
    ``media_type``)."""
    rows = tag_exports.items(session, user, dataset_id, tag_id, page, options)
    return [LabelBoxV4DataRow.from_export(r.name, r.url) for r in rows]
