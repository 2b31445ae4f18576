"""Dataset tags and filename exports (bit i of a tag's bitmask = sample with idx i)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_api.signing import sample_read_url
from winnow_common.db.models import Dataset, Datasource, Run, Sample, Tag
from winnow_common.enums import DatasourcePurpose, FileNameFormat
from winnow_common.errors import (
    DatasourceNotConfigured,
    DatasourceNotFound,
    InvalidInput,
    RunNotFound,
    StorageError,
    TagNameExists,
    TagNotFound,
)
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.runs import datasource_for, open_datasource_row
from winnow_common.schemas.wire import (
    CreateEntityResponse,
    TagArithmeticsRequest,
    TagBitMaskResponse,
    TagCreateRequest,
    TagData,
)
from winnow_common.tags import apply_tag_operation, bitmask_to_indices

router = APIRouter(prefix="/v1/datasets/{datasetId}/tags", tags=["tags"])

TagId = Annotated[str, Path(alias="tagId", pattern=OBJECT_ID_PATTERN)]


def to_tag_data(tag: Tag) -> TagData:
    """The wire form of a tag."""
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


def get_dataset_tag(session: Session, dataset: Dataset, tag_id: str, field: str = "tagId") -> Tag:
    """A tag of the dataset (404 otherwise, also for another dataset's tag).

    ``field`` is the request field the id came from (named in the 404's message).
    """
    tag = session.get(Tag, tag_id)
    if tag is None or tag.dataset_id != dataset.id:
        raise TagNotFound(f"{field}: tag {tag_id} does not exist in dataset {dataset.id}")
    return tag


def _sample_count(session: Session, dataset: Dataset) -> int:
    count = session.scalar(
        select(func.count()).select_from(Sample).where(Sample.dataset_id == dataset.id)
    )
    return int(count or 0)


def _name_taken(field: str, name: str) -> TagNameExists:
    return TagNameExists(f"{field}: a tag named {name!r} already exists in this dataset")


def _insert_tag(session: Session, tag: Tag, field: str) -> None:
    """Add a new tag; a name taken meanwhile (unique per dataset) is a 409, not a 500.

    ``field`` is the request field the name came from (named in the 409's message).
    """
    try:
        with session.begin_nested():
            session.add(tag)
            session.flush()
    except IntegrityError as exc:
        raise _name_taken(field, tag.name) from exc


def _check_name_free(session: Session, dataset: Dataset, name: str, field: str) -> None:
    taken = session.scalar(select(Tag.id).where(Tag.dataset_id == dataset.id, Tag.name == name))
    if taken:
        raise _name_taken(field, name)


@router.post("", status_code=201, response_model=CreateEntityResponse)
def create_tag(
    dataset_id: DatasetId, body: TagCreateRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Create a tag from a bitmask over the dataset's samples (``create_tag_from_filenames``).

    ``totSize`` must equal the number of samples and no bit may lie beyond it: a bitmask made
    for another sample set would silently mark the wrong files.
    """
    dataset = get_owned_dataset(session, user, dataset_id)
    get_dataset_tag(session, dataset, body.prev_tag_id, "prevTagId")
    _check_name_free(session, dataset, body.name, "name")
    n_samples = _sample_count(session, dataset)
    if body.tot_size != n_samples:
        raise InvalidInput(
            f"totSize: {body.tot_size} does not match the dataset's {n_samples} samples"
        )
    if int(body.bit_mask_data, 16).bit_length() > n_samples:
        raise InvalidInput(
            f"bitMaskData: sets bits at or beyond totSize ({n_samples}); bit i marks sample i"
        )
    if body.run_id is not None:
        run = session.get(Run, body.run_id)
        if run is None or run.dataset_id != dataset.id:
            raise RunNotFound(f"runId: run {body.run_id} does not exist in dataset {dataset.id}")
    tag = Tag(
        dataset_id=dataset.id,
        prev_tag_id=body.prev_tag_id,
        name=body.name,
        bit_mask_data=body.bit_mask_data,
        tot_size=n_samples,
        run_id=body.run_id,
    )
    _insert_tag(session, tag, "name")
    return CreateEntityResponse(id=tag.id)


# Declared before the ``/{tagId}`` routes; the 24-hex id pattern would also keep them apart.
@router.post("/arithmetics/bitmask", status_code=200, response_model=TagBitMaskResponse)
def tag_arithmetics(
    dataset_id: DatasetId, body: TagArithmeticsRequest, user: CurrentUser, session: SessionDep
) -> TagBitMaskResponse:
    """UNION, INTERSECTION or DIFFERENCE (tag1 minus tag2) of two tags' bitmasks.

    With ``newTagName`` the result is also saved as a tag whose parent is ``tagId1``; the
    answer is the bitmask either way.
    """
    dataset = get_owned_dataset(session, user, dataset_id)
    first = get_dataset_tag(session, dataset, body.tag_id1, "tagId1")
    second = get_dataset_tag(session, dataset, body.tag_id2, "tagId2")
    bitmask = apply_tag_operation(first.bit_mask_data, second.bit_mask_data, body.operation)
    if body.new_tag_name is not None:
        _check_name_free(session, dataset, body.new_tag_name, "newTagName")
        _insert_tag(
            session,
            Tag(
                dataset_id=dataset.id,
                prev_tag_id=first.id,
                name=body.new_tag_name,
                bit_mask_data=bitmask,
                tot_size=_sample_count(session, dataset),
            ),
            "newTagName",
        )
    return TagBitMaskResponse(bit_mask_data=bitmask)


@router.get("/{tagId}", response_model=TagData, response_model_exclude_none=True)
def get_tag(
    dataset_id: DatasetId, tag_id: TagId, user: CurrentUser, session: SessionDep
) -> TagData:
    """One tag."""
    dataset = get_owned_dataset(session, user, dataset_id)
    return to_tag_data(get_dataset_tag(session, dataset, tag_id))


def _input_datasource(session: Session, dataset: Dataset) -> Datasource:
    try:
        return datasource_for(session, dataset.id, DatasourcePurpose.INPUT)
    except DatasourceNotConfigured as exc:
        # 404, not 400: the client retries 400s on paginated routes for half a minute.
        raise DatasourceNotFound(exc.message) from exc


def _datasource_full_urls(source: Datasource, names: list[str]) -> list[str]:
    """Full datasource locations (``s3://bucket/in/a.png``, ``obs://...``, the LOCAL path)."""
    try:
        store = open_datasource_row(source)
    except StorageError:
        # Types this server cannot open (GCS, AZURE, ...): their fullPath is already the root.
        base = source.full_path.rstrip("/")
        return [f"{base}/{n}" if base else n for n in names]
    return [store.full_url(n) for n in names]


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
    dataset = get_owned_dataset(session, user, dataset_id)
    tag = get_dataset_tag(session, dataset, tag_id)
    indices = bitmask_to_indices(tag.bit_mask_data)
    rows = session.execute(
        page.apply(
            select(Sample.id, Sample.file_name)
            .where(Sample.dataset_id == dataset.id, Sample.idx.in_(indices))
            .order_by(Sample.idx)
        )
    ).all()
    if file_name_format == FileNameFormat.DATASOURCE_FULL:
        source = _input_datasource(session, dataset)
        values = _datasource_full_urls(source, [name for _, name in rows])
    elif file_name_format == FileNameFormat.REDIRECTED_READ_URL:
        _input_datasource(session, dataset)  # URLs that could only fail are worse than a 404
        values = [sample_read_url(dataset.id, sample_id) for sample_id, _ in rows]
    else:
        values = [name for _, name in rows]
    return "\n".join(values)
