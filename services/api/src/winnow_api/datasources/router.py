"""Datasource configs: one per (dataset, purpose); secrets encrypted at rest, masked on read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from winnow_api.datasources import listing, reading, relevant, verify
from winnow_api.datasources import service as datasource_service
from winnow_api.datasources.listing import MAX_PAGE_SIZE, PAGE_SIZE, Kind, Listing
from winnow_api.deps import CurrentUser, SessionDep, end_transaction
from winnow_api.params import DatasetId
from winnow_api.signing import signed_url
from winnow_common.enums import DatasourcePurpose
from winnow_common.relevant_files import RelevantFiles
from winnow_common.schemas.wire import (
    DatasourceConfig,
    DatasourceConfigVerifyData,
    datasource_config_from_row,
)
from winnow_common.schemas.wire_listing import (
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    DatasourceRawSamplesData,
    DatasourceRawSamplesDataRow,
    DatasourceRawSamplesMetadataData,
    DatasourceRawSamplesPredictionsData,
    DivideAndConquerCursorData,
)
from winnow_common.storage.keys import USER_EMBEDDINGS_PREFIX
from winnow_common.storage.lightly_inputs import METADATA_DIR, PREDICTIONS_DIR

router = APIRouter(prefix="/v1/datasets/{datasetId}/datasource", tags=["datasources"])


@router.put("", status_code=200, response_class=Response)
def put_datasource(
    dataset_id: DatasetId,
    body: Annotated[DatasourceConfig, Body()],
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """Create or replace the dataset's datasource for ``body.purpose``."""
    datasource_service.put(session, user, dataset_id, body)
    return Response(status_code=200)


@router.get("", response_model=DatasourceConfig, response_model_exclude_none=True)
def get_datasource(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    purpose: Annotated[DatasourcePurpose | None, Query()] = None,
) -> Any:
    """The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked."""
    return datasource_config_from_row(datasource_service.get(session, user, dataset_id, purpose))


@router.get("/verify", response_model=DatasourceConfigVerifyData, response_model_exclude_none=True)
def verify_datasource(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> DatasourceConfigVerifyData:
    """Probe the datasources for real: list and read INPUT, write/overwrite/delete in LIGHTLY.

    Types the workers cannot read (S3DelegatedAccess, LIGHTLY) answer false, with
    the reason in ``errors``.
    """
    sources = datasource_service.sources_to_verify(session, user, dataset_id)
    # The probes may take seconds (or time out): no transaction stays open across them.
    end_transaction(session)
    results, errors = verify.probe(sources)
    return DatasourceConfigVerifyData.from_checks(results, errors)


# --- listing (lightly's download_raw_samples / _metadata / _predictions) --------------------

From = Annotated[
    int | None, Query(alias="from", ge=0, description="Only files modified at or after (s).")
]
To = Annotated[int | None, Query(ge=0, description="Only files modified at or before (s).")]
Cursor = Annotated[str | None, Query(description="From the previous page or from list/dnc.")]
DncShards = Annotated[int, Query(alias="dncShards", ge=1)]
TaskName = Annotated[str, Query(alias="taskName", min_length=1)]
# Winnow extension: lightly's client never sends it (1000 then).
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE)]
# Accepted as lightly sends it; every read URL is a signed, token-free one.
Redirected = Annotated[bool | None, Query(alias="useRedirectedReadUrl")]
RelevantFile = Annotated[
    str | None,
    Query(
        alias="relevantFilenamesFileName",
        min_length=4,
        description="Only files this relevant-filenames file (in the LIGHTLY datasource, "
        "relative to its root) names; metadata and predictions by their sample.",
    ),
]
RelevantRun = Annotated[
    str | None,
    Query(
        alias="relevantFilenamesRunId",
        description="With relevantFilenamesArtifactId: the run whose artifact is the "
        "relevant-filenames file.",
    ),
]
RelevantArtifact = Annotated[
    str | None,
    Query(
        alias="relevantFilenamesArtifactId",
        description="With relevantFilenamesRunId: the artifact used as the relevant-filenames "
        "file.",
    ),
]

_PURPOSE = {
    Kind.SAMPLES: DatasourcePurpose.INPUT,
    Kind.METADATA: DatasourcePurpose.LIGHTLY,
    Kind.PREDICTIONS: DatasourcePurpose.LIGHTLY,
}


def _open(
    session: SessionDep, user: CurrentUser, dataset_id: str, position: Listing
) -> tuple[reading.OpenSource, RelevantFiles | None]:
    """The store to list and the listing's parsed relevant filenames (None: none); the read
    transaction ends before storage is touched."""
    source = datasource_service.source_for(session, user, dataset_id, _PURPOSE[position.kind])
    opened = reading.open_source(source)
    wanted = position.relevant
    ref = None if wanted is None else relevant.locate(session, user, dataset_id, wanted)
    end_transaction(session)
    return opened, None if ref is None else relevant.load(ref)


def _rows(
    session: SessionDep,
    user: CurrentUser,
    dataset_id: str,
    position: Listing,
) -> tuple[list[DatasourceRawSamplesDataRow], str, bool]:
    """One page: rows with signed read URLs, the next cursor, whether more may follow."""
    opened, relevant_files = _open(session, user, dataset_id, position)
    with reading.storage_errors(opened.where):
        found = listing.page(opened.store, position, relevant_files)
    source = "input" if position.kind is Kind.SAMPLES else "lightly"
    rows = [
        DatasourceRawSamplesDataRow(
            file_name=key, read_url=signed_url(reading.file_path(dataset_id, source, key))
        )
        for key in found.keys
    ]
    return rows, listing.encode_cursor(found.next), found.has_more


def _position(
    kind: Kind,
    task: str | None,
    cursor: str | None,
    window: tuple[int | None, int | None, int],
    wanted: relevant.RelevantSource | None,
) -> Listing:
    """The cursor's position, or the first one of the request's filters (``window``: from,
    to, page size)."""
    if cursor:
        return listing.decode_cursor(cursor, kind, task, wanted)
    return listing.start(kind, task, *window, wanted)


def _cursors(
    session: SessionDep, user: CurrentUser, dataset_id: str, first: Listing, shards: int
) -> DivideAndConquerCursorData:
    opened, relevant_files = _open(session, user, dataset_id, first)
    with reading.storage_errors(opened.where):
        ranges = listing.shards(opened.store, first, shards, relevant_files)
    return DivideAndConquerCursorData(cursors=[listing.encode_cursor(r) for r in ranges])


@router.get("/list", response_model=DatasourceRawSamplesData)
def list_raw_samples(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    from_: From = None,
    to: To = None,
    cursor: Cursor = None,
    use_redirected_read_url: Redirected = None,
    relevant_filenames_file_name: RelevantFile = None,
    page_size: PageSize = PAGE_SIZE,
) -> DatasourceRawSamplesData:
    """One page of the INPUT datasource's input images (the files a run would look at)."""
    wanted = relevant.source_of(relevant_filenames_file_name)
    position = _position(Kind.SAMPLES, None, cursor, (from_, to, page_size), wanted)
    rows, next_cursor, more = _rows(session, user, dataset_id, position)
    return DatasourceRawSamplesData(has_more=more, cursor=next_cursor, data=rows)


@router.get("/list/dnc", response_model=DivideAndConquerCursorData)
def list_raw_samples_dnc(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    dnc_shards: DncShards,
    from_: From = None,
    to: To = None,
    relevant_filenames_file_name: RelevantFile = None,
    page_size: PageSize = PAGE_SIZE,
) -> DivideAndConquerCursorData:
    """Cursors of ``dncShards`` key ranges that together list every input image once."""
    wanted = relevant.source_of(relevant_filenames_file_name)
    first = listing.start(Kind.SAMPLES, None, from_, to, page_size, wanted)
    return _cursors(session, user, dataset_id, first, dnc_shards)


@router.get("/metadata/list", response_model=DatasourceRawSamplesMetadataData)
def list_raw_metadata(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    from_: From = None,
    to: To = None,
    cursor: Cursor = None,
    use_redirected_read_url: Redirected = None,
    relevant_filenames_file_name: RelevantFile = None,
    relevant_filenames_run_id: RelevantRun = None,
    relevant_filenames_artifact_id: RelevantArtifact = None,
    page_size: PageSize = PAGE_SIZE,
) -> DatasourceRawSamplesMetadataData:
    """One page of the custom metadata files (``.lightly/metadata/**.json``)."""
    wanted = relevant.source_of(
        relevant_filenames_file_name, relevant_filenames_run_id, relevant_filenames_artifact_id
    )
    position = _position(Kind.METADATA, None, cursor, (from_, to, page_size), wanted)
    rows, next_cursor, more = _rows(session, user, dataset_id, position)
    return DatasourceRawSamplesMetadataData.model_validate(
        {"has_more": more, "cursor": next_cursor, "data": [r.model_dump() for r in rows]}
    )


@router.get("/metadata/list/dnc", response_model=DivideAndConquerCursorData)
def list_raw_metadata_dnc(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    dnc_shards: DncShards,
    from_: From = None,
    to: To = None,
    relevant_filenames_file_name: RelevantFile = None,
    relevant_filenames_run_id: RelevantRun = None,
    relevant_filenames_artifact_id: RelevantArtifact = None,
    page_size: PageSize = PAGE_SIZE,
) -> DivideAndConquerCursorData:
    """Cursors of ``dncShards`` key ranges of the custom metadata files."""
    wanted = relevant.source_of(
        relevant_filenames_file_name, relevant_filenames_run_id, relevant_filenames_artifact_id
    )
    first = listing.start(Kind.METADATA, None, from_, to, page_size, wanted)
    return _cursors(session, user, dataset_id, first, dnc_shards)


@router.get("/predictions/list", response_model=DatasourceRawSamplesPredictionsData)
def list_raw_predictions(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    task_name: TaskName,
    from_: From = None,
    to: To = None,
    cursor: Cursor = None,
    use_redirected_read_url: Redirected = None,
    relevant_filenames_file_name: RelevantFile = None,
    relevant_filenames_run_id: RelevantRun = None,
    relevant_filenames_artifact_id: RelevantArtifact = None,
    page_size: PageSize = PAGE_SIZE,
) -> DatasourceRawSamplesPredictionsData:
    """One page of a task's prediction files (``.lightly/predictions/<taskName>/**.json``)."""
    wanted = relevant.source_of(
        relevant_filenames_file_name, relevant_filenames_run_id, relevant_filenames_artifact_id
    )
    task = listing.check_task_name(task_name)
    position = _position(Kind.PREDICTIONS, task, cursor, (from_, to, page_size), wanted)
    rows, next_cursor, more = _rows(session, user, dataset_id, position)
    return DatasourceRawSamplesPredictionsData.model_validate(
        {"has_more": more, "cursor": next_cursor, "data": [r.model_dump() for r in rows]}
    )


@router.get("/predictions/list/dnc", response_model=DivideAndConquerCursorData)
def list_raw_predictions_dnc(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    task_name: TaskName,
    dnc_shards: DncShards,
    from_: From = None,
    to: To = None,
    relevant_filenames_file_name: RelevantFile = None,
    relevant_filenames_run_id: RelevantRun = None,
    relevant_filenames_artifact_id: RelevantArtifact = None,
    page_size: PageSize = PAGE_SIZE,
) -> DivideAndConquerCursorData:
    """Cursors of ``dncShards`` key ranges of a task's prediction files."""
    wanted = relevant.source_of(
        relevant_filenames_file_name, relevant_filenames_run_id, relevant_filenames_artifact_id
    )
    first = listing.start(
        Kind.PREDICTIONS, listing.check_task_name(task_name), from_, to, page_size, wanted
    )
    return _cursors(session, user, dataset_id, first, dnc_shards)


# --- read URLs of single files in the LIGHTLY datasource ------------------------------------

FileName = Annotated[str, Query(alias="fileName", min_length=1)]


def _read_url(
    session: SessionDep, user: CurrentUser, dataset_id: str, folder: str, file_name: str
) -> str:
    key = reading.folder_key(folder, file_name)
    datasource_service.source_for(session, user, dataset_id, DatasourcePurpose.LIGHTLY)
    return signed_url(reading.file_path(dataset_id, "lightly", key))


@router.get("/metadata/file", response_model=str)
def metadata_file_read_url(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, file_name: FileName
) -> str:
    """A signed read URL of ``.lightly/metadata/{fileName}`` (whether or not it exists)."""
    return _read_url(session, user, dataset_id, METADATA_DIR, file_name)


@router.get("/predictions/file", response_model=str)
def prediction_file_read_url(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, file_name: FileName
) -> str:
    """A signed read URL of ``.lightly/predictions/{fileName}`` (whether or not it exists)."""
    return _read_url(session, user, dataset_id, PREDICTIONS_DIR, file_name)


@router.get("/embeddings/file", response_model=str)
def custom_embedding_file_read_url(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, file_name: FileName
) -> str:
    """A signed read URL of ``.lightly/embeddings/{fileName}`` (whether or not it exists)."""
    return _read_url(session, user, dataset_id, USER_EMBEDDINGS_PREFIX, file_name)


# --- processedUntilTimestamp (download_new_raw_samples) -------------------------------------


@router.get("/processedUntilTimestamp", response_model=DatasourceProcessedUntilTimestampResponse)
def get_processed_until_timestamp(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> DatasourceProcessedUntilTimestampResponse:
    """How far the datasource has been processed (epoch seconds; 0 when never)."""
    return DatasourceProcessedUntilTimestampResponse(
        processed_until_timestamp=datasource_service.processed_until(session, user, dataset_id)
    )


@router.put("/processedUntilTimestamp", status_code=200, response_class=Response)
def update_processed_until_timestamp(
    dataset_id: DatasetId,
    body: Annotated[DatasourceProcessedUntilTimestampRequest, Body()],
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """Record how far the datasource has been processed (epoch seconds)."""
    datasource_service.set_processed_until(
        session, user, dataset_id, body.processed_until_timestamp
    )
    return Response(status_code=200)
