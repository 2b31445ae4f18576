"""Dataset tags and filename exports (bit i of a tag's bitmask = sample with idx i)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_common.db.models import Sample, Tag
from winnow_common.enums import DatasourcePurpose, FileNameFormat
from winnow_common.errors import InvalidInput, TagNotFound
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.runs import datasource_for
from winnow_common.schemas.wire import TagData
from winnow_common.tags import bitmask_to_indices

router = APIRouter(prefix="/v1/datasets/{datasetId}/tags", tags=["tags"])

TagId = Annotated[str, Path(alias="tagId", pattern=OBJECT_ID_PATTERN)]


def to_tag_data(tag: Tag) -> TagData:
    return TagData(
        id=tag.id,
        dataset_id=tag.dataset_id,
        prev_tag_id=tag.prev_tag_id,
        name=tag.name,
        bit_mask_data=tag.bit_mask_data,
        tot_size=tag.tot_size,
        created_at=tag.created_at,
        last_modified_at=tag.last_modified_at,
        run_id=tag.run_id,
    )


@router.get("", response_model=list[TagData], response_model_exclude_none=True)
def list_tags(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> list[TagData]:
    """All tags of a dataset, oldest first."""
    dataset = get_owned_dataset(session, user, dataset_id)
    rows = session.scalars(select(Tag).where(Tag.dataset_id == dataset.id).order_by(Tag.id))
    return [to_tag_data(t) for t in rows]


@router.get("/{tagId}", response_model=TagData, response_model_exclude_none=True)
def get_tag(
    dataset_id: DatasetId, tag_id: TagId, user: CurrentUser, session: SessionDep
) -> TagData:
    """One tag."""
    dataset = get_owned_dataset(session, user, dataset_id)
    tag = session.get(Tag, tag_id)
    if tag is None or tag.dataset_id != dataset.id:
        raise TagNotFound(f"tag {tag_id} does not exist in dataset {dataset.id}")
    return to_tag_data(tag)


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
    """The tag's filenames, ``\\n``-joined, paginated by item; ``""`` past the end."""
    dataset = get_owned_dataset(session, user, dataset_id)
    tag = session.get(Tag, tag_id)
    if tag is None or tag.dataset_id != dataset.id:
        raise TagNotFound(f"tag {tag_id} does not exist in dataset {dataset.id}")
    indices = bitmask_to_indices(tag.bit_mask_data)
    rows = session.scalars(
        page.apply(
            select(Sample.file_name)
            .where(Sample.dataset_id == dataset.id, Sample.idx.in_(indices))
            .order_by(Sample.idx)
        )
    )
    names = list(rows)
    if file_name_format == FileNameFormat.DATASOURCE_FULL:
        source = datasource_for(session, dataset.id, DatasourcePurpose.INPUT)
        base = source.full_path.rstrip("/")
        names = [f"{base}/{n}" for n in names]
    elif file_name_format == FileNameFormat.REDIRECTED_READ_URL:
        raise InvalidInput("fileNameFormat REDIRECTED_READ_URL is not supported yet")
    return "\n".join(names)
