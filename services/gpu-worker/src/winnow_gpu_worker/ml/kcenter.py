"""Farthest-point bookkeeping for DIVERSITY: each sample's distance to its nearest selected one.

The tracker is the hot loop of every diversity selection: one pass over the embedding matrix
per selected sample. On a CPU that pass is bound by the bytes it reads, so besides the plain
float32 path (``precision="float32"``, NumPy BLAS) the tracker can keep a compact screening
copy of the matrix (``"int8"``: one byte per value plus a per-row scale; ``"bfloat16"``: two
bytes per value) and stream only that copy on every step.

The screening copy never decides a distance. For every row it gives an approximate dot product
with the new point and a rigorous bound on that approximation's error (quantisation of the row
and of the point, the kernel's arithmetic and output rounding, and float32 rounding of the
reference formula). A row whose lower bound is not below its current nearest distance cannot
get closer; every other row (typically 0.5-3% of them once a few points are selected) is
recomputed from the float32 matrix with the reference formula. So the screened paths return
the float32 distances, up to the order in which float32 sums a row's dot product (recomputed
rows are summed alone, the float32 path sums the whole matrix with BLAS): a few ulps of
``||x||^2 + ||c||^2``. Selections can differ only where two candidates tie within that.

The screening copy, its kernels and their error bounds are in
:mod:`winnow_gpu_worker.ml.kcenter_screen`.

Which path is faster depends on where the matrix lives: while it fits in the CPU caches (up to
a few tens of MB) BLAS streams float32 faster than a screened step runs; above that the int8
screen wins (0.6x the float32 time at 50 MB, 0.44x at 512 MB; benchmarks/README.md).
``"auto"`` follows that.
"""

from __future__ import annotations

import math
import operator
import platform
from typing import Any, Literal

import numpy as np

from winnow_gpu_worker.ml.kcenter_screen import Screen

Precision = Literal["float32", "bfloat16", "int8", "auto"]
PRECISIONS: tuple[str, ...] = ("float32", "bfloat16", "int8", "auto")

# "auto" keeps the plain float32 path below this matrix size: such a matrix sits in the caches
# and BLAS reads it faster than the screened step runs (measured crossover 20-40 MB on a
# 2-core Sapphire Rapids VM, for D = 128 and 512).
AUTO_MIN_BYTES = 32 * 2**20

# When more rows than this fraction are candidates (the first steps of a selection), one dense
# float32 pass is cheaper than gathering the candidate rows.
_DENSE_FRACTION = 0.25


def _sq_distances(
    x: np.ndarray, sq_norms: np.ndarray, c: np.ndarray, cc: Any, *, blas: bool = True
) -> np.ndarray:
    """The reference formula ``max(||x||^2 - 2 x.c + ||c||^2, 0)`` in float32.

    ``blas=False`` sums the dot products with ``np.einsum`` on one thread: for the few rows
    recomputed after screening, so that no BLAS threads are left spinning on the cores the int8
    kernel's threads need next.
    """
    dots = x @ c if blas else np.einsum("ij,j->i", x, c)
    sq: np.ndarray = sq_norms - 2.0 * dots + cc
    np.maximum(sq, 0.0, out=sq)
    return sq


class MinDistanceTracker:
    """Euclidean distance from every row of ``embeddings`` to the nearest added row.

    Before any ``add`` every distance is ``inf``. Distances of added rows become 0.

    ``precision`` chooses what each step reads: ``"float32"`` is the reference; ``"int8"`` and
    ``"bfloat16"`` screen with a compact copy (needs torch; it takes about N * D more bytes)
    and recompute in float32 only the rows that may change, giving the float32 distances up
    to float32 rounding (see the module docstring); ``"auto"`` (default) picks ``"int8"`` for
    matrices of at least ``AUTO_MIN_BYTES`` when torch and a vectorised int8 kernel for this
    CPU are available, and ``"float32"`` otherwise. The chosen one is in ``.precision``.
    """

    def __init__(self, embeddings: np.ndarray, *, precision: Precision = "auto") -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        self._x = np.ascontiguousarray(embeddings, dtype=np.float32)
        if self._x.ndim != 2:
            raise ValueError("embeddings must be a 2-D array")
        self._sq_norms = np.einsum("ij,ij->i", self._x, self._x)
        # Added rows hold -inf internally so that ``farthest`` never returns them again; the
        # public distances clip that to 0.
        self._min_sq = np.full(len(self._x), np.inf, dtype=np.float32)
        self._n_updates = 0
        chosen = _auto_precision(self._x) if precision == "auto" else precision
        self.precision: str = chosen
        self._screen = (
            Screen(self._x, self._sq_norms, chosen)
            if chosen != "float32" and len(self._x) > 0
            else None
        )
        # Rows recomputed in float32 after screening, summed over all steps (for benchmarks).
        self.rows_recomputed = 0

    def __len__(self) -> int:
        return len(self._x)

    def add(self, index: int) -> None:
        """Count row ``index`` as selected and update every row's nearest distance."""
        i = operator.index(index)
        if not -len(self._x) <= i < len(self._x):
            raise IndexError(f"index {index} is out of range for {len(self._x)} rows")
        self._update(self._x[i], self._sq_norms[i])
        self._min_sq[i] = -np.inf
        if self._screen is not None:
            self._screen.refresh(self._min_sq, np.array([i]))

    def add_points(self, points: np.ndarray) -> None:
        """Count external points (e.g. an earlier run's selection) as selected."""
        pts = np.ascontiguousarray(np.asarray(points, dtype=np.float32))
        pts = pts.reshape(-1, self._x.shape[1])
        screen = self._screen
        start = 0
        while start < len(pts):
            approxs = None
            if screen is not None and self._n_updates > 0:
                # The int8 kernels compute up to 4 points in one pass over the matrix.
                group = pts[start : start + screen.batch]
                approxs = screen.approximate(group)
            else:
                group = pts[start : start + 1]
            for j, p in enumerate(group):
                self._update(p, np.float32(float(p @ p)), None if approxs is None else approxs[j])
            start += len(group)

    def farthest(self) -> int | None:
        """Index of the row farthest from everything added, never an added row.

        Ties go to the lowest index. Returns ``None`` once every row has been added.
        """
        if len(self._x) == 0:
            return None
        i = int(np.argmax(self._min_sq))
        return None if self._min_sq[i] == -np.inf else i

    def distance(self, index: int) -> float:
        """Distance from row ``index`` to its nearest selected point (0 for a selected row)."""
        return math.sqrt(max(float(self._min_sq[index]), 0.0))

    @property
    def min_sq_distance(self) -> np.ndarray:
        """Squared distance from each row to its nearest selected point (a new array)."""
        out: np.ndarray = np.maximum(self._min_sq, np.float32(0.0))
        return out

    @property
    def min_distance(self) -> np.ndarray:
        """Distance (not squared) from each row to its nearest selected point."""
        out: np.ndarray = np.sqrt(self.min_sq_distance)
        return out

    def _update(self, c: np.ndarray, cc: np.float32, approx: Any = None) -> None:
        if len(self._x) == 0:
            return
        m = self._min_sq
        screen = self._screen
        # (a non-finite point goes the float32 way, whatever that makes of it)
        if screen is not None and self._n_updates > 0 and np.isfinite(cc):
            if approx is None:
                approxs = screen.approximate(c[None])
                approx = approxs[0] if approxs is not None else None
            if approx is not None:
                idx = screen.candidates(cc, approx)
                if len(idx) <= _DENSE_FRACTION * len(m):
                    self._n_updates += 1
                    self.rows_recomputed += len(idx)
                    if len(idx):
                        sq = _sq_distances(self._x[idx], self._sq_norms[idx], c, cc, blas=False)
                        m[idx] = np.minimum(m[idx], sq)
                        screen.refresh(m, idx)
                    return
        np.minimum(m, _sq_distances(self._x, self._sq_norms, c, cc), out=m)
        self._n_updates += 1
        if screen is not None:
            screen.refresh(m, None)


def _auto_precision(x: np.ndarray) -> str:
    if x.nbytes < AUTO_MIN_BYTES or x.shape[0] == 0:
        return "float32"
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency of the worker
        return "float32"
    if not hasattr(torch.ops.aten, "_weight_int8pack_mm"):  # pragma: no cover
        return "float32"
    capability = str(torch.backends.cpu.get_cpu_capability())
    if "AVX" in capability or platform.machine().lower() in ("aarch64", "arm64"):
        return "int8"
    return "float32"  # pragma: no cover - only torch's scalar int8 kernel would be left
