"""The selection loop: THRESHOLD filters first, then one greedy pick per step.

Every step ranks the remaining candidates by ``prod_s score_s(x) ** strength_s`` over the
non-THRESHOLD strategies (in log space, see ``objective``), takes the best (ties: lowest index),
and updates the strategies whose scores depend on what is selected (DIVERSITY, BALANCE). Each
step is a handful of vectorised O(N) passes plus the tracker update.

When no strategy is dynamic the ranking never changes, so it is sorted once and walked in order
(same picks as the step-by-step loop, O(N log N) instead of O(n * N)); that keeps RANDOM/WEIGHTS
selections of many samples from large inputs fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from winnow_common.enums import SelectionStrategyType
from winnow_common.schemas.selection_rules import validate_combination
from winnow_gpu_worker.ml.selection.arrays import row_count
from winnow_gpu_worker.ml.selection.balance import BalanceObjective
from winnow_gpu_worker.ml.selection.diversity import DiversityObjective
from winnow_gpu_worker.ml.selection.objective import BoolArray, Objective, Terms
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import SelectionResult, Stop, StopCode, StrategyReport
from winnow_gpu_worker.ml.selection.similarity import SimilarityObjective
from winnow_gpu_worker.ml.selection.threshold import ThresholdFilter
from winnow_gpu_worker.ml.selection.typicality import TypicalityObjective
from winnow_gpu_worker.ml.selection.weights import WeightsObjective

Progress = Callable[[int, int], None]
_S = SelectionStrategyType


def select(
    strategies: Sequence[ResolvedStrategy],
    n: int,
    *,
    preselected: np.ndarray | None = None,
    progress: Progress | None = None,
) -> SelectionResult:
    """Select up to ``n`` sample indices (in pick order) according to ``strategies``.

    ``preselected`` are embeddings ``(P, D)`` of samples selected in earlier runs (datapool):
    every DIVERSITY strategy without its own ``ResolvedStrategy.preselected`` counts them as
    selected from the start. ``progress(done, total)`` is called after each pick, ``total``
    being ``min(n, number of candidates)``.

    Raises ``ValueError`` for an invalid entry (see ``validate_combination``) or arrays of the
    wrong shape. ``n <= 0`` selects nothing.
    """
    if not strategies:
        raise ValueError("selection needs at least one strategy")
    for i, resolved in enumerate(strategies):
        validate_combination(resolved.entry, index=i)
    n_input = row_count(strategies[0].values)
    for i, resolved in enumerate(strategies):
        if row_count(resolved.values) != n_input:
            raise ValueError(
                f"strategies[{i}]: {row_count(resolved.values)} rows, strategies[0] has {n_input}"
            )

    filters = [
        ThresholdFilter(i, s, n_input) for i, s in enumerate(strategies) if s.kind is _S.THRESHOLD
    ]
    candidates = np.ones(n_input, dtype=bool)
    for f in filters:
        candidates &= f.mask
    n_candidates = int(candidates.sum())

    objectives: list[Objective] = []
    picks = max(0, min(n, n_candidates))
    if picks > 0:
        # Building scores can be costly (TYPICALITY is O(N^2)); skip it when nothing is picked.
        objectives = [
            _objective(i, s, n_input, candidates, preselected, picks)
            for i, s in enumerate(strategies)
            if s.kind is not _S.THRESHOLD
        ]
    loop = _Loop(n_input, candidates, objectives, filters, progress, picks)
    if _diversity_alone(objectives, n_candidates, n_input):
        stop = loop.run_farthest(n, objectives[0])  # type: ignore[arg-type]
    elif any(o.dynamic for o in objectives):
        stop = loop.run(n)
    else:
        stop = loop.run_static(n)
    for o in objectives:
        o.finish()

    # Strategies whose scores were never built (nothing to pick) still get an (empty) report.
    reports = {
        i: StrategyReport(index=i, kind=s.kind, input_type=s.input_type, strength=s.strength)
        for i, s in enumerate(strategies)
    }
    reports |= {f.report.index: f.report for f in filters} | {o.index: o.report for o in objectives}
    return SelectionResult(
        indices=loop.selected,
        stop_reason=stop.reason,
        stop_code=stop.code,
        stop_strategy=stop.strategy,
        n_input=n_input,
        n_candidates=n_candidates,
        strategies=[reports[i] for i in sorted(reports)],
    )


def _diversity_alone(objectives: list[Objective], n_candidates: int, n_input: int) -> bool:
    """One positive-strength DIVERSITY over all samples: the k-center loop gives the same picks.

    Its ranking is then the tracker's own argmax (ties to the lowest index, zero distances
    last), so the per-step score terms over all N samples can be skipped.
    """
    return (
        len(objectives) == 1
        and isinstance(objectives[0], DiversityObjective)
        and objectives[0].strength > 0
        and n_candidates == n_input
    )


def _objective(
    index: int,
    resolved: ResolvedStrategy,
    n_input: int,
    candidates: BoolArray,
    preselected: np.ndarray | None,
    picks: int,
) -> Objective:
    kind = resolved.kind
    if kind is _S.DIVERSITY:
        own = resolved.preselected if resolved.preselected is not None else preselected
        return DiversityObjective(index, resolved, n_input, own, expected_steps=picks)
    if kind is _S.WEIGHTS:
        return WeightsObjective(index, resolved, n_input, candidates)
    if kind is _S.BALANCE:
        return BalanceObjective(index, resolved, n_input, candidates)
    if kind is _S.SIMILARITY:
        return SimilarityObjective(index, resolved, n_input)
    if kind is _S.TYPICALITY:
        return TypicalityObjective(index, resolved, n_input)
    raise ValueError(f"strategies[{index}]: unsupported strategy {kind}")


class _Loop:
    """State shared by the two pick orders: selected indices, stop checks, reports."""

    def __init__(
        self,
        n_input: int,
        candidates: BoolArray,
        objectives: list[Objective],
        filters: list[ThresholdFilter],
        progress: Progress | None,
        total: int,
    ) -> None:
        self.available = candidates.copy()
        self.objectives = objectives
        self.filters = filters
        self.progress = progress
        self.total = total
        self.selected: list[int] = []
        # Constant terms are summed once. An infinite penalty marks what cannot be picked, so a
        # step's ranking needs no separate mask.
        self.base = Terms(np.zeros(n_input), np.where(candidates, 0.0, np.inf))
        for o in objectives:
            o.add_static_terms(self.base)
        self.restrictors = [o for o in objectives if o.restricts]

    def _n_reached(self, n: int) -> Stop | None:
        if len(self.selected) >= n:
            return Stop(StopCode.N_SAMPLES, "n_samples reached")
        return None

    def _no_candidates(self) -> Stop:
        if self.restrictors and self.available.any():
            return Stop(
                StopCode.NO_CANDIDATES,
                "no candidates left: every remaining sample would push a WEIGHTS sum above "
                "its targetRange maxSum",
            )
        return Stop(StopCode.NO_CANDIDATES, "no candidates left")

    def _commit(self, pick: int, n: int) -> Stop | None:
        """Stop checks on ``pick``, then record it; returns a stop that prevents/follows it."""
        for o in self.objectives:
            stop = o.stop_before(pick)
            if stop is not None:
                return stop
        for o in self.objectives:
            o.picked(pick, self.available)
        for f in self.filters:
            f.report.values_at_pick.append(float(f.values[pick]))
        self.selected.append(pick)
        self.available[pick] = False
        self.base.penalty[pick] = np.inf
        if self.progress is not None:
            self.progress(len(self.selected), self.total)
        if len(self.selected) < n:
            for o in self.objectives:
                stop = o.stop_after()
                if stop is not None:
                    return stop
        return None

    def run(self, n: int) -> Stop:
        """Re-rank every step (some strategy depends on the selection so far)."""
        dynamic = [o for o in self.objectives if o.dynamic]
        log_buffer = np.empty_like(self.base.log)
        penalty_buffer = np.empty_like(self.base.penalty)
        skip = np.empty(len(self.available), dtype=bool)
        while True:
            stop = self._n_reached(n)
            if stop is not None:
                return stop
            np.copyto(log_buffer, self.base.log)
            step = Terms(log_buffer, self.base.penalty, penalty_buffer)
            for o in self.restrictors:
                step.bump(o.forbidden(self.available), np.inf)
            for o in dynamic:
                o.add_terms(step, self.available)
            pick = _best(step, skip)
            if pick is None:
                return self._no_candidates()
            stop = self._commit(pick, n)
            if stop is not None:
                return stop

    def run_farthest(self, n: int, diversity: DiversityObjective) -> Stop:
        """DIVERSITY alone (see ``_diversity_alone``): pick the tracker's farthest row."""
        while True:
            stop = self._n_reached(n)
            if stop is not None:
                return stop
            pick = diversity.farthest()
            if pick is None:
                return self._no_candidates()
            stop = self._commit(pick, n)
            if stop is not None:
                return stop

    def run_static(self, n: int) -> Stop:
        """Walk one precomputed ranking (no strategy depends on the selection)."""
        stop = self._n_reached(n)
        if stop is not None:
            return stop
        idx = np.flatnonzero(self.available)
        # lexsort is stable and idx ascending: ties keep the lowest index first, as in run().
        order = idx[np.lexsort((-self.base.log[idx], self.base.penalty[idx]))].tolist()
        monotone = all(o.monotone for o in self.restrictors)
        taken = np.zeros(len(self.available), dtype=bool)
        start = 0
        while True:
            while start < len(order) and taken[order[start]]:
                start += 1
            pick, position = None, start
            for position in range(start, len(order)):
                i = order[position]
                if not taken[i] and all(o.accepts(i) for o in self.restrictors):
                    pick = i
                    break
            if pick is None:
                return self._no_candidates()
            if monotone:
                # Skipped samples were too big for a sum that only grows: never look back.
                start = position
            taken[pick] = True
            stop = self._commit(pick, n) or self._n_reached(n)
            if stop is not None:
                return stop


def _best(terms: Terms, skip: BoolArray) -> int | None:
    """Smallest penalty, then largest log, then lowest index; ``None`` if nothing is pickable.

    ``skip`` is a reusable buffer; ``terms.log`` is overwritten.
    """
    lowest = terms.penalty.min()
    if lowest == np.inf:
        return None
    np.not_equal(terms.penalty, lowest, out=skip)
    np.copyto(terms.log, -np.inf, where=skip)
    return int(np.argmax(terms.log))
