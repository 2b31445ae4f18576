"""BALANCE: steer the class distribution of the selection toward a target (rescored each step).

Each sample carries non-negative class amounts ``v`` (a probability vector, summed per-object
probabilities, or a one-hot category). The selection's distribution is ``p = c / sum(c)`` with
``c`` the summed amounts of the selected samples.

Target ``t``:

- TARGET: the given fractions; classes not listed are pooled into one ``"(other)"`` bucket with
  target ``max(1 - sum(target), 0)`` (classes inside the bucket are not balanced among
  themselves). Target classes no sample has get a zero column.
- UNIFORM: ``1 / C`` for each of the C classes.
- INPUT: the class frequencies among the candidates (samples passing THRESHOLD).

Then classes no candidate has are dropped from the target and the rest is renormalised to sum
to 1: mass nobody can supply would otherwise make every real class look over-represented.

Score. Adding ``e`` units of a sample with composition ``q = v / sum(v)`` changes
``KL(t || p)`` at first order by ``-e * (sum_c q_c * t_c / p_c - 1) / sum(c)``, so the score is
``sum_c q_c * rho_c`` with ``rho_c = t_c / p_c`` (how under-represented class c is), divided by
the best candidate's value so the best scores 1 (the division does not change the ranking).
The score looks at where a sample's mass goes, not how much it has (an image with ten cars and
one with a single car score the same when cars are wanted).
``p`` is smoothed with one unit of pseudo-count spread as the target,
``p = (c + t) / (sum(c) + 1)``: before the first pick ``rho`` is 1 for every wanted class, so
BALANCE does not decide the first pick (unless some samples carry target-0 classes), and a
class not selected yet gets a finite, large ``rho``.
Samples without any class amount do not move the distribution and get the neutral value 1
(what a class exactly at its target gets); samples purely of classes with target 0 score 0.
Unlike a distance-to-target difference, this score does not shrink as the selection grows, so
BALANCE keeps its weight against DIVERSITY for the whole run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from winnow_gpu_worker.ml.selection.objective import (
    BoolArray,
    FloatArray,
    Objective,
    Terms,
    add_scores,
)
from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy

OTHER_CLASS = "(other)"


def encode_categories(
    labels: Sequence[str | None], class_names: Sequence[str] | None = None
) -> tuple[npt.NDArray[np.float64], list[str]]:
    """One-hot ``(N, C)`` rows for categorical metadata (``None`` = missing, an all-zero row).

    Class names default to the sorted distinct labels; labels outside ``class_names`` get a zero
    row.
    """
    names = (
        sorted({x for x in labels if x is not None}) if class_names is None else list(class_names)
    )
    column = {name: j for j, name in enumerate(names)}
    out = np.zeros((len(labels), len(names)), dtype=np.float64)
    for i, label in enumerate(labels):
        j = column.get(label) if label is not None else None
        if j is not None:
            out[i, j] = 1.0
    return out, names


def class_amounts(values: np.ndarray, n: int, index: int) -> FloatArray:
    """Validated ``(N, C)`` float64 class amounts; NaN (missing) becomes 0."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != n or arr.shape[1] == 0:
        raise ValueError(
            f"strategies[{index}]: BALANCE values must have shape ({n}, C) with C >= 1, "
            f"got {arr.shape}"
        )
    arr = np.nan_to_num(arr, nan=0.0, posinf=np.inf)
    if np.isinf(arr).any() or (arr < 0).any():
        raise ValueError(f"strategies[{index}]: BALANCE class amounts must be finite and >= 0")
    return arr


def build_target(
    amounts: FloatArray,
    names: list[str],
    distribution: str,
    target: dict[str, float] | None,
    candidates: BoolArray,
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Return ``(amounts', t, names')``: columns regrouped for the target, and the target."""
    if distribution == "TARGET":
        assert target is not None  # validate_combination
        column = {name: j for j, name in enumerate(names)}
        n = amounts.shape[0]
        cols = [amounts[:, column[c]] if c in column else np.zeros(n) for c in target]
        t = [float(target[c]) for c in target]
        out_names = list(target)
        unlisted = [j for j, name in enumerate(names) if name not in target]
        if unlisted:
            cols.append(amounts[:, unlisted].sum(axis=1))
            t.append(max(1.0 - sum(t), 0.0))
            out_names.append(OTHER_CLASS)
        regrouped = np.stack(cols, axis=1)
        t_arr = np.asarray(t, dtype=np.float64)
    elif distribution == "UNIFORM":
        regrouped, out_names = amounts, list(names)
        t_arr = np.full(len(names), 1.0 / len(names))
    elif distribution == "INPUT":
        regrouped, out_names = amounts, list(names)
        totals = amounts[candidates].sum(axis=0)
        t_arr = totals / totals.sum() if totals.sum() > 0 else np.zeros(len(names))
    else:
        raise ValueError(f"unknown BALANCE distribution {distribution!r}")
    present = regrouped[candidates].sum(axis=0) > 0
    t_arr = np.where(present, t_arr, 0.0)
    if t_arr.sum() > 0:
        t_arr = t_arr / t_arr.sum()
    return regrouped, t_arr, out_names


class BalanceObjective(Objective):
    """Tracks the selected class amounts and rescores every candidate each step."""

    dynamic = True

    def __init__(
        self, index: int, resolved: ResolvedStrategy, n: int, candidates: BoolArray
    ) -> None:
        super().__init__(index, resolved)
        st = resolved.entry.strategy
        amounts = class_amounts(resolved.values, n, index)
        names = (
            [str(j) for j in range(amounts.shape[1])]
            if resolved.class_names is None
            else [str(c) for c in resolved.class_names]
        )
        if len(names) != amounts.shape[1] or len(set(names)) != len(names):
            raise ValueError(
                f"strategies[{index}]: BALANCE needs {amounts.shape[1]} distinct class names, "
                f"got {len(names)}"
            )
        if st.distribution in (None, "TARGET") and resolved.class_names is None:
            raise ValueError(f"strategies[{index}]: BALANCE with a target needs class_names")
        distribution = st.distribution or "TARGET"
        self._amounts, self._target, self._names = build_target(
            amounts, names, distribution, st.target, candidates
        )
        totals = self._amounts.sum(axis=1)
        self._neutral = totals <= 0
        # Row compositions q; rows without any amount are scored separately (neutral).
        self._composition = self._amounts / np.where(self._neutral, 1.0, totals)[:, None]
        self._input_totals = self._amounts[candidates].sum(axis=0)
        self._selected = np.zeros(len(self._names))
        self._scores: FloatArray | None = None
        self._scratch = np.empty(n, dtype=np.float64)  # per-step logs, reused

    def _current(self) -> FloatArray:
        if self._scores is None:
            p = (self._selected + self._target) / (self._selected.sum() + 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                rho = np.where(self._target > 0, self._target / p, 0.0)
            scores = self._composition @ rho
            scores[self._neutral] = 1.0
            self._scores = scores
        return self._scores

    def add_terms(self, terms: Terms, available: BoolArray) -> None:
        if self.strength != 0:
            add_scores(
                terms, self._current(), self.strength, available=available, out=self._scratch
            )

    def picked(self, pick: int, available: BoolArray) -> None:
        scores = self._current()
        best = float(np.max(scores, where=available, initial=0.0))
        self.report.values_at_pick.append(float(scores[pick]) / best if best > 0 else 0.0)
        self._selected += self._amounts[pick]
        self._scores = None

    def finish(self) -> None:
        def dist(totals: npt.NDArray[np.float64]) -> dict[str, float]:
            total = float(totals.sum())
            return {
                name: (float(v) / total if total > 0 else 0.0)
                for name, v in zip(self._names, totals, strict=True)
            }

        self.report.summary = {
            "class_names": list(self._names),
            "target": dict(zip(self._names, map(float, self._target), strict=True)),
            "input_distribution": dist(self._input_totals),
            "selected_distribution": dist(self._selected),
        }
