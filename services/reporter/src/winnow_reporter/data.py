"""Report data: a pure, JSON-serialisable summary of one curation run.

``build_report_data`` turns the raw outputs of a run (embeddings, selection, corrupt and
duplicate files) into a :class:`ReportData`; ``report_json`` turns that into the small
``report.json`` document. Nothing here does I/O.

Pairwise distances are never materialised as an N x N matrix: when there are more than
``max_points`` samples a seeded random sample is used, and distances are computed in row
blocks over the upper triangle (i < j) only, so memory stays bounded by roughly
``_BLOCK_ELEMENTS`` float64 values per temporary array.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Histogram",
    "ReportData",
    "build_report_data",
    "report_json",
]

# Upper bound on the number of distance values held in one temporary block.
_BLOCK_ELEMENTS = 1 << 18
# Resolution of the internal fine histogram used to estimate the median.
_FINE_BINS = 4096
# Tolerance for deciding that embeddings are unit-normalised (distances then lie in [0, 2]).
_UNIT_NORM_TOL = 1e-3

_RUN_INFO_KEYS = frozenset(
    {
        "run_id",
        "dataset_id",
        "dataset_name",
        "started_at_ms",
        "ended_at_ms",
        "model_trained",
        "model_description",
        "config_summary",
    }
)


class Histogram(BaseModel):
    """Histogram of pairwise Euclidean distances (pairs i < j).

    ``len(bin_edges) == len(counts) + 1``; an empty histogram (fewer than two points) has
    ``n_pairs == 0``, all-zero ``counts`` and ``None`` statistics. ``sampled`` is true when
    the distances were computed on a random subset of ``n_points`` out of
    ``n_points_total`` points. ``median`` is estimated from a fine internal histogram
    (resolution: range / 4096).
    """

    model_config = ConfigDict(frozen=True)

    bin_edges: list[float]
    counts: list[int]
    n_pairs: int = 0
    sampled: bool = False
    n_points: int = 0
    n_points_total: int = 0
    mean: float | None = None
    median: float | None = None
    min: float | None = None
    max: float | None = None

    @property
    def is_empty(self) -> bool:
        return self.n_pairs == 0


class ReportData(BaseModel):
    """Everything the report needs about one run; pure data, JSON round-trippable."""

    # run info
    run_id: str
    dataset_id: str
    dataset_name: str = ""
    started_at_ms: int | None = None
    ended_at_ms: int | None = None
    model_trained: bool = False
    model_description: str = ""
    config_summary: dict[str, Any] = Field(default_factory=dict)

    # counts
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

    @property
    def total_processing_time_s(self) -> float | None:
        """Seconds from ``started_at_ms`` to ``ended_at_ms``; None if either is missing."""
        if self.started_at_ms is None or self.ended_at_ms is None:
            return None
        return (self.ended_at_ms - self.started_at_ms) / 1000.0


# --------------------------------------------------------------------------------------
# pairwise distances
# --------------------------------------------------------------------------------------


def _iter_upper_distance_blocks(x: np.ndarray) -> Iterator[np.ndarray]:
    """Yield 1-D arrays of Euclidean distances d(i, j), i < j, block by block of rows.

    Each block covers rows [s, e) against columns [s, n); only j > i is kept. Peak memory
    is O(block_rows * n) with block_rows * n <= _BLOCK_ELEMENTS (at least one row).
    """
    n = x.shape[0]
    if n < 2:
        return
    sq = np.einsum("ij,ij->i", x, x)
    block_rows = max(1, _BLOCK_ELEMENTS // n)
    for s in range(0, n - 1, block_rows):
        e = min(s + block_rows, n - 1)
        rows = x[s:e]
        cols = x[s:]
        d2 = rows @ cols.T
        d2 *= -2.0
        d2 += sq[s:e, None]
        d2 += sq[None, s:]
        np.maximum(d2, 0.0, out=d2)
        np.sqrt(d2, out=d2)
        b = e - s
        # in block coordinates row r is global i = s + r, column c is global j = s + c;
        # keep c > r.
        mask = np.ones(d2.shape, dtype=bool)
        mask[:, :b] = np.triu(np.ones((b, b), dtype=bool), k=1)
        yield d2[mask]


class _Stats:
    __slots__ = ("hi", "lo", "n", "total")

    def __init__(self) -> None:
        self.n = 0
        self.total = 0.0
        self.lo = float("inf")
        self.hi = float("-inf")

    def update(self, d: np.ndarray) -> None:
        if d.size == 0:
            return
        self.n += int(d.size)
        self.total += float(d.sum())
        self.lo = min(self.lo, float(d.min()))
        self.hi = max(self.hi, float(d.max()))


def _scan_stats(x: np.ndarray) -> _Stats:
    stats = _Stats()
    for block in _iter_upper_distance_blocks(x):
        stats.update(block)
    return stats


def _median_from_fine(fine: np.ndarray, hi: float, n: int) -> float:
    """Median estimated by linear interpolation inside the fine histogram."""
    cum = np.cumsum(fine)
    target = n / 2.0
    k = int(np.searchsorted(cum, target, side="left"))
    k = min(k, len(fine) - 1)
    before = float(cum[k - 1]) if k > 0 else 0.0
    in_bin = float(fine[k])
    width = hi / len(fine)
    frac = (target - before) / in_bin if in_bin > 0 else 0.5
    return float(k * width + min(max(frac, 0.0), 1.0) * width)


def _histogram(
    x: np.ndarray,
    edges: np.ndarray,
    *,
    sampled: bool,
    n_points_total: int,
    stats: _Stats | None,
) -> Histogram:
    """Histogram of pairwise distances of ``x`` on the given ``edges`` (blockwise)."""
    n_bins = len(edges) - 1
    hi = float(edges[-1])
    counts = np.zeros(n_bins, dtype=np.int64)
    fine = np.zeros(_FINE_BINS, dtype=np.int64)
    own = _Stats() if stats is None else None
    for block in _iter_upper_distance_blocks(x):
        if own is not None:
            own.update(block)
        # guard against float error pushing values a hair outside [0, hi]
        np.clip(block, 0.0, hi, out=block)
        counts += np.histogram(block, bins=edges)[0]
        fine += np.histogram(block, bins=_FINE_BINS, range=(0.0, hi))[0]
    st = stats if stats is not None else own
    assert st is not None
    base = {
        "bin_edges": [float(v) for v in edges],
        "counts": [int(c) for c in counts],
        "sampled": sampled,
        "n_points": int(x.shape[0]),
        "n_points_total": int(n_points_total),
    }
    if st.n == 0:
        return Histogram(n_pairs=0, **base)
    return Histogram(
        n_pairs=st.n,
        mean=st.total / st.n,
        median=_median_from_fine(fine, hi, st.n),
        min=st.lo,
        max=st.hi,
        **base,
    )


def _sample_indices(
    idx: np.ndarray, max_points: int, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """``idx`` itself, or a sorted seeded random subset of ``max_points`` of it."""
    if len(idx) <= max_points:
        return idx, False
    return np.sort(rng.choice(idx, size=max_points, replace=False)), True


def _is_unit_normalised(x: np.ndarray) -> bool:
    if x.shape[0] == 0:
        return False
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    return bool(np.all(np.abs(norms - 1.0) <= _UNIT_NORM_TOL))


# --------------------------------------------------------------------------------------
# builder
# --------------------------------------------------------------------------------------


def build_report_data(
    *,
    embeddings: np.ndarray,
    filenames: list[str],
    selected: list[str],
    corrupt: dict[str, str],
    duplicates: dict[str, str],
    n_input: int,
    run_info: dict[str, Any],
    max_points: int = 2000,
    seed: int = 0,
    bins: int = 50,
) -> ReportData:
    """Build the report data for one run.

    ``embeddings`` (N x D) are the embedded (clean: not corrupt, not duplicate) samples,
    row i belonging to ``filenames[i]``. ``selected`` must be a subset of ``filenames``.
    ``run_info`` holds ``run_id`` and ``dataset_id`` (required) and optionally
    ``dataset_name``, ``started_at_ms``, ``ended_at_ms``, ``model_trained``,
    ``model_description``, ``config_summary``; unknown keys raise ``ValueError``.

    Distance histograms are over all embedded samples ("before") and over the selected
    samples ("after"); each uses a seeded random sample of ``max_points`` points when it
    has more. Both share ``bins`` bins from 0 to 2 for unit-normalised embeddings, else
    from 0 to the largest distance seen in either set.
    """
    if max_points < 2:
        raise ValueError("max_points must be >= 2")
    if bins < 1:
        raise ValueError("bins must be >= 1")
    unknown = set(run_info) - _RUN_INFO_KEYS
    if unknown:
        raise ValueError(f"unknown run_info keys: {sorted(unknown)}")
    for key in ("run_id", "dataset_id"):
        if key not in run_info:
            raise ValueError(f"run_info is missing {key!r}")

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

    index = {name: i for i, name in enumerate(filenames)}
    if len(index) != len(filenames):
        raise ValueError("filenames contains duplicates")
    selected_unique = list(dict.fromkeys(selected))
    missing = [name for name in selected_unique if name not in index]
    if missing:
        shown = ", ".join(missing[:5])
        raise ValueError(f"{len(missing)} selected filename(s) not among embedded: {shown}")

    sel_idx = np.sort(np.fromiter((index[n] for n in selected_unique), dtype=np.int64))
    n_all = x.shape[0]
    n_sel = len(sel_idx)

    # Sample indices first and cast only the sampled rows, so no N-sized float64 copy.
    rng = np.random.default_rng(seed)
    idx_before, sampled_before = _sample_indices(np.arange(n_all), max_points, rng)
    idx_after, sampled_after = _sample_indices(sel_idx, max_points, rng)
    x_before = np.asarray(x[idx_before], dtype=np.float64)
    x_after = np.asarray(x[idx_after], dtype=np.float64)

    stats_before: _Stats | None = None
    stats_after: _Stats | None = None
    if _is_unit_normalised(x_before) and (n_sel == 0 or _is_unit_normalised(x_after)):
        hi = 2.0
    else:
        # first pass: the largest distance over both sets fixes the shared edges
        stats_before = _scan_stats(x_before)
        stats_after = _scan_stats(x_after)
        hi = max(stats_before.hi, stats_after.hi, 0.0)
        if hi <= 0.0:
            hi = 1.0
    edges = np.linspace(0.0, hi, bins + 1)

    before = _histogram(
        x_before, edges, sampled=sampled_before, n_points_total=n_all, stats=stats_before
    )
    after = _histogram(
        x_after, edges, sampled=sampled_after, n_points_total=n_sel, stats=stats_after
    )

    return ReportData(
        run_id=str(run_info["run_id"]),
        dataset_id=str(run_info["dataset_id"]),
        dataset_name=str(run_info.get("dataset_name") or ""),
        started_at_ms=run_info.get("started_at_ms"),
        ended_at_ms=run_info.get("ended_at_ms"),
        model_trained=bool(run_info.get("model_trained", False)),
        model_description=str(run_info.get("model_description") or ""),
        config_summary=dict(run_info.get("config_summary") or {}),
        n_input=int(n_input),
        n_corrupt=len(corrupt),
        n_duplicate=len(duplicates),
        n_removed=n_all - n_sel,
        n_selected=n_sel,
        corrupt_files=dict(corrupt),
        duplicate_files=dict(duplicates),
        distance_before=before,
        distance_after=after,
    )


# --------------------------------------------------------------------------------------
# report.json
# --------------------------------------------------------------------------------------


def _iso_ms(ms: int | None) -> str | None:
    if ms is None:
        return None
    dt = datetime.fromtimestamp(ms / 1000.0, tz=UTC)
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _histogram_json(h: Histogram) -> dict[str, Any]:
    return {
        "binEdges": list(h.bin_edges),
        "counts": list(h.counts),
        "nPairs": h.n_pairs,
        "sampled": h.sampled,
        "nPoints": h.n_points,
        "nPointsTotal": h.n_points_total,
        "mean": h.mean,
        "median": h.median,
        "min": h.min,
        "max": h.max,
    }


def report_json(data: ReportData) -> dict[str, Any]:
    """The simple ``report.json`` document (camelCase keys, JSON-serialisable).

    ``timing.startedAt`` / ``timing.endedAt`` are ISO 8601 UTC strings (``...Z``) or null.
    """
    return {
        "runId": data.run_id,
        "datasetId": data.dataset_id,
        "datasetName": data.dataset_name,
        "counts": {
            "nInput": data.n_input,
            "nCorrupt": data.n_corrupt,
            "nDuplicate": data.n_duplicate,
            "nRemoved": data.n_removed,
            "nSelected": data.n_selected,
        },
        "timing": {
            "startedAt": _iso_ms(data.started_at_ms),
            "endedAt": _iso_ms(data.ended_at_ms),
            "totalProcessingTimeS": data.total_processing_time_s,
        },
        "model": {
            "trained": data.model_trained,
            "description": data.model_description,
        },
        "distanceDistribution": {
            "before": _histogram_json(data.distance_before),
            "after": _histogram_json(data.distance_after),
        },
    }
