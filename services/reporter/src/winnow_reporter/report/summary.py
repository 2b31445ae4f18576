"""``report.json``: the simple counts document, a part of the report derived from the run folder.

:func:`summarize` computes what ``report.json`` adds to the :class:`~.model.Report` (its counts
and the pairwise distance histograms); :func:`report_json` writes the document from a report
that carries it. Nothing here does I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from winnow_reporter.report.pairwise import Histogram, pairwise_histograms

if TYPE_CHECKING:
    from winnow_reporter.report.model import Report

__all__ = ["RunSummary", "report_json", "summarize", "summary_of"]


class RunSummary(BaseModel):
    """The counts and pairwise distance histograms of ``report.json``; JSON round-trippable.

    ``n_input`` counts this run's clean, corrupt and duplicate files (the report's
    ``datasetSizes.nInput`` is what the worker listed, which may include datapool skips).
    """

    n_input: int
    n_corrupt: int
    n_duplicate: int
    n_removed: int
    n_selected: int
    corrupt_files: dict[str, str] = Field(default_factory=dict)
    duplicate_files: dict[str, str] = Field(default_factory=dict)
    # distance distributions (same bin edges)
    distance_before: Histogram
    distance_after: Histogram


def _embeddings_2d(embeddings: np.ndarray, filenames: list[str]) -> np.ndarray:
    x = np.asarray(embeddings)
    if x.ndim != 2:
        if x.size == 0 and not filenames:
            x = np.zeros((0, 1))
        else:
            raise ValueError(f"embeddings must be 2-D, got shape {x.shape}")
    if x.shape[0] != len(filenames):
        raise ValueError(
            f"embeddings has {x.shape[0]} rows but {len(filenames)} filenames were given"
        )
    return x


def _selected_rows(filenames: list[str], selected: list[str]) -> np.ndarray:
    """Sorted row indices of the (unique) selected file names."""
    index = {name: i for i, name in enumerate(filenames)}
    if len(index) != len(filenames):
        raise ValueError("filenames contains duplicates")
    selected_unique = list(dict.fromkeys(selected))
    missing = [name for name in selected_unique if name not in index]
    if missing:
        shown = ", ".join(missing[:5])
        raise ValueError(f"{len(missing)} selected filename(s) not among embedded: {shown}")
    return np.sort(np.fromiter((index[n] for n in selected_unique), dtype=np.int64))


def summarize(
    *,
    embeddings: np.ndarray,
    filenames: list[str],
    selected: list[str],
    corrupt: dict[str, str],
    duplicates: dict[str, str],
    n_input: int,
    max_points: int = 2000,
    seed: int = 0,
    bins: int = 50,
) -> RunSummary:
    """The ``report.json`` counts and distance histograms of one run.

    ``embeddings`` (N x D) are the embedded (clean: not corrupt, not duplicate) samples,
    row i belonging to ``filenames[i]``. ``selected`` must be a subset of ``filenames``.

    Distance histograms are over all embedded samples ("before") and over the selected
    samples ("after"); each uses a seeded random sample of ``max_points`` points when it
    has more. Both share ``bins`` bins from 0 to 2 for unit-normalised embeddings, else
    from 0 to the largest distance seen in either set.
    """
    if max_points < 2:
        raise ValueError("max_points must be >= 2")
    if bins < 1:
        raise ValueError("bins must be >= 1")
    x = _embeddings_2d(embeddings, filenames)
    rows = _selected_rows(filenames, selected)
    before, after = pairwise_histograms(x, rows, max_points=max_points, seed=seed, bins=bins)
    return RunSummary(
        n_input=int(n_input),
        n_corrupt=len(corrupt),
        n_duplicate=len(duplicates),
        n_removed=x.shape[0] - len(rows),
        n_selected=len(rows),
        corrupt_files=dict(corrupt),
        duplicate_files=dict(duplicates),
        distance_before=before,
        distance_after=after,
    )


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
    Raises ``ValueError`` for a report without a :class:`RunSummary` (not built from a run).
    """
    summary = summary_of(report)
    general = report.general_information
    run, dataset = general.run_information, general.dataset_information
    return {
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
