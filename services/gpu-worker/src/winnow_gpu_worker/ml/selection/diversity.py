"""DIVERSITY: prefer samples far from everything selected so far (k-center greedy).

Score = Euclidean distance to the nearest selected (or preselected) sample, divided by the
largest such distance among the current candidates, recomputed every step. Dividing every
candidate by the same number never changes which one wins, so the loop ranks by the raw distance
and skips the division. Before anything is selected (and nothing preselected) every candidate
scores 1: the first pick is the candidate best on the other strategies, ties to the lowest index.
A candidate at distance 0 (an exact duplicate of a selected sample) scores 0.

``stopping_condition_minimum_distance d``: the selection stops, without taking it, when the
sample about to be picked is closer than ``d`` to the selected set. With DIVERSITY alone that
pick is the farthest candidate, so no remaining candidate is ``d`` away; combined with other
strategies the stop can come earlier. Either way every pair of selected samples (and every
selected-preselected pair) is at least ``d`` apart (up to float32 rounding).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from winnow_gpu_worker.ml.kcenter import MinDistanceTracker
from winnow_gpu_worker.ml.selection.arrays import embedding_matrix
from winnow_gpu_worker.ml.selection.objective import BoolArray, Objective, Terms, add_scores
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import Stop, StopCode


class DiversityObjective(Objective):
    """Distances live in ``MinDistanceTracker``; this class turns them into ranking terms."""

    dynamic = True

    def __init__(
        self,
        index: int,
        resolved: ResolvedStrategy,
        n: int,
        preselected: np.ndarray | None,
        *,
        expected_steps: int | None = None,
    ) -> None:
        super().__init__(index, resolved)
        x = embedding_matrix(resolved.values, n, index)
        # the kernel "auto" picks pays its build back over this many picks (the selection's)
        steps = max(1, expected_steps) if expected_steps is not None else None
        self._tracker = MinDistanceTracker(x, expected_steps=steps)
        self._min_distance = resolved.entry.strategy.stopping_condition_minimum_distance
        self._has_selection = False
        self._n_preselected = 0
        if preselected is not None:
            points = embedding_matrix(preselected, None, index, "preselected embeddings")
            if points.shape[1] != x.shape[1]:
                raise ValueError(
                    f"strategies[{index}]: preselected embeddings have dimension "
                    f"{points.shape[1]}, the DIVERSITY embeddings {x.shape[1]}"
                )
            if len(points):
                self._tracker.add_points(points)
                self._has_selection = True
                self._n_preselected = len(points)
        self._distances: npt.NDArray[np.floating] | None = None
        self._scratch = np.empty(n, dtype=np.float32)  # per-step logs, reused

    def _current(self) -> npt.NDArray[np.floating]:
        # The tracker's property takes a square root over N values: once per step is enough.
        if self._distances is None:
            self._distances = self._tracker.min_distance
        return self._distances

    def add_terms(self, terms: Terms, available: BoolArray) -> None:
        if not self._has_selection or self.strength == 0:
            return  # everything scores 1 (or the strategy is switched off)
        distances = self._current()
        scratch = self._scratch if distances.dtype == self._scratch.dtype else None
        add_scores(terms, distances, self.strength, available=available, out=scratch)

    def distance_of(self, index: int) -> float:
        """Distance of ``index`` to the selected set (``inf`` while that set is empty)."""
        return self._tracker.distance(index) if self._has_selection else math.inf

    def farthest(self) -> int | None:
        """The candidate this strategy alone ranks first: farthest from the selected set.

        Ties go to the lowest index (before any selection: index 0). Only valid when every
        unselected row is a candidate (the engine's DIVERSITY-only fast path checks that).
        """
        return self._tracker.farthest()

    def stop_before(self, pick: int) -> Stop | None:
        if self._min_distance is None or not self._has_selection:
            return None
        d = self.distance_of(pick)
        if d < self._min_distance:
            return Stop(
                StopCode.MIN_DISTANCE,
                f"minimum distance reached for {self.label}: the next sample is {d:.6g} from "
                f"the selected set, below stopping_condition_minimum_distance "
                f"{self._min_distance:g}",
                self.index,
            )
        return None

    def picked(self, pick: int, available: BoolArray) -> None:
        self.report.values_at_pick.append(self.distance_of(pick))
        self._tracker.add(pick)
        self._has_selection = True
        self._distances = None

    def finish(self) -> None:
        finite = [d for d in self.report.values_at_pick if math.isfinite(d)]
        self.report.summary = {
            "n_preselected": self._n_preselected,
            "stopping_condition_minimum_distance": self._min_distance,
            "min_distance_at_pick": min(finite) if finite else None,
        }
