"""Custom metadata configuration (the Configurator)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["configuration"])
