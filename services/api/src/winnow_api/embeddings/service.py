"""Embedding rules: names are unique per dataset; an upload must be a lightly embeddings CSV and
creates the samples it names; a read URL streams the CSV exactly as stored."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.embeddings import upload
from winnow_api.signing import signed_url
from winnow_common.db.models import Dataset, Embedding, User
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import embeddings as embedding_repo
from winnow_common.errors import Conflict, InvalidInput, NotFound
from winnow_common.ids import new_object_id
from winnow_common.schemas.base import NAME_MAX_LENGTH, text_problem
from winnow_common.storage.platform import PLATFORM, uploaded_embedding_key


def embedding_upload_path(dataset_id: str, embedding_id: str) -> str:
    """The path of the signed route that receives an embedding's CSV (``writeCSVUrl``)."""
    return f"/v1/files/datasets/{dataset_id}/embeddings/{embedding_id}/upload"


def embedding_file_path(dataset_id: str, embedding_id: str) -> str:
    """The path of the signed route that streams an embedding's CSV (``readCSVUrl``)."""
    return f"/v1/files/datasets/{dataset_id}/embeddings/{embedding_id}"


def get_in_dataset(
    session: Session, dataset: Dataset, embedding_id: str, field: str = "embeddingId"
) -> Embedding:
    """An embedding of the dataset (404 otherwise, also for another dataset's embedding)."""
    embedding = embedding_repo.get(session, embedding_id)
    if embedding is None or embedding.dataset_id != dataset.id:
        raise NotFound(f"{field}: embedding {embedding_id} does not exist in dataset {dataset.id}")
    return embedding


def get(session: Session, user: User, dataset_id: str, embedding_id: str) -> Embedding:
    """One embedding of a dataset the caller may read (the sampling job's lookup too)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return get_in_dataset(session, dataset, embedding_id)


def of_dataset(session: Session, user: User, dataset_id: str) -> Sequence[Embedding]:
    """The dataset's embeddings, newest first (``set_embedding_id_to_latest`` takes the first)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return embedding_repo.of_dataset(session, dataset.id)


def _check_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise InvalidInput("name: the embedding needs a name (?name=...)")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"name: longer than {NAME_MAX_LENGTH} characters")
    problem = text_problem(name)
    if problem:
        raise InvalidInput(f"name: {problem}")
    return name


def create_for_upload(
    session: Session, user: User, dataset_id: str, name: str | None
) -> tuple[Embedding, str]:
    """A new, unprocessed embedding in the platform store and the signed URL to PUT its CSV to.

    A name already used in the dataset is a 409 (lightly's ``upload_embeddings`` appends a
    timestamp to the name when it finds one).
    """
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    name = _check_name(name)
    taken = Conflict(f"name: an embedding named {name!r} already exists in this dataset")
    if embedding_repo.by_name(session, dataset.id, name) is not None:
        raise taken
    embedding_id = new_object_id()
    embedding = Embedding(
        id=embedding_id,
        dataset_id=dataset.id,
        name=name,
        storage_location=PLATFORM,
        storage_key=uploaded_embedding_key(dataset.id, embedding_id),
        is_processed=False,
    )
    try:
        embedding_repo.add(session, embedding)
    except UniqueViolation as exc:
        raise taken from exc
    return embedding, signed_url(embedding_upload_path(dataset.id, embedding_id))


def read_url(session: Session, user: User, dataset_id: str, embedding_id: str) -> str:
    """A signed, token-free URL that streams the embedding's CSV, byte for byte as stored."""
    embedding = get(session, user, dataset_id, embedding_id)
    return signed_url(embedding_file_path(embedding.dataset_id, embedding.id))


def receive_upload(session: Session, dataset_id: str, embedding_id: str, data: bytes) -> None:
    """The PUT of a signed write URL: check the CSV, store it as sent, add the samples it names
    and mark the embedding processed. A repeated PUT (the client retries) replaces the CSV."""
    embedding = embedding_repo.get(session, embedding_id)
    if embedding is None or embedding.dataset_id != dataset_id:
        raise NotFound(
            f"embeddingId: embedding {embedding_id} does not exist in dataset {dataset_id}"
        )
    if embedding.storage_location != PLATFORM:
        raise Conflict(f"embeddingId: embedding {embedding_id} was written by a run, not uploaded")
    upload.store_and_register(session, embedding, data)
