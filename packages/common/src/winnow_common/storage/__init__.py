"""[4] Storage: datasource access (local dir or S3-compatible) and the output key layout."""

from winnow_common.storage.datasource import (
    DatasourceStore,
    LocalStore,
    S3Store,
    open_datasource,
)
from winnow_common.storage.keys import RunKeys

__all__ = ["DatasourceStore", "LocalStore", "RunKeys", "S3Store", "open_datasource"]
