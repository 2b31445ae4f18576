"""Sampling on stored embeddings and 2-D projections: pure functions over arrays.

The platform job (``platform_jobs``) reads the rows; this module ranks. The candidates are the
query set's samples that have an embedding and are not preselected, in sample (bit) order; the
embeddings are L2-normalised as in a worker run. The engine ranks every candidate (at least
``RANK_AT_LEAST`` of them, or until a stopping condition fires), so the job can answer the
importance of each; the tag keeps the first ``total - preselected``. The engine's greedy picks
do not depend on how many are asked for, so those are exactly its picks for that count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from winnow_common.enums import SelectionInputType
from winnow_common.schemas.sampling_request import SamplingPlan
from winnow_gpu_worker.ml.normalize import l2_normalize
from winnow_gpu_worker.ml.selection import ResolvedStrategy, SelectionResult, random_values, select

# Rank at least this many candidates (all when fewer): a k-center ranking of every sample of a
# huge dataset would cost O(N^2); past this the importance list stops at the count asked for.
RANK_AT_LEAST = 10_000


@dataclass(frozen=True)
class SamplingInputs:
    """What a sampling job ranks.

    ``embeddings`` (R, D) are the CSV's rows and ``row_of`` maps a sample idx to its row;
    ``query`` and ``preselected`` are sample indices (ascending); ``scores`` maps every query
    sample to its uploaded score (methods that use scores only).
    """

    embeddings: np.ndarray
    row_of: Mapping[int, int]
    query: Sequence[int]
    preselected: Sequence[int]
    scores: Mapping[int, float] | None = None


@dataclass(frozen=True)
class Ranking:
    """The engine's picks (sample indices, best first) and their importance in [0, 1];
    ``n_selected`` of them go into the tag (after the preselected samples)."""

    picks: list[int]
    importance: list[float]
    n_selected: int
    candidates: list[int]
    result: SelectionResult


def candidates_of(inputs: SamplingInputs) -> list[int]:
    """The query samples that have an embedding row and are not preselected, ascending."""
    pre = set(inputs.preselected)
    return [i for i in sorted(inputs.query) if i in inputs.row_of and i not in pre]


def resolve(
    plan: SamplingPlan, inputs: SamplingInputs, candidates: Sequence[int]
) -> tuple[list[ResolvedStrategy], np.ndarray | None]:
    """The plan's entries as engine inputs over ``candidates``, and the preselected rows."""
    rows = [inputs.row_of[i] for i in candidates]
    matrix = l2_normalize(inputs.embeddings[rows]) if rows else inputs.embeddings[:0]
    resolved: list[ResolvedStrategy] = []
    for entry in plan.entries:
        kind = entry.input.type
        if kind is SelectionInputType.EMBEDDINGS:
            values = matrix
        elif kind is SelectionInputType.SCORES:
            assert inputs.scores is not None
            values = np.array([inputs.scores[i] for i in candidates], dtype=np.float64)
        elif kind is SelectionInputType.RANDOM:
            values = random_values(len(candidates), entry.input.random_seed)
        else:  # pragma: no cover - the plan only builds the three above
            raise ValueError(f"unexpected input {kind}")
        resolved.append(ResolvedStrategy(entry=entry, values=values))
    pre_rows = [inputs.row_of[i] for i in inputs.preselected if i in inputs.row_of]
    preselected = l2_normalize(inputs.embeddings[pre_rows]) if pre_rows else None
    return resolved, preselected


def _normalised(values: np.ndarray) -> np.ndarray:
    """Values at pick scaled to [0, 1]: ``inf`` (a first pick with nothing selected) is 1,
    NaN 0; min-max when a value is negative, else divided by the largest."""
    out = np.asarray(values, dtype=np.float64).copy()
    finite = np.isfinite(out)
    if not finite.any():
        return np.where(np.isnan(out), 0.0, 1.0)
    low = min(0.0, float(out[finite].min()))
    high = float(out[finite].max())
    scaled = (out - low) / (high - low) if high > low else np.ones_like(out)
    scaled[np.isposinf(out)] = 1.0
    scaled[np.isnan(out) | np.isneginf(out)] = 0.0
    return scaled


def importance(result: SelectionResult) -> list[float]:
    """Per pick: the product over strategies of their normalised value at that pick."""
    total = np.ones(len(result.indices))
    for report in result.strategies:
        if len(report.values_at_pick) == len(result.indices) and result.indices:
            total *= _normalised(np.array(report.values_at_pick))
    return [round(float(v), 9) for v in total]


def rank(plan: SamplingPlan, inputs: SamplingInputs) -> Ranking:
    """Run the engine for the plan; ``ValueError`` for inputs it cannot rank."""
    candidates = candidates_of(inputs)
    total = plan.total(len(inputs.query))
    wanted = None if total is None else max(0, total - len(inputs.preselected))
    n_rank = len(candidates)
    if wanted is not None:
        n_rank = max(wanted, min(len(candidates), RANK_AT_LEAST))
    resolved, preselected = resolve(plan, inputs, candidates)
    result = select(resolved, n_rank, preselected=preselected)
    picks = [candidates[i] for i in result.indices]
    n_selected = len(picks) if wanted is None else min(wanted, len(picks))
    return Ranking(picks, importance(result), n_selected, candidates, result)


def pca_2d(embeddings: np.ndarray) -> np.ndarray:
    """The rows projected on their first two principal components, shape (N, 2), float64.

    SVD of the centred rows; each axis's sign makes its largest absolute loading positive, so
    the result is deterministic. Fewer than two components are zero-padded.
    """
    x = np.asarray(embeddings, dtype=np.float64)
    out = np.zeros((x.shape[0], 2))
    if x.shape[0] == 0 or x.ndim != 2 or x.shape[1] == 0:
        return out
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    for j in range(k):
        axis = vt[j]
        if axis[np.argmax(np.abs(axis))] < 0:
            axis = -axis
        out[:, j] = centred @ axis
    return out
