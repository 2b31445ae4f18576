"""Download rules: which datasource holds a file, and how a failure to read it is reported."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.datasources import service as datasource_service
from winnow_api.datasources.reading import first_then_rest
from winnow_api.embeddings import service as embedding_service

# Re-exported: the paths of the signed embedding routes, for the router's signature checks.
from winnow_api.embeddings.service import embedding_file_path as embedding_file_path
from winnow_api.embeddings.service import embedding_upload_path as embedding_upload_path
from winnow_common.db.models import Datasource
from winnow_common.db.repositories import artifacts as artifact_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.db.repositories import embeddings as embedding_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import (
    ArtifactNotFound,
    NotFound,
    SampleNotFound,
    WinnowError,
)
from winnow_common.storage import open_datasource_row
from winnow_common.storage.embeddings import open_embedding_csv


@dataclass(frozen=True)
class Download:
    """A file being streamed: its name (for the media type and the attachment) and its bytes
    (the first chunk already read)."""

    file_name: str
    chunks: Iterator[bytes]


def artifact(session: Session, run_id: str, artifact_id: str) -> Download:
    """An artifact of a run, from the run's LIGHTLY datasource."""
    found = artifact_repo.get(session, artifact_id)
    run = run_repo.get(session, run_id)
    if found is None or run is None or found.run_id != run.id:
        raise ArtifactNotFound(f"artifactId: artifact {artifact_id} of run {run_id} does not exist")
    source = datasource_repo.for_purpose(session, run.dataset_id, DatasourcePurpose.LIGHTLY)
    missing = ArtifactNotFound(f"artifactId: the file of artifact {artifact_id} is missing")
    return Download(found.file_name, _open(source, found.storage_key, missing))


def sample(session: Session, dataset_id: str, sample_id: str) -> Download:
    """A sample's image: an IMAGE's file from the dataset's INPUT datasource, a VIDEO_FRAME's
    or CROP's extracted image from its LIGHTLY datasource."""
    found = sample_repo.get(session, sample_id)
    if found is None or found.dataset_id != dataset_id:
        raise SampleNotFound(f"sampleId: sample {sample_id} does not exist in dataset {dataset_id}")
    image = datasource_service.sample_image(session, found)
    missing = SampleNotFound(
        f"sampleId: sample {sample_id}'s file is missing from the "
        f"{image.source.purpose} datasource ({image.key})"
    )
    # A frame or crop is named like its sample; its key adds the LIGHTLY folder.
    return Download(found.file_name, _open(image.source, image.key, missing))


def receive_embedding(session: Session, dataset_id: str, embedding_id: str, data: bytes) -> None:
    """The body PUT to a signed ``writeCSVUrl`` (see ``embedding_service.receive_upload``)."""
    embedding_service.receive_upload(session, dataset_id, embedding_id, data)


def embedding(session: Session, dataset_id: str, embedding_id: str) -> Download:
    """An embedding's CSV, exactly as stored: the platform store for an upload, the dataset's
    LIGHTLY datasource for a run's."""
    found = embedding_repo.get(session, embedding_id)
    if found is None or found.dataset_id != dataset_id:
        raise NotFound(
            f"embeddingId: embedding {embedding_id} does not exist in dataset {dataset_id}"
        )
    missing = NotFound(
        f"embeddingId: the CSV of embedding {embedding_id} has not been uploaded"
        if not found.is_processed
        else f"embeddingId: the CSV of embedding {embedding_id} is missing from storage"
    )
    where = f"the store of embedding {embedding_id} ({found.storage_location})"
    return Download(
        f"{found.name}.csv",
        first_then_rest(lambda: open_embedding_csv(session, found), missing, where),
    )


def _open(source: Datasource, key: str, missing: WinnowError) -> Iterator[bytes]:
    """The file's chunks; reads the first now so a missing object fails before the 200.

    A missing file answers ``missing`` (404); a datasource this server cannot read (a type it
    cannot open, refused credentials, a bad bucket) is a final 404 naming the datasource, not a
    500. Only an outage of the store (``StorageUnavailable``, 503) stays a server error.
    """
    where = f"the {source.purpose} datasource ({source.type})"
    return first_then_rest(lambda: open_datasource_row(source).iter_chunks(key), missing, where)
