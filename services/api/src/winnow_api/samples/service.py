"""Sample rules: a sample is reached through its dataset; its file name never changes.

Samples exist only once a run has put them into the dataset; ``idx`` is a sample's bit in tag
bitmasks, so every listing here is ordered by ``idx``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.datasources import service as datasource_service
from winnow_api.pagination import Page
from winnow_api.samples import lightly_inputs
from winnow_common.db.models import Dataset, Sample, User
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.errors import InvalidInput, SampleNotFound
from winnow_common.schemas.wire import SampleUpdateRequest
from winnow_common.storage.lightly_inputs import metadata_document, metadata_key


def get_in_dataset(session: Session, dataset: Dataset, sample_id: str) -> Sample:
    """A sample of the dataset (404 otherwise, also for another dataset's sample)."""
    sample = sample_repo.get(session, sample_id)
    if sample is None or sample.dataset_id != dataset.id:
        raise SampleNotFound(f"sampleId: sample {sample_id} does not exist in dataset {dataset.id}")
    return sample


def mappings(
    session: Session,
    user: User,
    dataset_id: str,
    page: Page,
    field: Literal["fileName", "_id"],
) -> list[str]:
    """One value per sample in bit order (file name or id); ``[]`` past the end."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return sample_repo.mapping(session, dataset.id, field, offset=page.offset, limit=page.size)


def partial(session: Session, user: User, dataset_id: str, page: Page) -> Sequence[Sample]:
    """One page of the dataset's samples in bit order."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return sample_repo.page(session, dataset.id, offset=page.offset, limit=page.size)


def readable(session: Session, user: User, dataset_id: str, sample_id: str) -> Sample:
    """The sample, once it is sure the datasource holding its image is configured (INPUT for
    an image, LIGHTLY for a video frame or a crop).

    A URL that can only fail is worse than a final 404 now.
    """
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    sample = get_in_dataset(session, dataset, sample_id)
    datasource_service.sample_image(session, sample)
    return sample


def update(
    session: Session, user: User, dataset_id: str, sample_id: str, body: SampleUpdateRequest
) -> None:
    """Store the sample's custom metadata (its ``.lightly/metadata/`` file and the row's copy);
    ``fileName`` cannot change (it is the sample's key in the INPUT datasource)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    sample = get_in_dataset(session, dataset, sample_id)
    if body.file_name is not None and body.file_name != sample.file_name:
        raise InvalidInput("fileName: a sample's fileName cannot be changed")
    if body.custom_meta_data is not None:
        custom: dict[str, Any] = dict(body.custom_meta_data)
        sample_repo.set_custom_meta_data(session, sample, custom)
        _write_metadata_file(session, sample, custom)


def _write_metadata_file(session: Session, sample: Sample, custom: dict[str, Any]) -> None:
    """The one store of custom metadata: the sample's ``.lightly/metadata/`` file in the
    LIGHTLY datasource (Lightly's format), which runs and reports read. The row keeps a copy
    for the API's listings; a dataset without a LIGHTLY datasource keeps only the row."""
    source = lightly_inputs.lightly_source(session, sample.dataset_id)
    if source is None:
        return
    document = metadata_document(sample.file_name, custom)
    store = lightly_inputs.open_source(source)
    lightly_inputs.write_json(store, metadata_key(sample.file_name), document)
