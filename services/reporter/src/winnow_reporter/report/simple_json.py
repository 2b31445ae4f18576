"""``report.json``: the simple counts document, written from a report that carries a summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from winnow_reporter.report.model import DatasetSizes, Report, VideoInformation
from winnow_reporter.report.summary import RunSummary

__all__ = ["report_json", "summary_of"]


def _iso_ms(ms: int | None) -> str | None:
    if ms is None:
        return None
    dt = datetime.fromtimestamp(ms / 1000.0, tz=UTC)
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def summary_of(report: Report) -> RunSummary:
    """The report's :class:`RunSummary`; ``ValueError`` when it was not built from a run."""
    if report.summary is None:
        raise ValueError("report.json needs a report built from a run folder (no summary)")
    return report.summary


def report_json(report: Report) -> dict[str, Any]:
    """The simple ``report.json`` document (camelCase keys, JSON-serialisable).

    ``timing.startedAt`` / ``timing.endedAt`` are ISO 8601 UTC strings (``...Z``) or null.
    A run with videos adds ``videos``: the counts of videos and frames, ``videoLevelSizes``
    and one entry per video (``video``, ``nInput`` frames, ``nCorrupt``, ``nDuplicate``,
    ``nRemoved``, ``nSelected``, ``fps``, ``durationSec``, ``corrupt``).
    Raises ``ValueError`` for a report without a :class:`RunSummary` (not built from a run).
    """
    summary = summary_of(report)
    general = report.general_information
    run, dataset = general.run_information, general.dataset_information
    document: dict[str, Any] = {
        "runId": run.run_id,
        "datasetId": dataset.dataset_id,
        "datasetName": dataset.dataset_name,
        "counts": {
            "nInput": summary.n_input,
            "nCorrupt": summary.n_corrupt,
            "nDuplicate": summary.n_duplicate,
            "nRemoved": summary.n_removed,
            "nSelected": summary.n_selected,
        },
        "timing": {
            "startedAt": _iso_ms(run.start_timestamp),
            "endedAt": _iso_ms(run.end_timestamp),
            "totalProcessingTimeS": run.total_processing_time_s,
        },
        "model": {
            "trained": general.model_information.trained,
            "description": general.model_information.description,
        },
        "distanceDistribution": {
            "before": summary.distance_before.model_dump(by_alias=True),
            "after": summary.distance_after.model_dump(by_alias=True),
        },
    }
    if dataset.video_information is not None:
        document["videos"] = _videos(dataset.video_information, dataset.video_level_sizes)
    return document


def _videos(info: VideoInformation, level_sizes: DatasetSizes | None) -> dict[str, Any]:
    """The video counts: over the run, ``videoLevelSizes`` and per video (no timestamps)."""
    counts = info.model_dump(mode="json", by_alias=True, exclude={"videos"})
    if level_sizes is not None:
        counts["videoLevelSizes"] = level_sizes.model_dump(by_alias=True)
    counts["videos"] = [
        v.model_dump(mode="json", by_alias=True, exclude={"selected_frame_timestamps_sec"})
        for v in info.videos
    ]
    return counts
