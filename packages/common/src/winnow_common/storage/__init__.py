"""[4] Storage: datasource access (local dir or S3-compatible) and the output key layout."""

from winnow_common.storage.datasource import (
    DatasourceStore,
    LocalStore,
    S3Store,
    open_datasource,
)
from winnow_common.storage.keys import RunKeys
from winnow_common.storage.retrying import RetryingStore
from winnow_common.storage.rows import DatasourceRow, open_datasource_row

__all__ = [
    "DatasourceRow",
    "DatasourceStore",
    "LocalStore",
    "RetryingStore",
    "RunKeys",
    "S3Store",
    "open_datasource",
    "open_datasource_row",
]
