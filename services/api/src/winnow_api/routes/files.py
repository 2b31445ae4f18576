"""Token-free downloads behind signed, expiring URLs (artifact read URLs point here)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from winnow_api.deps import SessionDep
from winnow_api.signing import sample_file_path, verify_signature
from winnow_common.db.models import Run, RunArtifact, Sample
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import (
    ArtifactNotFound,
    DatasourceNotConfigured,
    DatasourceNotFound,
    SampleNotFound,
)
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
    return _stream(store.iter_chunks(artifact.storage_key), artifact.file_name)


@router.get("/v1/files/datasets/{datasetId}/samples/{sampleId}")
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
        raise SampleNotFound(f"sample {sample_id} does not exist in dataset {dataset_id}")
    try:
        source = datasource_for(session, dataset_id, DatasourcePurpose.INPUT)
    except DatasourceNotConfigured as exc:
        # Final, not retryable: the file cannot appear until a datasource is configured.
        raise DatasourceNotFound(exc.message) from exc
    return _stream(open_datasource_row(source).iter_chunks(sample.file_name), sample.file_name)


def _stream(chunks: Iterator[bytes], file_name: str) -> StreamingResponse:
    """A download response; reads the first chunk now so a missing object fails before the 200.

    No ``Content-Encoding``: the lightly client writes the raw response stream to disk.
    """
    first = next(chunks, b"")

    def body() -> Iterator[bytes]:
        yield first
        yield from chunks

    media_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    filename = file_name.rsplit("/", 1)[-1].replace('"', "")
    return StreamingResponse(
        body(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
