"""Token-free downloads behind signed, expiring URLs (artifact read URLs point here)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from winnow_api.deps import SessionDep
from winnow_api.signing import sample_file_path, verify_signature
from winnow_common.db.models import Datasource, Run, RunArtifact, Sample
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import (
    ArtifactNotFound,
    DatasourceNotConfigured,
    DatasourceNotFound,
    ObjectNotFound,
    SampleNotFound,
    StorageError,
    StorageUnavailable,
    WinnowError,
)
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.runs import datasource_for, open_datasource_row

router = APIRouter(tags=["files"])

# The 200 of a download is the file itself, with the media type its name suggests (image/png,
# text/plain, application/pdf, ...; application/octet-stream when unknown), never JSON.
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes (Content-Type from its name).",
        "content": {
            # The first for generated clients (bytes), the second for any type sent.
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "*/*": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/v1/files/runs/{runId}/artifacts/{artifactId}",
    response_class=StreamingResponse,
    responses=FILE_RESPONSE,
)
def download_artifact(
    run_id: Annotated[str, Path(alias="runId", pattern=OBJECT_ID_PATTERN)],
    artifact_id: Annotated[str, Path(alias="artifactId", pattern=OBJECT_ID_PATTERN)],
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query()],
    session: SessionDep,
) -> StreamingResponse:
    """Stream an artifact from the run's LIGHTLY datasource, uncompressed."""
    verify_signature(f"/v1/files/runs/{run_id}/artifacts/{artifact_id}", expires, signature)
    artifact = session.get(RunArtifact, artifact_id)
    run = session.get(Run, run_id)
    if artifact is None or run is None or artifact.run_id != run.id:
        raise ArtifactNotFound(f"artifactId: artifact {artifact_id} of run {run_id} does not exist")
    source = datasource_for(session, run.dataset_id, DatasourcePurpose.LIGHTLY)
    return _stream(
        source,
        artifact.storage_key,
        artifact.file_name,
        ArtifactNotFound(f"artifactId: the file of artifact {artifact_id} is missing"),
    )


@router.get(
    "/v1/files/datasets/{datasetId}/samples/{sampleId}",
    response_class=StreamingResponse,
    responses=FILE_RESPONSE,
)
def download_sample(
    dataset_id: Annotated[str, Path(alias="datasetId", pattern=OBJECT_ID_PATTERN)],
    sample_id: Annotated[str, Path(alias="sampleId", pattern=OBJECT_ID_PATTERN)],
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query()],
    session: SessionDep,
) -> StreamingResponse:
    """Stream a sample's file from the dataset's INPUT datasource, uncompressed.

    Sample read URLs (``/samples/{id}/readurl``) and ``REDIRECTED_READ_URL`` exports point here.
    """
    verify_signature(sample_file_path(dataset_id, sample_id), expires, signature)
    sample = session.get(Sample, sample_id)
    if sample is None or sample.dataset_id != dataset_id:
        raise SampleNotFound(f"sampleId: sample {sample_id} does not exist in dataset {dataset_id}")
    try:
        source = datasource_for(session, dataset_id, DatasourcePurpose.INPUT)
    except DatasourceNotConfigured as exc:
        # Final, not retryable: the file cannot appear until a datasource is configured.
        raise DatasourceNotFound(exc.message) from exc
    return _stream(
        source,
        sample.file_name,
        sample.file_name,
        SampleNotFound(f"sampleId: sample {sample_id}'s file is missing from the INPUT datasource"),
    )


def _stream(
    source: Datasource, key: str, file_name: str, missing: WinnowError
) -> StreamingResponse:
    """A download response; reads the first chunk now so a missing object fails before the 200.

    A missing file answers ``missing`` (404); a datasource this server cannot read (a type it
    cannot open, refused credentials, a bad bucket) is a final 404 naming the datasource, not a
    500. Only an outage of the store (``StorageUnavailable``, 503) stays a server error.
    No ``Content-Encoding``: the lightly client writes the raw response stream to disk.
    """
    try:
        chunks = open_datasource_row(source).iter_chunks(key)
        first = next(chunks, b"")
    except ObjectNotFound as exc:
        raise missing from exc
    except StorageUnavailable:
        raise
    except StorageError as exc:
        raise DatasourceNotFound(
            f"the {source.purpose} datasource ({source.type}) cannot be read: {exc.message}"
        ) from exc
    except ValueError as exc:
        # boto3 refuses the endpoint of a row stored before endpoints were validated on PUT.
        raise DatasourceNotFound(
            f"the {source.purpose} datasource ({source.type}) cannot be opened: {exc}"
        ) from exc

    def body() -> Iterator[bytes]:
        yield first
        yield from chunks

    media_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    return StreamingResponse(
        body(),
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(file_name)},
    )


def content_disposition(file_name: str) -> str:
    """``attachment`` with the file's base name, valid whatever characters the name holds.

    HTTP header values are Latin-1 without control characters, so a sample named ``猫.png`` or
    holding a newline cannot go into ``filename="..."`` as is (the server failed with a 500 or
    dropped the connection). The quoted name is an ASCII fallback; the exact name follows as
    RFC 5987 ``filename*`` (UTF-8, percent-encoded) whenever the two differ.
    """
    name = file_name.rsplit("/", 1)[-1]
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    header = f'attachment; filename="{fallback or "download"}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header
