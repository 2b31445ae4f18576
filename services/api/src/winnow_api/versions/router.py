"""Unauthenticated version and health routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from winnow_api.deps import SessionDep
from winnow_api.versions import service as version_service

router = APIRouter(tags=["meta"])


@router.get("/v1/versions/pip/minimum", response_model=str)
def minimum_client_version() -> str:
    """The oldest lightly client version Winnow supports."""
    return version_service.LIGHTLY_CLIENT_VERSION


@router.get("/v1/versions/pip/latest", response_model=str)
def latest_client_version(
    current_version: Annotated[str | None, Query(alias="currentVersion")] = None,
) -> str:
    """The newest lightly client version (so ``import lightly`` prints no upgrade nag)."""
    return version_service.LIGHTLY_CLIENT_VERSION


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    """Liveness plus a database round trip."""
    version_service.check_health(session)
    return {"status": "ok"}
