"""Datasource rules: one config per (dataset, purpose), secrets encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_common.db.models import Datasource, Sample, User
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.enums import DatasourcePurpose, SampleType
from winnow_common.errors import DatasetNotFound, DatasourceNotConfigured, DatasourceNotFound
from winnow_common.schemas.wire import (
    DATASOURCE_BASE_FIELDS,
    DATASOURCE_SECRET_FIELDS,
    DatasourceConfig,
)
from winnow_common.secretbox import encrypt_secrets
from winnow_common.storage.keys import crop_image_key, frame_image_key


def _row_values(body: DatasourceConfig) -> dict[str, Any]:
    """The columns of a datasource row for a config: type-specific fields become options,
    secret fields are encrypted."""
    wire = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    secret_keys = DATASOURCE_SECRET_FIELDS[body.type]
    secrets = {k: str(wire[k]) for k in secret_keys if k in wire}
    return {
        "type": body.type,
        "full_path": body.full_path,
        "thumb_suffix": body.thumb_suffix,
        "options": {
            k: v
            for k, v in wire.items()
            if k not in DATASOURCE_BASE_FIELDS and k not in secret_keys
        },
        "secrets_encrypted": encrypt_secrets(secrets),
    }


def put(session: Session, user: User, dataset_id: str, body: DatasourceConfig) -> None:
    """Create or replace the dataset's datasource for ``body.purpose`` (owner only: 403)."""
    dataset = dataset_service.get_owned(session, user, dataset_id, "change its datasources")
    values = _row_values(body)
    source = datasource_repo.get(session, dataset.id, body.purpose)
    if source is None:
        try:
            datasource_repo.add(
                session, Datasource(dataset_id=dataset.id, purpose=body.purpose, **values)
            )
            return
        except UniqueViolation as exc:
            # Another request created this purpose's row meanwhile (unique per dataset and
            # purpose): replace it, as a PUT does, instead of failing with a 500. No row: the
            # dataset itself was deleted meanwhile (foreign key).
            source = datasource_repo.get(session, dataset.id, body.purpose)
            if source is None:
                raise DatasetNotFound(dataset.id) from exc
    for key, value in values.items():
        setattr(source, key, value)
    session.flush()


def get(
    session: Session, user: User, dataset_id: str, purpose: DatasourcePurpose | None
) -> Datasource:
    """The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    rows = datasource_repo.by_purpose(session, dataset.id)
    wanted = [purpose.value] if purpose else ["INPUT_OUTPUT", "INPUT"]
    source = next((rows[p] for p in wanted if p in rows), None)
    if source is None:
        raise DatasourceNotFound(f"dataset {dataset.id} has no {' or '.join(wanted)} datasource")
    return source


def input_source(session: Session, dataset_id: str) -> Datasource:
    """The datasource samples are read from; a final 404 (``DatasourceNotFound``) when none
    is configured (not a 400: the client retries 400s on paginated routes for half a minute,
    and the file cannot appear until a datasource is configured)."""
    try:
        return datasource_repo.for_purpose(session, dataset_id, DatasourcePurpose.INPUT)
    except DatasourceNotConfigured as exc:
        raise DatasourceNotFound(exc.message) from exc


@dataclass(frozen=True)
class SampleImage:
    """Where a sample's image lives: a datasource of its dataset and the key in it."""

    source: Datasource
    key: str


def image_key(sample: Sample) -> tuple[DatasourcePurpose, str]:
    """The datasource purpose and key of a sample's image: an IMAGE is its file in the INPUT
    datasource; a VIDEO_FRAME or CROP is the image its run extracted into the LIGHTLY one
    (the INPUT datasource holds only the video or the full image)."""
    if sample.type == SampleType.VIDEO_FRAME:
        return DatasourcePurpose.LIGHTLY, frame_image_key(sample.file_name)
    if sample.type == SampleType.CROP:
        return DatasourcePurpose.LIGHTLY, crop_image_key(sample.file_name)
    return DatasourcePurpose.INPUT, sample.file_name


def sample_image(session: Session, sample: Sample) -> SampleImage:
    """The datasource and key of the sample's image; a final 404 when the datasource holding
    it is not configured."""
    purpose, key = image_key(sample)
    if purpose == DatasourcePurpose.INPUT:
        return SampleImage(input_source(session, sample.dataset_id), key)
    return SampleImage(configured_source(session, sample.dataset_id, purpose), key)


@dataclass(frozen=True)
class VerifySources:
    """The datasources a verification probes (INPUT_OUTPUT serves as either)."""

    input: Datasource | None
    lightly: Datasource | None


def sources_to_verify(session: Session, user: User, dataset_id: str) -> VerifySources:
    """The dataset's INPUT and LIGHTLY datasources (404 when it has no datasource at all)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    rows = datasource_repo.by_purpose(session, dataset.id)
    if not rows:
        raise DatasourceNotFound(f"dataset {dataset.id} has no datasource")
    both = rows.get(DatasourcePurpose.INPUT_OUTPUT.value)
    return VerifySources(
        input=rows.get(DatasourcePurpose.INPUT.value) or both,
        lightly=rows.get(DatasourcePurpose.LIGHTLY.value) or both,
    )


def configured_source(session: Session, dataset_id: str, purpose: DatasourcePurpose) -> Datasource:
    """The datasource serving ``purpose`` (INPUT_OUTPUT serves both); a final 404 naming
    ``datasetId`` when the dataset has none."""
    try:
        return datasource_repo.for_purpose(session, dataset_id, purpose)
    except DatasourceNotConfigured as exc:
        raise DatasourceNotFound(f"datasetId: {exc.message}") from exc


def source_for(
    session: Session, user: User, dataset_id: str, purpose: DatasourcePurpose
) -> Datasource:
    """The caller's dataset's datasource serving ``purpose`` (404 naming ``datasetId``)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return configured_source(session, dataset.id, purpose)


def processed_until(session: Session, user: User, dataset_id: str) -> int:
    """How far ``download_new_raw_samples`` has read the datasource (epoch seconds)."""
    return dataset_service.get_accessible(session, user, dataset_id).processed_until_timestamp


def set_processed_until(session: Session, user: User, dataset_id: str, timestamp: int) -> None:
    """Record how far the datasource has been processed (epoch seconds)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    dataset.processed_until_timestamp = timestamp
    session.flush()
