"""What ``report.json`` adds to the report: counts and pairwise distance histograms.

:func:`summarize` computes the :class:`RunSummary` that the :class:`~.model.Report` carries;
:mod:`.simple_json` writes ``report.json`` from it. Nothing here does I/O.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from winnow_reporter.report.pairwise import Histogram, pairwise_histograms

__all__ = ["RunSummary", "summarize"]


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
