"""Pairwise Euclidean distance histograms of report.json, computed blockwise.

Pairwise distances are never materialised as an N x N matrix: when there are more than
``max_points`` samples a seeded random sample is used, and distances are computed in row
blocks over the upper triangle (i < j) only, so memory stays bounded by roughly
``_BLOCK_ELEMENTS`` float64 values per temporary array.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from pydantic import ConfigDict

from winnow_reporter.report.wire import WireModel

__all__ = ["Histogram", "pairwise_histograms"]

# Upper bound on the number of distance values held in one temporary block.
_BLOCK_ELEMENTS = 1 << 18
# Resolution of the internal fine histogram used to estimate the median.
_FINE_BINS = 4096
# Tolerance for deciding that embeddings are unit-normalised (distances then lie in [0, 2]).
_UNIT_NORM_TOL = 1e-3


class Histogram(WireModel):
    """Histogram of pairwise Euclidean distances (pairs i < j).

    ``len(bin_edges) == len(counts) + 1``; an empty histogram (fewer than two points) has
    ``n_pairs == 0``, all-zero ``counts`` and ``None`` statistics. ``sampled`` is true when
    the distances were computed on a random subset of ``n_points`` out of
    ``n_points_total`` points. ``median`` is estimated from a fine internal histogram
    (resolution: range / 4096).
    """

    model_config = ConfigDict(**WireModel.model_config, frozen=True)

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
        """Whether there were fewer than two points (no pairs)."""
        return self.n_pairs == 0


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


def _shared_edges(
    x_before: np.ndarray, x_after: np.ndarray, bins: int
) -> tuple[np.ndarray, _Stats | None, _Stats | None]:
    """Bin edges both histograms share: [0, 2] for unit-normalised embeddings, else
    [0, the largest distance in either set] (then with the statistics of that first pass)."""
    if _is_unit_normalised(x_before) and (x_after.shape[0] == 0 or _is_unit_normalised(x_after)):
        return np.linspace(0.0, 2.0, bins + 1), None, None
    stats_before = _scan_stats(x_before)
    stats_after = _scan_stats(x_after)
    hi = max(stats_before.hi, stats_after.hi, 0.0)
    if hi <= 0.0:
        hi = 1.0
    return np.linspace(0.0, hi, bins + 1), stats_before, stats_after


def pairwise_histograms(
    x: np.ndarray, selected: np.ndarray, *, max_points: int, seed: int, bins: int
) -> tuple[Histogram, Histogram]:
    """Histograms of the pairwise distances of all rows of ``x`` and of the ``selected`` rows.

    ``selected`` holds sorted row indices. Each set uses a seeded random sample of
    ``max_points`` rows when it has more; both share ``bins`` bins (see :func:`_shared_edges`).
    """
    n_all = x.shape[0]
    # Sample indices first and cast only the sampled rows, so no N-sized float64 copy.
    rng = np.random.default_rng(seed)
    idx_before, sampled_before = _sample_indices(np.arange(n_all), max_points, rng)
    idx_after, sampled_after = _sample_indices(selected, max_points, rng)
    x_before = np.asarray(x[idx_before], dtype=np.float64)
    x_after = np.asarray(x[idx_after], dtype=np.float64)
    edges, stats_before, stats_after = _shared_edges(x_before, x_after, bins)
    before = _histogram(
        x_before, edges, sampled=sampled_before, n_points_total=n_all, stats=stats_before
    )
    after = _histogram(
        x_after, edges, sampled=sampled_after, n_points_total=len(selected), stats=stats_after
    )
    return before, after
