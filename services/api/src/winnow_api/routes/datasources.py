"""Datasource configs: one per (dataset, purpose); secrets encrypted at rest, masked on read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Body, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_common.db.models import Datasource
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import DatasetNotFound, DatasourceNotFound, StorageError, WinnowError
from winnow_common.ids import new_object_id
from winnow_common.runs import open_datasource_row
from winnow_common.schemas.wire import (
    DATASOURCE_SECRET_FIELDS,
    SECRET_MASK,
    DatasourceConfig,
    DatasourceConfigVerifyData,
    DatasourceVerifyErrors,
)
from winnow_common.secretbox import encrypt_secrets
from winnow_common.storage.datasource import DatasourceStore, LocalStore, S3Store

router = APIRouter(prefix="/v1/datasets/{datasetId}/datasource", tags=["datasources"])

_BASE_FIELDS = {"id", "purpose", "type", "thumbSuffix", "fullPath"}
_config_adapter: TypeAdapter[DatasourceConfig] = TypeAdapter(DatasourceConfig)


@router.put("", status_code=200, response_class=Response)
def put_datasource(
    dataset_id: DatasetId,
    body: Annotated[DatasourceConfig, Body()],
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """Create or replace the dataset's datasource for ``body.purpose``."""
    dataset = get_owned_dataset(session, user, dataset_id)
    wire = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    secret_keys = DATASOURCE_SECRET_FIELDS[body.type]
    secrets = {k: str(wire[k]) for k in secret_keys if k in wire}
    options = {k: v for k, v in wire.items() if k not in _BASE_FIELDS and k not in secret_keys}
    values = {
        "type": body.type,
        "full_path": body.full_path,
        "thumb_suffix": body.thumb_suffix,
        "options": options,
        "secrets_encrypted": encrypt_secrets(secrets),
    }
    where = (Datasource.dataset_id == dataset.id, Datasource.purpose == body.purpose)
    source = session.scalar(select(Datasource).where(*where))
    if source is None:
        try:
            with session.begin_nested():
                session.add(Datasource(dataset_id=dataset.id, purpose=body.purpose, **values))
                session.flush()
            return Response(status_code=200)
        except IntegrityError as exc:
            # Another request created this purpose's row meanwhile (unique per dataset and
            # purpose): replace it, as a PUT does, instead of failing with a 500. No row: the
            # dataset itself was deleted meanwhile (foreign key).
            source = session.scalar(select(Datasource).where(*where))
            if source is None:
                raise DatasetNotFound(dataset.id) from exc
    for key, value in values.items():
        setattr(source, key, value)
    session.flush()
    return Response(status_code=200)


@router.get("", response_model=DatasourceConfig, response_model_exclude_none=True)
def get_datasource(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    purpose: Annotated[DatasourcePurpose | None, Query()] = None,
) -> Any:
    """The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked."""
    dataset = get_owned_dataset(session, user, dataset_id)
    rows = {
        d.purpose: d
        for d in session.scalars(select(Datasource).where(Datasource.dataset_id == dataset.id))
    }
    wanted = [purpose.value] if purpose else ["INPUT_OUTPUT", "INPUT"]
    source = next((rows[p] for p in wanted if p in rows), None)
    if source is None:
        raise DatasourceNotFound(f"dataset {dataset.id} has no {' or '.join(wanted)} datasource")
    wire: dict[str, Any] = {
        "id": source.id,
        "purpose": source.purpose,
        "type": source.type,
        "fullPath": source.full_path,
        **source.options,
        **{k: SECRET_MASK for k in DATASOURCE_SECRET_FIELDS[source.type]},
    }
    if source.thumb_suffix is not None:
        wire["thumbSuffix"] = source.thumb_suffix
    return _config_adapter.validate_python(wire)


# Datasource types whose storage this server (and its workers) can open.
_REACHABLE_TYPES = {"LOCAL", "OBS", "S3"}
_PROBE_PREFIX = ".lightly/.winnow-verify"


def _unsupported(source: Datasource) -> str:
    return (
        f"datasource type {source.type} is not supported by this server; "
        "use LOCAL, OBS or S3 (with the server's S3 endpoint)"
    )


def _first_file(store: DatasourceStore) -> str | None:
    """One file key of the store, without listing everything (a datasource may be huge)."""
    if isinstance(store, S3Store):
        prefix = f"{store.prefix}/" if store.prefix else ""
        try:
            page = store.client.list_objects_v2(Bucket=store.bucket, Prefix=prefix, MaxKeys=50)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot list {store.describe()}: {exc}") from exc
        for obj in page.get("Contents", []):
            key = str(obj["Key"])[len(prefix) :]
            if key and not key.endswith("/"):
                return key
        return None
    if isinstance(store, LocalStore):
        try:
            if not store.root.is_dir():
                raise StorageError(f"local datasource directory {store.root} does not exist")
            for path in store.root.rglob("*"):
                if path.is_file():
                    return path.relative_to(store.root).as_posix()
        except OSError as exc:
            # e.g. a path component longer than the filesystem allows (ENAMETOOLONG).
            raise StorageError(f"cannot list {store.root}: {exc.strerror or exc}") from exc
        return None
    files = store.list_files()
    return files[0] if files else None


def _delete(store: DatasourceStore, key: str) -> None:
    """Remove a probe object (the store protocol has no delete: only verification needs one)."""
    if isinstance(store, S3Store):
        full_key = f"{store.prefix}/{key}" if store.prefix else key
        try:
            store.client.delete_object(Bucket=store.bucket, Key=full_key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot delete {key!r} in {store.describe()}: {exc}") from exc
    elif isinstance(store, LocalStore):
        try:
            Path(store.full_url(key)).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r} in {store.describe()}: {exc}") from exc


def _open(source: Datasource) -> DatasourceStore | str:
    """The source's store, or why it cannot be opened."""
    if source.type not in _REACHABLE_TYPES:
        return _unsupported(source)
    try:
        store = open_datasource_row(source)
        if isinstance(store, S3Store):
            store.client  # noqa: B018 - boto3 checks the endpoint when it creates the client
    except WinnowError as exc:
        return exc.message
    except ValueError as exc:
        # A row stored before endpoints were validated on PUT (boto3: invalid endpoint).
        return f"cannot open {source.type} datasource: {exc}"
    return store


def _probe_input(
    source: Datasource | None, results: dict[str, bool], errors: dict[str, str]
) -> None:
    """canList and canRead: list the INPUT datasource and read the start of one file."""
    if source is None:
        errors["canList"] = errors["canRead"] = "the dataset has no INPUT datasource"
        return
    store = _open(source)
    if isinstance(store, str):
        errors["canList"] = errors["canRead"] = store
        return
    try:
        key = _first_file(store)
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
    if source is None:
        errors["canWrite"] = errors["canOverwrite"] = "the dataset has no LIGHTLY datasource"
        return
    store = _open(source)
    if isinstance(store, str):
        errors["canWrite"] = errors["canOverwrite"] = store
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
        _delete(store, key)
    except StorageError as exc:
        results["canOverwrite"] = False
        errors["canOverwrite"] = exc.message


@router.get("/verify", response_model=DatasourceConfigVerifyData, response_model_exclude_none=True)
def verify_datasource(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> DatasourceConfigVerifyData:
    """Probe the datasources for real: list and read INPUT, write/overwrite/delete in LIGHTLY.

    Types this server cannot reach (GCS, AZURE, S3DelegatedAccess, LIGHTLY) answer false, with
    the reason in ``errors``.
    """
    dataset = get_owned_dataset(session, user, dataset_id)
    rows = {
        d.purpose: d
        for d in session.scalars(select(Datasource).where(Datasource.dataset_id == dataset.id))
    }
    if not rows:
        raise DatasourceNotFound(f"dataset {dataset.id} has no datasource")
    both = rows.get(DatasourcePurpose.INPUT_OUTPUT.value)
    input_source = rows.get(DatasourcePurpose.INPUT.value) or both
    lightly_source = rows.get(DatasourcePurpose.LIGHTLY.value) or both
    results = {"canRead": False, "canWrite": False, "canList": False, "canOverwrite": False}
    errors: dict[str, str] = {}
    if input_source is not None and input_source.type not in _REACHABLE_TYPES:
        # Nothing can run on an input this server cannot read, whatever LIGHTLY allows.
        errors = dict.fromkeys(results, _unsupported(input_source))
    else:
        _probe_input(input_source, results, errors)
        _probe_lightly(lightly_source, results, errors)
    return DatasourceConfigVerifyData.model_validate(
        {**results, "errors": DatasourceVerifyErrors.model_validate(errors) if errors else None}
    )
