"""Dashboard-only JSON for the dataset pages (not in the OpenAPI document: the clients never
call these). Authenticated like every route; owner and collaborators see the same as through
the wire routes, anyone else a 404."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from winnow_api.dashboard import datasets_service
from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.params import DatasetId

router = APIRouter(prefix="/dashboard/api/datasets/{datasetId}", include_in_schema=False)

MAX_SAMPLES_PAGE = 500


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class DatasetRoleView(_Camel):
    """What the caller is to the dataset."""

    role: Literal["owner", "collaborator"]
    is_owner: bool = Field(alias="isOwner")


class SampleView(_Camel):
    """One sample: its id, its bit index, its file name and a signed read URL (or None)."""

    id: str
    index: int
    file_name: str = Field(alias="fileName")
    url: str | None


class SamplesPageView(_Camel):
    """A page of samples; ``readable`` is false without an INPUT datasource (no URLs)."""

    total: int
    readable: bool
    samples: list[SampleView]


@router.get("/role", response_model=DatasetRoleView)
def dataset_role(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> DatasetRoleView:
    """The caller's role (the page shows the share form to the owner only)."""
    role = datasets_service.role(session, user, dataset_id)
    return DatasetRoleView(role=role.value, is_owner=role.value == "owner")


@router.get("/samples", response_model=SamplesPageView)
def dataset_samples(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=MAX_SAMPLES_PAGE)] = 60,
    page_offset: Annotated[int, Query(alias="pageOffset", ge=0, le=2**62)] = 0,
) -> SamplesPageView:
    """One page of samples in bit order with signed, token-free read URLs for thumbnails."""
    found = datasets_service.samples_page(
        session, user, dataset_id, offset=page_offset, limit=page_size
    )
    urls = found.urls or [None] * len(found.samples)
    return SamplesPageView(
        total=found.total,
        readable=found.urls is not None,
        samples=[
            SampleView(id=s.id, index=s.idx, file_name=s.file_name, url=u)
            for s, u in zip(found.samples, urls, strict=True)
        ],
    )
