"""Listing a dataset's datasources (lightly's ``download_raw_samples`` / ``_metadata`` /
``_predictions`` and their divide-and-conquer shards), read URLs of single LIGHTLY files, and
``processedUntilTimestamp`` (``download_new_raw_samples``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from winnow_api.datasources import listing, relevant
from winnow_api.datasources import listing_service as listings
from winnow_api.datasources import service as datasource_service
from winnow_api.datasources.listing import MAX_PAGE_SIZE, PAGE_SIZE, Kind
from winnow_api.deps import CurrentUser, SessionDep, end_transaction
from winnow_api.params import DatasetId
from winnow_common.schemas.wire_listing import (
    DatasourceProcessedUntilTimestampRequest,
    DatasourceProcessedUntilTimestampResponse,
    DatasourceRawSamplesData,
    DatasourceRawSamplesMetadataData,
    DatasourceRawSamplesPredictionsData,
    DivideAndConquerCursorData,
)
from winnow_common.storage.keys import USER_EMBEDDINGS_PREFIX
from winnow_common.storage.lightly_inputs import METADATA_DIR, PREDICTIONS_DIR

router = APIRouter(prefix="/v1/datasets/{datasetId}/datasource", tags=["datasources"])

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
FileName = Annotated[str, Query(alias="fileName", min_length=1)]


def _sample_filters(
    from_: From = None,
    to: To = None,
    relevant_filenames_file_name: RelevantFile = None,
    page_size: PageSize = PAGE_SIZE,
) -> listings.Filters:
    """The filters of the input-image listing (a relevant-filenames file only, as lightly's)."""
    return listings.Filters(from_, to, relevant.source_of(relevant_filenames_file_name), page_size)


def _file_filters(
    from_: From = None,
    to: To = None,
    relevant_filenames_file_name: RelevantFile = None,
    relevant_filenames_run_id: RelevantRun = None,
    relevant_filenames_artifact_id: RelevantArtifact = None,
    page_size: PageSize = PAGE_SIZE,
) -> listings.Filters:
    """The filters of the metadata and prediction listings (a file, or a run's artifact)."""
    wanted = relevant.source_of(
        relevant_filenames_file_name, relevant_filenames_run_id, relevant_filenames_artifact_id
    )
    return listings.Filters(from_, to, wanted, page_size)


SampleFilters = Annotated[listings.Filters, Depends(_sample_filters)]
FileFilters = Annotated[listings.Filters, Depends(_file_filters)]


def _page(
    session: SessionDep, user: CurrentUser, dataset_id: str, where: listing.Listing
) -> dict[str, Any]:
    """One page as the wire's ``{hasMore, cursor, data}`` fields."""
    prepared = listings.prepare(session, user, dataset_id, where)
    end_transaction(session)  # listing storage may take seconds
    found = listings.page(prepared)
    # Rows as dicts: each listing has its own row model of the same fields.
    rows = [row.model_dump() for row in found.rows]
    return {"has_more": found.has_more, "cursor": found.cursor, "data": rows}


def _cursors(
    session: SessionDep, user: CurrentUser, dataset_id: str, start: listing.Listing, shards: int
) -> DivideAndConquerCursorData:
    prepared = listings.prepare(session, user, dataset_id, start)
    end_transaction(session)
    return DivideAndConquerCursorData(cursors=listings.cursors(prepared, shards))


@router.get("/list", response_model=DatasourceRawSamplesData)
def list_raw_samples(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    filters: SampleFilters,
    cursor: Cursor = None,
    use_redirected_read_url: Redirected = None,
) -> DatasourceRawSamplesData:
    """One page of the INPUT datasource's input images (the files a run would look at)."""
    where = listings.position(Kind.SAMPLES, None, cursor, filters)
    return DatasourceRawSamplesData.model_validate(_page(session, user, dataset_id, where))


@router.get("/list/dnc", response_model=DivideAndConquerCursorData)
def list_raw_samples_dnc(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    dnc_shards: DncShards,
    filters: SampleFilters,
) -> DivideAndConquerCursorData:
    """Cursors of ``dncShards`` key ranges that together list every input image once."""
    start = listings.first(Kind.SAMPLES, None, filters)
    return _cursors(session, user, dataset_id, start, dnc_shards)


@router.get("/metadata/list", response_model=DatasourceRawSamplesMetadataData)
def list_raw_metadata(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    filters: FileFilters,
    cursor: Cursor = None,
    use_redirected_read_url: Redirected = None,
) -> DatasourceRawSamplesMetadataData:
    """One page of the custom metadata files (``.lightly/metadata/**.json``)."""
    where = listings.position(Kind.METADATA, None, cursor, filters)
    return DatasourceRawSamplesMetadataData.model_validate(_page(session, user, dataset_id, where))


@router.get("/metadata/list/dnc", response_model=DivideAndConquerCursorData)
def list_raw_metadata_dnc(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    dnc_shards: DncShards,
    filters: FileFilters,
) -> DivideAndConquerCursorData:
    """Cursors of ``dncShards`` key ranges of the custom metadata files."""
    start = listings.first(Kind.METADATA, None, filters)
    return _cursors(session, user, dataset_id, start, dnc_shards)


@router.get("/predictions/list", response_model=DatasourceRawSamplesPredictionsData)
def list_raw_predictions(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    task_name: TaskName,
    filters: FileFilters,
    cursor: Cursor = None,
    use_redirected_read_url: Redirected = None,
) -> DatasourceRawSamplesPredictionsData:
    """One page of a task's prediction files (``.lightly/predictions/<taskName>/**.json``)."""
    task = listing.check_task_name(task_name)
    where = listings.position(Kind.PREDICTIONS, task, cursor, filters)
    return DatasourceRawSamplesPredictionsData.model_validate(
        _page(session, user, dataset_id, where)
    )


@router.get("/predictions/list/dnc", response_model=DivideAndConquerCursorData)
def list_raw_predictions_dnc(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    task_name: TaskName,
    dnc_shards: DncShards,
    filters: FileFilters,
) -> DivideAndConquerCursorData:
    """Cursors of ``dncShards`` key ranges of a task's prediction files."""
    start = listings.first(Kind.PREDICTIONS, listing.check_task_name(task_name), filters)
    return _cursors(session, user, dataset_id, start, dnc_shards)


# --- read URLs of single files in the LIGHTLY datasource ------------------------------------


@router.get("/metadata/file", response_model=str)
def metadata_file_read_url(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, file_name: FileName
) -> str:
    """A signed read URL of ``.lightly/metadata/{fileName}`` (whether or not it exists)."""
    return listings.lightly_file_read_url(session, user, dataset_id, METADATA_DIR, file_name)


@router.get("/predictions/file", response_model=str)
def prediction_file_read_url(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, file_name: FileName
) -> str:
    """A signed read URL of ``.lightly/predictions/{fileName}`` (whether or not it exists)."""
    return listings.lightly_file_read_url(session, user, dataset_id, PREDICTIONS_DIR, file_name)


@router.get("/embeddings/file", response_model=str)
def custom_embedding_file_read_url(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, file_name: FileName
) -> str:
    """A signed read URL of ``.lightly/embeddings/{fileName}`` (whether or not it exists)."""
    return listings.lightly_file_read_url(
        session, user, dataset_id, USER_EMBEDDINGS_PREFIX, file_name
    )


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
