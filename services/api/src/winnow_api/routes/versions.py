"""Unauthenticated version and health routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import text

from winnow_api.deps import SessionDep

router = APIRouter(tags=["meta"])

# The newest lightly client release that still ships lightly.api.
LIGHTLY_CLIENT_VERSION = "1.5.26"


@router.get("/v1/versions/pip/minimum", response_model=str)
def minimum_client_version() -> str:
    """The oldest lightly client version Winnow supports."""
    return LIGHTLY_CLIENT_VERSION


@router.get("/v1/versions/pip/latest", response_model=str)
def latest_client_version(
    current_version: Annotated[str | None, Query(alias="currentVersion")] = None,
) -> str:
    """The newest lightly client version (so ``import lightly`` prints no upgrade nag)."""
    return LIGHTLY_CLIENT_VERSION


@router.get("/health")
def health(session: SessionDep) -> dict[str, str]:
    """Liveness plus a database round trip."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}
