"""Datasource configs: one per (dataset, purpose); secrets encrypted at rest, masked on read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import select

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_common.db.models import Datasource
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import DatasourceNotFound
from winnow_common.schemas.wire import DATASOURCE_SECRET_FIELDS, SECRET_MASK, DatasourceConfig
from winnow_common.secretbox import encrypt_secrets

router = APIRouter(prefix="/v1/datasets/{datasetId}/datasource", tags=["datasources"])

_BASE_FIELDS = {"id", "purpose", "type", "thumbSuffix", "fullPath"}
_config_adapter: TypeAdapter[DatasourceConfig] = TypeAdapter(DatasourceConfig)


@router.put("", status_code=200)
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
    source = session.scalar(
        select(Datasource).where(
            Datasource.dataset_id == dataset.id, Datasource.purpose == body.purpose
        )
    )
    if source is None:
        source = Datasource(dataset_id=dataset.id, purpose=body.purpose)
        session.add(source)
    source.type = body.type
    source.full_path = body.full_path
    source.thumb_suffix = body.thumb_suffix
    source.options = options
    source.secrets_encrypted = encrypt_secrets(secrets)
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
