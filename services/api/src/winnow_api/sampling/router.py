"""Sampling on stored embeddings, platform jobs (``/v1/jobs``) and active-learning scores."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["sampling"])
