"""Verifying datasources for real: list and read INPUT, write/overwrite/delete in LIGHTLY.

No database here: the probes talk to storage only, so they run after the request's read
transaction has ended (a slow or unreachable bucket never holds a database connection).
"""

from __future__ import annotations

from winnow_api.datasources.service import VerifySources
from winnow_common.db.models import Datasource
from winnow_common.errors import StorageError, WinnowError
from winnow_common.ids import new_object_id
from winnow_common.storage import DatasourceStore, open_datasource_row
from winnow_common.storage.support import WORKER_TYPES, unreadable_reason

_PROBE_PREFIX = ".lightly/.winnow-verify"


def _unsupported(source: Datasource) -> str:
    return unreadable_reason(source.type) or f"datasource type {source.type} is not supported"


def _open(source: Datasource) -> DatasourceStore | str:
    """The source's store, or why it cannot be opened."""
    if source.type not in WORKER_TYPES:
        return _unsupported(source)
    try:
        store = open_datasource_row(source)
        store.probe()
    except WinnowError as exc:
        return exc.message
    except ValueError as exc:
        # A row stored before endpoints were validated on PUT (boto3: invalid endpoint).
        return f"cannot open {source.type} datasource: {exc}"
    return store


def _store_for(
    source: Datasource | None, purpose: str, checks: tuple[str, str], errors: dict[str, str]
) -> DatasourceStore | None:
    """The store to probe; None (and why, for both ``checks``) when there is none to open."""
    if source is None:
        reason = f"the dataset has no {purpose} datasource"
    else:
        store = _open(source)
        if not isinstance(store, str):
            return store
        reason = store
    for check in checks:
        errors[check] = reason
    return None


def _probe_input(
    source: Datasource | None, results: dict[str, bool], errors: dict[str, str]
) -> None:
    """canList and canRead: list the INPUT datasource and read the start of one file."""
    store = _store_for(source, "INPUT", ("canList", "canRead"), errors)
    if store is None:
        return
    try:
        key = store.first_file()
    except StorageError as exc:
        errors["canList"] = errors["canRead"] = exc.message
        return
    results["canList"] = True
    if key is None:
        errors["canRead"] = "the INPUT datasource has no files, so reading could not be checked"
        return
    try:
        chunks = store.iter_chunks(key)
        next(chunks, b"")
        getattr(chunks, "close", lambda: None)()
        results["canRead"] = True
    except StorageError as exc:
        errors["canRead"] = exc.message


def _probe_lightly(
    source: Datasource | None, results: dict[str, bool], errors: dict[str, str]
) -> None:
    """canWrite and canOverwrite: write, rewrite and delete a probe object under ``.lightly/``."""
    store = _store_for(source, "LIGHTLY", ("canWrite", "canOverwrite"), errors)
    if store is None:
        return
    key = f"{_PROBE_PREFIX}-{new_object_id()}"
    try:
        store.write(key, b"winnow datasource check\n", "text/plain")
    except StorageError as exc:
        errors["canWrite"] = errors["canOverwrite"] = exc.message
        return
    results["canWrite"] = True
    try:
        store.write(key, b"winnow datasource check (overwritten)\n", "text/plain")
        if store.read(key) != b"winnow datasource check (overwritten)\n":
            raise StorageError(f"overwriting {key!r} in {store.describe()} had no effect")
        results["canOverwrite"] = True
    except StorageError as exc:
        errors["canOverwrite"] = exc.message
    try:
        store.delete(key)
    except StorageError as exc:
        results["canOverwrite"] = False
        errors["canOverwrite"] = exc.message


def probe(sources: VerifySources) -> tuple[dict[str, bool], dict[str, str]]:
    """Each check's result (``canRead``, ``canWrite``, ``canList``, ``canOverwrite``) and, for
    those that failed, why. Types this server cannot reach answer false with the reason."""
    results = {"canRead": False, "canWrite": False, "canList": False, "canOverwrite": False}
    errors: dict[str, str] = {}
    if sources.input is not None and sources.input.type not in WORKER_TYPES:
        # Nothing can run on an input this server cannot read, whatever LIGHTLY allows.
        errors = dict.fromkeys(results, _unsupported(sources.input))
    else:
        _probe_input(sources.input, results, errors)
        _probe_lightly(sources.lightly, results, errors)
    return results, errors
