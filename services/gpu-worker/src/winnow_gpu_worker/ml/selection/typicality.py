"""TYPICALITY: prefer samples in dense regions of the embedding space (constant scores).

TypiClust-style: ``typicality(x) = 1 / mean distance from x to its k nearest neighbours``
(Euclidean, the sample itself excluded, exact duplicates included), ``k = numNearestNeighbors``
(default 20) capped at N - 1, divided by the largest value so the most typical sample has 1.
Density is a property of the whole input, so neighbours are searched among all N samples,
including those a THRESHOLD removed. Mean distances are floored at 1/1000 of their median so a
few exact duplicates (mean distance 0) do not push every other sample to typicality 0. A single
sample has typicality 1.

Computed in row blocks (never an N x N matrix); the work is still O(N^2 * D), the dominant cost
for large N.

``stoppingConditionMinimumTypicality t``: the selection stops, without taking it, when the
sample about to be picked has typicality below ``t``, so every selected sample has typicality
>= t (Lightly: "the minimal allowed typicality of the selected samples"). With TYPICALITY alone
that sample is the most typical candidate left.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from winnow_gpu_worker.ml.selection.arrays import embedding_matrix
from winnow_gpu_worker.ml.selection.blocks import BLOCK_ELEMENTS, row_blocks
from winnow_gpu_worker.ml.selection.objective import (
    BoolArray,
    FloatArray,
    Objective,
    Terms,
    add_scores,
)
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import Stop, StopCode

DEFAULT_NEIGHBORS = 20


def mean_knn_distance(
    x: npt.NDArray[np.float32], k: int, budget: int = BLOCK_ELEMENTS
) -> FloatArray:
    """Mean Euclidean distance from each row to its ``k`` nearest other rows (blockwise)."""
    n = len(x)
    if not 1 <= k < n:
        raise ValueError(f"k must be within [1, {n - 1}], got {k}")
    sq_norms = np.einsum("ij,ij->i", x, x)
    out = np.empty(n, dtype=np.float64)
    for block in row_blocks(n, n, budget):
        rows = np.arange(block.start, block.stop)
        sq = sq_norms[block, None] - 2.0 * (x[block] @ x.T) + sq_norms[None, :]
        np.maximum(sq, 0.0, out=sq)
        sq[rows - block.start, rows] = np.inf  # a sample is not its own neighbour
        nearest = np.partition(sq, k - 1, axis=1)[:, :k]
        out[block] = np.sqrt(nearest.astype(np.float64)).mean(axis=1)
    return out


def typicality(embeddings: npt.NDArray[np.float32], k: int = DEFAULT_NEIGHBORS) -> FloatArray:
    """Normalised typicality in (0, 1] per row (see the module docstring)."""
    n = len(embeddings)
    if n <= 1:
        return np.ones(n, dtype=np.float64)
    mean = mean_knn_distance(embeddings, min(k, n - 1))
    positive = mean[mean > 0]
    if positive.size == 0:
        return np.ones(n, dtype=np.float64)  # all samples identical
    floor = 1e-3 * float(np.median(mean)) if np.median(mean) > 0 else float(positive.min())
    raw = 1.0 / np.maximum(mean, floor)
    return np.asarray(raw / raw.max(), dtype=np.float64)


class TypicalityObjective(Objective):
    """Constant scores; the minimum-typicality stop looks at the next pick."""

    def __init__(self, index: int, resolved: ResolvedStrategy, n: int) -> None:
        super().__init__(index, resolved)
        st = resolved.entry.strategy
        x = embedding_matrix(resolved.values, n, index)
        self._k = min(st.num_nearest_neighbors or DEFAULT_NEIGHBORS, max(n - 1, 0))
        self._typicality = typicality(x, self._k) if n > 1 else np.ones(n)
        self._minimum = st.stopping_condition_minimum_typicality

    def add_static_terms(self, terms: Terms) -> None:
        add_scores(terms, self._typicality, self.strength)

    def stop_before(self, pick: int) -> Stop | None:
        value = float(self._typicality[pick])
        if self._minimum is not None and value < self._minimum:
            return Stop(
                StopCode.MIN_TYPICALITY,
                f"minimum typicality reached for {self.label}: the next sample has typicality "
                f"{value:.6g}, below stoppingConditionMinimumTypicality {self._minimum:g}",
                self.index,
            )
        return None

    def picked(self, pick: int, available: BoolArray) -> None:
        self.report.values_at_pick.append(float(self._typicality[pick]))

    def finish(self) -> None:
        self.report.summary = {
            "num_nearest_neighbors": self._k,
            "stopping_condition_minimum_typicality": self._minimum,
        }
