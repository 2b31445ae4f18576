"""The crops dataset of an object-level run: found or created, and reading the parent's storage.

Lightly uploads the crops of an object-level run into a dataset of type ``Crops`` (named
``<dataset>-crops`` unless the config names it) whose ``parentDatasetId`` is the run's dataset.
Its samples' images live in the same LIGHTLY datasource as the parent's (``.lightly/crops/``),
so the crops dataset carries a copy of the parent's datasource configuration: read URLs,
exports and later runs of it reach the same buckets.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from winnow_common.db.models import Dataset, Datasource
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.enums import DatasetType
from winnow_common.errors import PipelineError
from winnow_common.schemas.base import NAME_MAX_LENGTH

CROPS_SUFFIX = "-crops"

# The columns that make a datasource configuration (besides its dataset and purpose).
_CONFIG_COLUMNS = ("type", "full_path", "thumb_suffix", "options", "secrets_encrypted")


def default_name(parent_name: str) -> str:
    """``<dataset name>-crops``, the parent's name shortened so the result is a valid name."""
    return f"{parent_name[: NAME_MAX_LENGTH - len(CROPS_SUFFIX)]}{CROPS_SUFFIX}"


def get_or_create(session: Session, parent: Dataset, name: str | None) -> Dataset:
    """The owner's ``Crops`` dataset ``name`` (None: ``<parent>-crops``) of ``parent``, created
    on the first object-level run, with the parent's datasource configuration copied.

    A dataset of that name that is not a crops dataset of ``parent`` is never written into:
    ``PipelineError`` (the run fails naming it) instead.
    """
    name = name or default_name(parent.name)
    found = dataset_repo.by_name(session, parent.user_id, name)
    if found is None:
        found = Dataset(
            user_id=parent.user_id,
            name=name,
            type=DatasetType.CROPS.value,
            img_type=parent.img_type,
            parent_dataset_id=parent.id,
        )
        try:
            dataset_repo.add(session, found)
        except UniqueViolation:
            # Another dataset's run created the name meanwhile: use it if it may be used.
            found = dataset_repo.by_name(session, parent.user_id, name)
            assert found is not None
    _check_usable(found, parent)
    if found.parent_dataset_id is None:
        found.parent_dataset_id = parent.id  # a Crops dataset the user created beforehand
    copy_datasources(session, parent.id, found.id)
    session.flush()
    return found


def _check_usable(found: Dataset, parent: Dataset) -> None:
    if found.type != DatasetType.CROPS.value:
        raise PipelineError(
            f"cropDatasetName: dataset {found.name!r} already exists and is of type "
            f"{found.type!r}, not 'Crops'; name another crop dataset "
            "(docker.objectLevel.cropDatasetName) or rename that dataset"
        )
    if found.parent_dataset_id not in (None, parent.id):
        raise PipelineError(
            f"cropDatasetName: dataset {found.name!r} holds the crops of another dataset "
            f"({found.parent_dataset_id}), not of {parent.name!r}; name another crop dataset "
            "(docker.objectLevel.cropDatasetName)"
        )


def copy_datasources(session: Session, parent_id: str, crops_id: str) -> None:
    """Make the crops dataset's datasource rows equal the parent's (same purposes, same
    configuration): updated on every run, so a changed parent datasource is followed."""
    wanted = datasource_repo.by_purpose(session, parent_id)
    current = datasource_repo.by_purpose(session, crops_id)
    for purpose, row in current.items():
        if purpose not in wanted:
            datasource_repo.delete(session, row)
    for purpose, source in wanted.items():
        copy = current.get(purpose)
        if copy is None:
            copy = Datasource(dataset_id=crops_id, purpose=purpose)
            session.add(copy)
        for column in _CONFIG_COLUMNS:
            setattr(copy, column, getattr(source, column))
    session.flush()
