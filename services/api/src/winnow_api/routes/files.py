"""Token-free downloads behind signed, expiring URLs (artifact read URLs point here)."""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from winnow_api.deps import SessionDep
from winnow_api.signing import verify_signature
from winnow_common.db.models import Run, RunArtifact
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import ArtifactNotFound
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.runs import datasource_for, open_datasource_row

router = APIRouter(tags=["files"])


@router.get("/v1/files/runs/{runId}/artifacts/{artifactId}")
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
        raise ArtifactNotFound(f"artifact {artifact_id} of run {run_id} does not exist")
    store = open_datasource_row(datasource_for(session, run.dataset_id, DatasourcePurpose.LIGHTLY))
    chunks = store.iter_chunks(artifact.storage_key)
    first = next(chunks, b"")  # fail before the 200 is sent if the object is missing

    def body() -> object:
        yield first
        yield from chunks

    media_type = mimetypes.guess_type(artifact.file_name)[0] or "application/octet-stream"
    filename = artifact.file_name.rsplit("/", 1)[-1]
    return StreamingResponse(
        body(),  # type: ignore[arg-type]
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
