"""What the caller knows about a run that its output folder does not say."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["RunInfo"]


class RunInfo(BaseModel):
    """Run and dataset ids, timing and the model facts of one run (given by the caller)."""

    run_id: str
    dataset_id: str
    dataset_name: str = ""
    started_at_ms: int | None = None
    ended_at_ms: int | None = None
    model_trained: bool = False
    model_description: str = ""
    config_summary: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_mapping(cls, run_info: Mapping[str, Any]) -> RunInfo:
        """Parse the ``run_info`` dict of :func:`winnow_reporter.service.render_report`.

        ``run_id`` and ``dataset_id`` are required; unknown keys raise ``ValueError``.
        """
        unknown = set(run_info) - set(cls.model_fields)
        if unknown:
            raise ValueError(f"unknown run_info keys: {sorted(unknown)}")
        for key in ("run_id", "dataset_id"):
            if key not in run_info:
                raise ValueError(f"run_info is missing {key!r}")
        return cls(
            run_id=str(run_info["run_id"]),
            dataset_id=str(run_info["dataset_id"]),
            dataset_name=str(run_info.get("dataset_name") or ""),
            started_at_ms=run_info.get("started_at_ms"),
            ended_at_ms=run_info.get("ended_at_ms"),
            model_trained=bool(run_info.get("model_trained", False)),
            model_description=str(run_info.get("model_description") or ""),
            config_summary=dict(run_info.get("config_summary") or {}),
        )

    @property
    def total_processing_time_s(self) -> float | None:
        """Seconds from ``started_at_ms`` to ``ended_at_ms``; None if either is missing."""
        if self.started_at_ms is None or self.ended_at_ms is None:
            return None
        return (self.ended_at_ms - self.started_at_ms) / 1000.0
