"""SIMILARITY: prefer samples similar to a query set (constant scores).

Score = ``(1 + s) / 2`` with ``s`` the largest cosine similarity between the sample's embedding
and any query embedding, mapping [-1, 1] onto [0, 1] without a data-dependent rescale (so the
score of a sample does not depend on which other samples exist). A zero-length embedding has
similarity 0 to everything. Computed in row blocks: never an N x Q matrix for large N.
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


def _unit_rows(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def max_cosine_similarity(
    embeddings: npt.NDArray[np.float32],
    query: npt.NDArray[np.float32],
    budget: int = BLOCK_ELEMENTS,
) -> FloatArray:
    """For each row of ``embeddings`` the largest cosine similarity to a row of ``query``."""
    if len(query) == 0:
        raise ValueError("the SIMILARITY query set is empty")
    q = _unit_rows(query)
    out = np.empty(len(embeddings), dtype=np.float64)
    for block in row_blocks(len(embeddings), len(q), budget):
        sims = _unit_rows(embeddings[block]) @ q.T
        out[block] = sims.max(axis=1)
    return np.clip(out, -1.0, 1.0)


class SimilarityObjective(Objective):
    """Constant scores from the query set."""

    def __init__(self, index: int, resolved: ResolvedStrategy, n: int) -> None:
        super().__init__(index, resolved)
        x = embedding_matrix(resolved.values, n, index)
        if resolved.query is None:
            raise ValueError(f"strategies[{index}]: SIMILARITY needs the query embeddings")
        q = embedding_matrix(resolved.query, None, index, "query embeddings")
        if q.shape[1] != x.shape[1]:
            raise ValueError(
                f"strategies[{index}]: query embeddings have dimension {q.shape[1]}, the "
                f"sample embeddings {x.shape[1]}"
            )
        if len(q) == 0:
            raise ValueError(f"strategies[{index}]: the SIMILARITY query set is empty")
        self._similarity = max_cosine_similarity(x, q)
        self._n_query = len(q)

    def add_static_terms(self, terms: Terms) -> None:
        add_scores(terms, (1.0 + self._similarity) / 2.0, self.strength)

    def picked(self, pick: int, available: BoolArray) -> None:
        self.report.values_at_pick.append(float(self._similarity[pick]))

    def finish(self) -> None:
        picks = self.report.values_at_pick
        self.report.summary = {
            "n_query": self._n_query,
            "mean_similarity_selected": float(np.mean(picks)) if picks else None,
        }
