"""Opening the store a stored datasource config describes (its secrets decrypted)."""

from __future__ import annotations

from typing import Any, Protocol

from winnow_common.secretbox import decrypt_secrets
from winnow_common.storage.datasource import DatasourceStore, open_datasource


class DatasourceRow(Protocol):
    """What a stored datasource config holds (the ``datasource`` table's columns)."""

    @property
    def type(self) -> str: ...

    @property
    def full_path(self) -> str: ...

    @property
    def options(self) -> dict[str, Any]: ...

    @property
    def secrets_encrypted(self) -> str: ...


def open_datasource_row(source: DatasourceRow) -> DatasourceStore:
    """Open the store a datasource row describes (decrypting its secrets)."""
    return open_datasource(
        source.type,
        source.full_path,
        dict(source.options),
        decrypt_secrets(source.secrets_encrypted),
    )
