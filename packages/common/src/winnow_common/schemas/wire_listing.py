"""Wire models of the datasource listing: pages of files with read URLs, divide-and-conquer
cursors, and the dataset's ``processedUntilTimestamp``."""

from __future__ import annotations

from pydantic import Field, StrictInt

from winnow_common.schemas.base import WireRequest, WireResponse


class DatasourceRawSamplesDataRow(WireResponse):
    """A file of the INPUT datasource and a token-free URL to read it."""

    file_name: str
    read_url: str


class DatasourceRawSamplesMetadataDataRow(DatasourceRawSamplesDataRow):
    """A custom metadata file (``.lightly/metadata/...``) and its read URL."""


class DatasourceRawSamplesPredictionsDataRow(DatasourceRawSamplesDataRow):
    """A prediction file (``.lightly/predictions/<task>/...``) and its read URL."""


class DatasourceRawSamplesData(WireResponse):
    """One page of raw samples; pass ``cursor`` back while ``hasMore``."""

    has_more: bool
    cursor: str
    data: list[DatasourceRawSamplesDataRow]


class DatasourceRawSamplesMetadataData(WireResponse):
    """One page of custom metadata files; pass ``cursor`` back while ``hasMore``."""

    has_more: bool
    cursor: str
    data: list[DatasourceRawSamplesMetadataDataRow]


class DatasourceRawSamplesPredictionsData(WireResponse):
    """One page of prediction files; pass ``cursor`` back while ``hasMore``."""

    has_more: bool
    cursor: str
    data: list[DatasourceRawSamplesPredictionsDataRow]


class DivideAndConquerCursorData(WireResponse):
    """One cursor per shard of a listing; the shards together list every file once."""

    cursors: list[str]


class DatasourceProcessedUntilTimestampRequest(WireRequest):
    """How far the datasource has been processed (epoch seconds).

    Strict (``false`` is not 0), as lightly's model; at most 2**53 (exact as a JSON number,
    inside the column's BIGINT)."""

    processed_until_timestamp: StrictInt = Field(ge=0, le=2**53)


class DatasourceProcessedUntilTimestampResponse(WireResponse):
    """How far the datasource has been processed (epoch seconds; 0 when never)."""

    processed_until_timestamp: int = Field(ge=0)
