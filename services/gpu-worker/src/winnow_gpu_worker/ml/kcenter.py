"""Farthest-point bookkeeping for DIVERSITY: each sample's distance to its nearest selected one.

The tracker is the hot loop of every diversity selection: one pass over the embedding matrix
per selected sample. This is the plain float32 NumPy reference; faster storage formats must keep
the same interface and agree with it.
"""

from __future__ import annotations

import numpy as np


class MinDistanceTracker:
    """Euclidean distance from every row of ``embeddings`` to the nearest added row.

    Before any ``add`` every distance is ``inf``. Distances of added rows become 0.
    """

    def __init__(self, embeddings: np.ndarray) -> None:
        self._x = np.ascontiguousarray(embeddings, dtype=np.float32)
        if self._x.ndim != 2:
            raise ValueError("embeddings must be a 2-D array")
        self._sq_norms = np.einsum("ij,ij->i", self._x, self._x)
        self._min_sq = np.full(len(self._x), np.inf, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._x)

    def add(self, index: int) -> None:
        """Count row ``index`` as selected and update every row's nearest distance."""
        sq = self._sq_norms - 2.0 * (self._x @ self._x[index]) + self._sq_norms[index]
        np.maximum(sq, 0.0, out=sq)
        np.minimum(self._min_sq, sq, out=self._min_sq)
        self._min_sq[index] = 0.0

    def add_points(self, points: np.ndarray) -> None:
        """Count external points (e.g. an earlier run's selection) as selected."""
        for p in np.asarray(points, dtype=np.float32).reshape(-1, self._x.shape[1]):
            sq = self._sq_norms - 2.0 * (self._x @ p) + float(p @ p)
            np.maximum(sq, 0.0, out=sq)
            np.minimum(self._min_sq, sq, out=self._min_sq)

    @property
    def min_distance(self) -> np.ndarray:
        """Distance (not squared) from each row to its nearest selected point."""
        return np.sqrt(self._min_sq)
