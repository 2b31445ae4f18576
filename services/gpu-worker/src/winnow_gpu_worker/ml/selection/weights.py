"""WEIGHTS: prefer samples with high input values (constant scores).

Score: with all candidate values >= 0, ``value / max`` (a sample with twice the value scores
twice as high, which keeps the product with other strategies meaningful); if some candidate
value is negative, min-max scaling ``(value - min) / (max - min)`` (the lowest candidate then
scores 0). If all candidates share one value (or all are 0) every score is 1. NaN (missing) has
no score and ranks last (see ``objective``). Candidates are the samples left after THRESHOLD.

Sums use the raw values of the selected samples (NaN counts as 0):

- ``stopping_condition_max_sum``: after each pick, stop once the sum is >= it. The sample that
  reaches the limit is kept, so the sum can exceed it by at most that sample's value.
- ``targetRange {minSum, maxSum}``: a constraint, not a stopping condition. A candidate whose
  value would push the sum above ``maxSum`` is skipped (the next best is taken), so the sum never
  exceeds ``maxSum``; the selection ends when nothing fits. ``minSum`` cannot be enforced by a
  greedy loop capped at ``n``: the report says whether the final sum landed inside the range.
"""

from __future__ import annotations

import numpy as np

from winnow_gpu_worker.ml.selection.arrays import scalar_values
from winnow_gpu_worker.ml.selection.combinations import parse_target_range
from winnow_gpu_worker.ml.selection.objective import (
    BoolArray,
    FloatArray,
    IntArray,
    Objective,
    Terms,
    add_scores,
)
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import Stop, StopCode


def _tolerance(limit: float) -> float:
    # Sums of floats drift (0.1 + 0.2 > 0.3); a relative slack keeps exact fits feasible.
    return 1e-9 * max(1.0, abs(limit))


def weight_scores(values: FloatArray, candidates: BoolArray) -> FloatArray:
    """Map raw values to scores in [0, 1] (NaN stays NaN); scale taken over ``candidates``."""
    pool = values[candidates & ~np.isnan(values)]
    if pool.size == 0:
        return values.copy()
    lo, hi = float(pool.min()), float(pool.max())
    if hi == lo:
        return np.where(np.isnan(values), np.nan, 1.0)
    scores = values / hi if lo >= 0 else (values - lo) / (hi - lo)
    # Thresholded-out samples may fall outside the candidates' range; they are never ranked,
    # the clip only keeps the array inside its documented [0, 1].
    return np.clip(scores, 0.0, 1.0)


class WeightsObjective(Objective):
    """Constant scores plus the running sum behind max_sum and targetRange."""

    def __init__(
        self, index: int, resolved: ResolvedStrategy, n: int, candidates: BoolArray
    ) -> None:
        super().__init__(index, resolved)
        st = resolved.entry.strategy
        self._raw = scalar_values(resolved.values, n, index)
        self._summable = np.nan_to_num(self._raw, nan=0.0)
        self._scores = weight_scores(self._raw, candidates)
        self._max_sum = st.stopping_condition_max_sum
        self._min_target, self._max_target = (
            parse_target_range(st.target_range) if st.target_range is not None else (None, None)
        )
        self.restricts = self._max_target is not None
        self._monotone = bool((self._summable[candidates] >= 0).all())
        self._total = 0.0

    def add_static_terms(self, terms: Terms) -> None:
        add_scores(terms, self._scores, self.strength)

    def forbidden(self, available: BoolArray) -> IntArray:
        if self._max_target is None:
            return np.empty(0, dtype=np.intp)
        limit = self._max_target + _tolerance(self._max_target)
        return np.flatnonzero(available & (self._total + self._summable > limit))

    def accepts(self, index: int) -> bool:
        if self._max_target is None:
            return True
        limit = self._max_target + _tolerance(self._max_target)
        return bool(self._total + self._summable[index] <= limit)

    @property
    def monotone(self) -> bool:
        # With no negative values the sum only grows: a candidate too big now stays too big.
        return self._monotone

    def picked(self, pick: int, available: BoolArray) -> None:
        self.report.values_at_pick.append(float(self._raw[pick]))
        self._total += float(self._summable[pick])

    def stop_after(self) -> Stop | None:
        if self._max_sum is not None and self._total >= self._max_sum - _tolerance(self._max_sum):
            return Stop(
                StopCode.MAX_SUM,
                f"max sum reached for {self.label}: the selected values sum to "
                f"{self._total:.6g} >= stoppingConditionMaxSum {self._max_sum:g}",
                self.index,
            )
        return None

    def finish(self) -> None:
        lo, hi = self._min_target, self._max_target
        in_range = (lo is None or self._total >= lo - _tolerance(lo)) and (
            hi is None or self._total <= hi + _tolerance(hi)
        )
        self.report.summary = {
            "selected_sum": self._total,
            "stopping_condition_max_sum": self._max_sum,
            "target_range": None if lo is None and hi is None else {"min_sum": lo, "max_sum": hi},
            "target_range_reached": in_range if (lo is not None or hi is not None) else None,
            "n_missing_values": int(np.isnan(self._raw).sum()),
        }
