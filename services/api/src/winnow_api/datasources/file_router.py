"""Token-free downloads of datasource files behind signed, expiring URLs (the ``readUrl`` of
the datasource listing and the ``*/file`` routes point here)."""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from winnow_api.datasources import reading
from winnow_api.datasources import service as datasource_service
from winnow_api.deps import SessionDep
from winnow_api.params import DatasetId
from winnow_api.signing import verify_signature
from winnow_common.errors import NotFound

router = APIRouter(tags=["files"])

_FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes (Content-Type from its name).",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "*/*": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/v1/files/datasets/{datasetId}/datasource/{source}/{key:path}",
    response_class=StreamingResponse,
    responses=_FILE_RESPONSE,
)
def download_datasource_file(
    dataset_id: DatasetId,
    source: Annotated[str, Path(description="input or lightly")],
    key: Annotated[str, Path(description="The file's path in the datasource")],
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query()],
    session: SessionDep,
) -> StreamingResponse:
    """Stream one file of the dataset's INPUT or LIGHTLY datasource, uncompressed."""
    verify_signature(reading.file_path(dataset_id, source, key), expires, signature)
    purpose = reading.FILE_SOURCES.get(source)
    if purpose is None:
        raise NotFound(f"source: {source!r} is not a datasource (input or lightly)")
    opened = reading.open_source(datasource_service.configured_source(session, dataset_id, purpose))
    chunks = reading.stream(opened, key)
    media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return StreamingResponse(chunks, media_type=media_type)
