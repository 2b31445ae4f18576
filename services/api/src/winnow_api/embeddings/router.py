"""Embeddings of a dataset: list, upload (writeCSVUrl), read (readCSVUrl), 2-D projection."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["embeddings"])
