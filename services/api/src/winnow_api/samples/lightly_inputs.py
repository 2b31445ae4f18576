"""Writing the user inputs of ``.lightly/`` (metadata, predictions) into the LIGHTLY datasource.

The LIGHTLY datasource is the one store of custom metadata, metadata configurations and
predictions that runs and reports read; the API writes Lightly's datasource format there
(keys and documents: ``winnow_common.storage.lightly_inputs``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from winnow_common.db.models import Datasource
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import (
    DatasourceNotConfigured,
    DatasourceNotFound,
    InvalidInput,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from winnow_common.storage import DatasourceStore, open_datasource_row
from winnow_common.storage.lightly_inputs import json_bytes


def lightly_source(session: Session, dataset_id: str) -> Datasource | None:
    """The datasource serving LIGHTLY (INPUT_OUTPUT serves it too), if any."""
    try:
        return datasource_repo.for_purpose(session, dataset_id, DatasourcePurpose.LIGHTLY)
    except DatasourceNotConfigured:
        return None


def open_source(source: Datasource) -> DatasourceStore:
    """The store of a LIGHTLY datasource; a 422 naming ``datasource`` for a type this server
    cannot write."""
    try:
        return open_datasource_row(source)
    except StorageError as exc:
        raise InvalidInput(
            f"datasource: the {source.type} LIGHTLY datasource cannot be written by this server "
            f"({exc.message})"
        ) from exc


def lightly_store(session: Session, dataset_id: str) -> DatasourceStore:
    """The dataset's LIGHTLY store; a final 404 naming ``datasource`` when it has none (not a
    400, which the lightly client retries for half a minute)."""
    source = lightly_source(session, dataset_id)
    if source is None:
        raise DatasourceNotFound(
            f"datasource: dataset {dataset_id} has no LIGHTLY datasource, where predictions and "
            f"metadata are stored; configure it with PUT /v1/datasets/{dataset_id}/datasource"
        )
    return open_source(source)


def read_json(store: DatasourceStore, key: str) -> Any | None:
    """The JSON document at ``key``; ``None`` when there is none. A document that is not JSON
    is a 422 naming ``datasource`` (someone put a broken file there)."""
    try:
        data = store.read(key)
    except ObjectNotFound:
        return None
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"datasource: {key} is not valid JSON ({exc})") from exc


def write_json(store: DatasourceStore, key: str, document: Any) -> None:
    """Write a JSON document (an overwrite: every key is deterministic). A store that does not
    answer is a 503; a refused write (credentials, missing bucket) a 422 naming ``datasource``."""
    try:
        store.write(key, json_bytes(document), "application/json")
    except StorageUnavailable:
        raise
    except StorageError as exc:
        raise InvalidInput(f"datasource: writing {key} failed ({exc.message})") from exc
