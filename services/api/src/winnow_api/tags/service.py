"""Tag rules: a bitmask must fit the dataset's samples; names are unique per dataset."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.datasources import service as datasource_service
from winnow_api.pagination import Page
from winnow_api.signing import sample_read_url
from winnow_common.db.models import Dataset, Datasource, Sample, Tag, User
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.enums import FileNameFormat
from winnow_common.errors import (
    Conflict,
    InvalidInput,
    RunNotFound,
    StorageError,
    TagNameExists,
    TagNotFound,
)
from winnow_common.schemas.wire import TagArithmeticsRequest, TagCreateRequest
from winnow_common.storage import open_datasource_row
from winnow_common.tags import apply_tag_operation, bitmask_to_indices


def get_in_dataset(
    session: Session, dataset: Dataset, tag_id: str, field: str = "tagId", *, parent: bool = False
) -> Tag:
    """A tag of the dataset (404 otherwise, also for another dataset's tag).

    ``field`` is the request field the id came from (named in the 404's message). ``parent``:
    the tag becomes a new tag's ``prevTagId``, so it is locked against a concurrent delete.
    """
    tag = (
        tag_repo.get_locked(session, tag_id, shared=True)
        if parent
        else tag_repo.get(session, tag_id)
    )
    if tag is None or tag.dataset_id != dataset.id:
        raise TagNotFound(f"{field}: tag {tag_id} does not exist in dataset {dataset.id}")
    return tag


def _name_taken(field: str, name: str) -> TagNameExists:
    return TagNameExists(f"{field}: a tag named {name!r} already exists in this dataset")


def _check_name_free(session: Session, dataset: Dataset, name: str, field: str) -> None:
    if tag_repo.name_taken(session, dataset.id, name):
        raise _name_taken(field, name)


def _insert(session: Session, tag: Tag, field: str) -> None:
    """Add a new tag; a name taken meanwhile (unique per dataset) is a 409, not a 500.

    ``field`` is the request field the name came from (named in the 409's message).
    """
    try:
        tag_repo.add(session, tag)
    except UniqueViolation as exc:
        raise _name_taken(field, tag.name) from exc


def of_dataset(session: Session, user: User, dataset_id: str) -> Sequence[Tag]:
    """All tags of a dataset, oldest first."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return tag_repo.of_dataset(session, dataset.id)


def get(session: Session, user: User, dataset_id: str, tag_id: str) -> Tag:
    """One tag of one of the caller's datasets."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return get_in_dataset(session, dataset, tag_id)


def _check_bitmask(body: TagCreateRequest, n_samples: int) -> None:
    """``totSize`` must equal the number of samples and no bit may lie beyond it: a bitmask
    made for another sample set would silently mark the wrong files."""
    if body.tot_size != n_samples:
        raise InvalidInput(
            f"totSize: {body.tot_size} does not match the dataset's {n_samples} samples"
        )
    if int(body.bit_mask_data, 16).bit_length() > n_samples:
        raise InvalidInput(
            f"bitMaskData: sets bits at or beyond totSize ({n_samples}); bit i marks sample i"
        )


def create(session: Session, user: User, dataset_id: str, body: TagCreateRequest) -> Tag:
    """Create a tag from a bitmask over the dataset's samples."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    get_in_dataset(session, dataset, body.prev_tag_id, "prevTagId", parent=True)
    _check_name_free(session, dataset, body.name, "name")
    n_samples = sample_repo.count(session, dataset.id)
    _check_bitmask(body, n_samples)
    if body.run_id is not None:
        run = run_repo.get(session, body.run_id)
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
    _insert(session, tag, "name")
    return tag


def arithmetics(session: Session, user: User, dataset_id: str, body: TagArithmeticsRequest) -> str:
    """UNION, INTERSECTION or DIFFERENCE of two tags' bitmasks; with ``newTagName`` also saved
    as a tag whose parent is ``tagId1``."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    first = get_in_dataset(session, dataset, body.tag_id1, "tagId1")
    second = get_in_dataset(session, dataset, body.tag_id2, "tagId2")
    bitmask = apply_tag_operation(first.bit_mask_data, second.bit_mask_data, body.operation)
    if body.new_tag_name is not None:
        get_in_dataset(session, dataset, first.id, "tagId1", parent=True)
        _check_name_free(session, dataset, body.new_tag_name, "newTagName")
        tag = Tag(
            dataset_id=dataset.id,
            prev_tag_id=first.id,
            name=body.new_tag_name,
            bit_mask_data=bitmask,
            tot_size=sample_repo.count(session, dataset.id),
        )
        _insert(session, tag, "newTagName")
    return bitmask


def delete(session: Session, user: User, dataset_id: str, tag_id: str) -> None:
    """Delete a leaf tag (lightly: "if it is not a dependency of another tag").

    Owner and collaborators may. Refused with 409: the dataset's root tag (no ``prevTagId``:
    ``initial-tag``, which new tags and the runs' selection tags descend from) and a tag that
    is another tag's ``prevTagId`` (delete the children first). A run's selection tag may be
    deleted: the run and its artifacts stay, it no longer lists the tag.
    """
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    tag = tag_repo.get_locked(session, tag_id)
    if tag is None or tag.dataset_id != dataset.id:
        raise TagNotFound(f"tagId: tag {tag_id} does not exist in dataset {dataset.id}")
    if tag.prev_tag_id is None:
        raise Conflict(
            f"tagId: tag {tag.name!r} is the dataset's root tag (it has no prevTagId; the "
            "other tags descend from it) and cannot be deleted"
        )
    children = tag_repo.children(session, dataset.id, tag.id)
    if children:
        raise Conflict(
            f"tagId: tag {tag.name!r} is the prevTagId of other tags "
            f"({', '.join(repr(c) for c in children)}); only a leaf tag can be deleted, "
            "delete those first"
        )
    tag_repo.delete(session, tag)


def datasource_full_urls(source: Datasource, names: list[str]) -> list[str]:
    """Full datasource locations (``s3://bucket/in/a.png``, ``obs://...``, the LOCAL path)."""
    try:
        store = open_datasource_row(source)
    except StorageError:
        # Types this server cannot open (GCS, AZURE, ...): their fullPath is already the root.
        base = source.full_path.rstrip("/")
        return [f"{base}/{n}" if base else n for n in names]
    return [store.full_url(n) for n in names]


def sample_full_urls(session: Session, samples: Sequence[Sample]) -> list[str]:
    """Each sample's image as a full datasource location (see :func:`datasource_full_urls`):
    an image's INPUT file, a video frame's or crop's extracted image in the LIGHTLY datasource."""
    images = [datasource_service.sample_image(session, s) for s in samples]
    urls: list[str] = [""] * len(images)
    by_source: dict[str, list[int]] = {}
    for i, image in enumerate(images):
        by_source.setdefault(image.source.id, []).append(i)
    # One store per datasource, not one per sample.
    for positions in by_source.values():
        source = images[positions[0]].source
        found = datasource_full_urls(source, [images[i].key for i in positions])
        for i, url in zip(positions, found, strict=True):
            urls[i] = url
    return urls


def export_filenames(
    session: Session,
    user: User,
    dataset_id: str,
    tag_id: str,
    page: Page,
    file_name_format: FileNameFormat,
) -> list[str]:
    """One page of the tag's samples in bit order, as names, full paths or read URLs."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    tag = get_in_dataset(session, dataset, tag_id)
    samples = tag_repo.samples_in(
        session,
        dataset.id,
        bitmask_to_indices(tag.bit_mask_data),
        offset=page.offset,
        limit=page.size,
    )
    if file_name_format == FileNameFormat.DATASOURCE_FULL:
        datasource_service.input_source(session, dataset.id)  # the dataset's files: 404
        return sample_full_urls(session, samples)
    if file_name_format == FileNameFormat.REDIRECTED_READ_URL:
        datasource_service.input_source(session, dataset.id)  # URLs that could only fail: 404
        for sample in samples:
            datasource_service.sample_image(session, sample)  # a frame's LIGHTLY source too
        return [sample_read_url(dataset.id, s.id) for s in samples]
    return [s.file_name for s in samples]
