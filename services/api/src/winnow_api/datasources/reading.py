"""Reaching a datasource's storage for the listing routes: opening it, mapping its failures to
HTTP, signed token-free read URLs of its files and streaming them.

A datasource this server cannot read (a type it cannot open, refused credentials, a missing
bucket or directory) is a final 404 naming ``datasetId``, not a 500; only an outage of the store
(``StorageUnavailable``, 503) stays a server error.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from winnow_common.db.models import Datasource
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import (
    BadRequest,
    DatasourceNotFound,
    NotFound,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    WinnowError,
)
from winnow_common.storage import DatasourceStore, open_datasource_row

# The ``{source}`` of a signed file URL and the datasource purpose it reads from.
FILE_SOURCES = {"input": DatasourcePurpose.INPUT, "lightly": DatasourcePurpose.LIGHTLY}


@dataclass(frozen=True)
class OpenSource:
    """A datasource's store and how messages name it (no database access needed any more)."""

    store: DatasourceStore
    where: str


@contextmanager
def storage_errors(where: str) -> Iterator[None]:
    """Map a failure to reach the datasource ``where`` names to a 404 naming ``datasetId``
    (outages stay 503)."""
    try:
        yield
    except StorageUnavailable:
        raise
    except StorageError as exc:
        raise DatasourceNotFound(f"{where} cannot be read: {exc.message}") from exc
    except ValueError as exc:
        # boto3 refuses the endpoint of a row stored before endpoints were validated on PUT.
        raise DatasourceNotFound(f"{where} cannot be opened: {exc}") from exc


def open_source(source: Datasource) -> OpenSource:
    """The store of ``source`` (see :func:`storage_errors` for failures)."""
    where = f"datasetId: the dataset's {source.purpose} datasource ({source.type})"
    with storage_errors(where):
        return OpenSource(open_datasource_row(source), where)


def folder_key(folder: str, file_name: str) -> str:
    """``folder`` + ``fileName`` of a ``*/file`` route, refusing names that leave the folder
    (400 naming ``fileName``)."""
    parts = file_name.split("/")
    if (
        not file_name
        or file_name.startswith("/")
        or "\\" in file_name
        or "\x00" in file_name
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise BadRequest(f"fileName: {file_name!r} must be a relative path inside {folder}")
    return posixpath.join(folder, file_name)


def file_path(dataset_id: str, source: str, key: str) -> str:
    """The path of the signed route streaming ``key`` of the dataset's ``source`` datasource
    (``input`` or ``lightly``); the key is percent-encoded, ``/`` kept."""
    return f"/v1/files/datasets/{dataset_id}/datasource/{source}/{quote(key, safe='/')}"


def first_then_rest(
    open_chunks: Callable[[], Iterator[bytes]], missing: WinnowError, where: str
) -> Iterator[bytes]:
    """Open a file's chunks and read the first now, so a missing file answers ``missing`` (404)
    and an unreadable datasource a 404 naming ``where`` before the 200 starts (see
    :func:`storage_errors`)."""
    with storage_errors(where):
        try:
            chunks = open_chunks()
            first = next(chunks, b"")
        except ObjectNotFound as exc:
            raise missing from exc

    def body() -> Iterator[bytes]:
        yield first
        yield from chunks

    return body()


def stream(source: OpenSource, key: str) -> Iterator[bytes]:
    """The file's chunks (a missing file is a 404 naming ``fileName``)."""
    missing = NotFound(f"fileName: {key!r} does not exist in the datasource")
    return first_then_rest(lambda: source.store.iter_chunks(key), missing, source.where)
