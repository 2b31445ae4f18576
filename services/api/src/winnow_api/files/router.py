"""Token-free downloads behind signed, expiring URLs (artifact read URLs point here)."""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from winnow_api.deps import SessionDep
from winnow_api.files import service as file_service
from winnow_api.files.service import Download
from winnow_api.params import ArtifactId, DatasetId, RunId, SampleId
from winnow_api.signing import Signed, sample_file_path, verify_signature
from winnow_common.ids import OBJECT_ID_PATTERN

router = APIRouter(tags=["files"])


def _signed(expires: Annotated[int, Query()], signature: Annotated[str, Query()]) -> Signed:
    return Signed(expires, signature)


# ``?expires=&signature=`` of a signed URL (see ``winnow_api.signing``).
SignedDep = Annotated[Signed, Depends(_signed)]

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
    run_id: RunId,
    artifact_id: ArtifactId,
    signed: SignedDep,
    session: SessionDep,
) -> StreamingResponse:
    """Stream an artifact from the run's LIGHTLY datasource, uncompressed."""
    verify_signature(f"/v1/files/runs/{run_id}/artifacts/{artifact_id}", *signed)
    return _stream(file_service.artifact(session, run_id, artifact_id))


@router.get(
    "/v1/files/datasets/{datasetId}/samples/{sampleId}",
    response_class=StreamingResponse,
    responses=FILE_RESPONSE,
)
def download_sample(
    dataset_id: DatasetId,
    sample_id: SampleId,
    signed: SignedDep,
    session: SessionDep,
) -> StreamingResponse:
    """Stream a sample's file from the dataset's INPUT datasource, uncompressed.

    Sample read URLs (``/samples/{id}/readurl``) and ``REDIRECTED_READ_URL`` exports point here.
    """
    verify_signature(sample_file_path(dataset_id, sample_id), *signed)
    return _stream(file_service.sample(session, dataset_id, sample_id))


EmbeddingId = Annotated[str, Path(alias="embeddingId", pattern=OBJECT_ID_PATTERN)]


@router.get(
    "/v1/files/datasets/{datasetId}/embeddings/{embeddingId}",
    response_class=StreamingResponse,
    responses=FILE_RESPONSE,
)
def download_embedding(
    dataset_id: DatasetId,
    embedding_id: EmbeddingId,
    signed: SignedDep,
    session: SessionDep,
) -> StreamingResponse:
    """Stream an embedding's CSV byte for byte as uploaded (or as its run wrote it).

    ``readCSVUrl`` points here (``download_embeddings_csv``, ``append_embeddings``).
    """
    verify_signature(file_service.embedding_file_path(dataset_id, embedding_id), *signed)
    return _stream(file_service.embedding(session, dataset_id, embedding_id))


@router.put(
    "/v1/files/datasets/{datasetId}/embeddings/{embeddingId}/upload",
    status_code=200,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def upload_embedding(
    dataset_id: DatasetId,
    embedding_id: EmbeddingId,
    signed: SignedDep,
    session: SessionDep,
    request: Request,
) -> Response:
    """Receive an embeddings CSV (lightly's ``save_embeddings`` format) at a ``writeCSVUrl``.

    Any content type; the body is the file. A CSV that does not follow the format is a 400
    naming the problem. The dataset gains a sample for every file name it lacked, and the
    embedding becomes processed. Answers 200 with an empty body, as an object store does.
    """
    verify_signature(file_service.embedding_upload_path(dataset_id, embedding_id), *signed)
    data = await request.body()
    await run_in_threadpool(file_service.receive_embedding, session, dataset_id, embedding_id, data)
    return Response(status_code=200)


def _stream(download: Download) -> StreamingResponse:
    """The download response. No ``Content-Encoding``: the lightly client writes the raw
    response stream to disk."""
    media_type = mimetypes.guess_type(download.file_name)[0] or "application/octet-stream"
    return StreamingResponse(
        download.chunks,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(download.file_name)},
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
