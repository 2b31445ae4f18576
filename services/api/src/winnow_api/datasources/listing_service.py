"""The listing rules as the routes use them: which datasource a listing reads, one page of it
with signed read URLs, divide-and-conquer cursors, and read URLs of single LIGHTLY files.

``prepare`` reads the database; the route then ends the transaction before ``page`` or
``cursors`` touch storage (a listing may take seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.datasources import listing, reading, relevant
from winnow_api.datasources import service as datasource_service
from winnow_api.datasources.listing import Kind, Listing
from winnow_api.signing import signed_url
from winnow_common.db.models import User
from winnow_common.enums import DatasourcePurpose
from winnow_common.relevant_files import RelevantFiles
from winnow_common.schemas.wire_listing import DatasourceRawSamplesDataRow

_PURPOSE = {
    Kind.SAMPLES: DatasourcePurpose.INPUT,
    Kind.METADATA: DatasourcePurpose.LIGHTLY,
    Kind.PREDICTIONS: DatasourcePurpose.LIGHTLY,
}


@dataclass(frozen=True)
class Filters:
    """The query of a listing request: time window (epoch s), relevant filenames, page size."""

    start_s: int | None
    end_s: int | None
    relevant: relevant.RelevantSource | None
    page_size: int


@dataclass(frozen=True)
class Page:
    """One page of a listing: rows with signed read URLs, the next cursor, whether more may
    follow."""

    rows: list[DatasourceRawSamplesDataRow]
    cursor: str
    has_more: bool


def position(kind: Kind, task: str | None, cursor: str | None, filters: Filters) -> Listing:
    """Where a request starts: its cursor's position, or the first one of its filters."""
    if cursor:
        return listing.decode_cursor(cursor, kind, task, filters.relevant)
    return first(kind, task, filters)


def first(kind: Kind, task: str | None, filters: Filters) -> Listing:
    """The first position of a listing with the request's filters."""
    return listing.start(
        kind, task, filters.start_s, filters.end_s, filters.page_size, filters.relevant
    )


@dataclass(frozen=True)
class Prepared:
    """What a listing needs from the database, read before storage is touched: the store to
    list and where its relevant-filenames file lies (None: no filter)."""

    dataset_id: str
    where: Listing
    source: reading.OpenSource
    relevant: relevant.RelevantRef | None


def prepare(session: Session, user: User, dataset_id: str, where: Listing) -> Prepared:
    """Check access and find the datasource (and relevant-filenames file) of a listing. The
    caller ends the transaction before ``page``/``cursors`` reach storage."""
    source = datasource_service.source_for(session, user, dataset_id, _PURPOSE[where.kind])
    opened = reading.open_source(source)
    wanted = where.relevant
    ref = None if wanted is None else relevant.locate(session, user, dataset_id, wanted)
    return Prepared(dataset_id, where, opened, ref)


def _relevant_files(prepared: Prepared) -> RelevantFiles | None:
    return None if prepared.relevant is None else relevant.load(prepared.relevant)


def page(prepared: Prepared) -> Page:
    """One page of the prepared listing (storage only)."""
    relevant_files = _relevant_files(prepared)
    with reading.storage_errors(prepared.source.where):
        found = listing.page(prepared.source.store, prepared.where, relevant_files)
    source = "input" if prepared.where.kind is Kind.SAMPLES else "lightly"
    rows = [
        DatasourceRawSamplesDataRow(
            file_name=key,
            read_url=signed_url(reading.file_path(prepared.dataset_id, source, key)),
        )
        for key in found.keys
    ]
    return Page(rows, listing.encode_cursor(found.next), found.has_more)


def cursors(prepared: Prepared, shards: int) -> list[str]:
    """Cursors of ``shards`` key ranges that together list every file of the prepared listing
    once (storage only)."""
    relevant_files = _relevant_files(prepared)
    with reading.storage_errors(prepared.source.where):
        ranges = listing.shards(prepared.source.store, prepared.where, shards, relevant_files)
    return [listing.encode_cursor(r) for r in ranges]


def lightly_file_read_url(
    session: Session, user: User, dataset_id: str, folder: str, file_name: str
) -> str:
    """A signed read URL of ``folder/file_name`` in the LIGHTLY datasource (whether or not the
    file exists, as lightly's routes do; 400 naming ``fileName`` when it leaves ``folder``)."""
    key = reading.folder_key(folder, file_name)
    datasource_service.source_for(session, user, dataset_id, DatasourcePurpose.LIGHTLY)
    return signed_url(reading.file_path(dataset_id, "lightly", key))
