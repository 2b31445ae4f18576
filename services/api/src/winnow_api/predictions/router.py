"""Prediction task schemas and per-sample predictions (stored where the worker reads them)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["predictions"])
