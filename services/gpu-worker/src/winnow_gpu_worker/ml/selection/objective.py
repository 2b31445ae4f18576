"""The contract between the greedy loop and each non-THRESHOLD strategy, and log-space scoring.

The loop maximises ``prod_s score_s(x) ** strength_s``. Products of many scores in [0, 1] raised
to strengths up to 1e9 under/overflow, so each candidate is ranked by two float64 sums instead:

- ``penalty``: the sum of ``strength_s`` over strategies where ``score_s(x) == 0`` (and of
  ``|strength_s|`` where the score is NaN, i.e. the input value is missing). Read a zero score
  as an infinitesimal ``eps``: the product behaves like ``eps ** penalty``, so any candidate
  with a smaller penalty beats any with a larger one. Hence a zero score with positive strength
  means "never pick unless nothing else is left", a zero score with negative strength means
  "pick first", and a missing value is always least preferred.
- ``log``: ``sum_s strength_s * log(score_s(x))`` over the positive scores.

Candidates are ranked by smallest penalty, then largest log, then lowest index.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import numpy.typing as npt

from winnow_gpu_worker.ml.selection.resolved import ResolvedStrategy
from winnow_gpu_worker.ml.selection.result import Stop, StrategyReport

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


class Terms:
    """The two ranking sums under construction: ``log`` (dense) and ``penalty``.

    Penalties are sparse (zero or missing scores, forbidden samples), so a step starts from the
    shared base penalty array and copies it into its own buffer only on the first ``bump``.
    An infinite penalty marks a sample that cannot be picked (filtered out or already taken).
    """

    def __init__(
        self, log: FloatArray, penalty: FloatArray, scratch: FloatArray | None = None
    ) -> None:
        self.log = log
        self.penalty = penalty
        self._scratch = scratch  # None: ``penalty`` is ours to modify in place

    def bump(self, index: IntArray, amount: FloatArray | float) -> None:
        """Add ``amount`` to the penalty of the samples ``index``."""
        if index.size == 0:
            return
        if self._scratch is not None:
            np.copyto(self._scratch, self.penalty)
            self.penalty, self._scratch = self._scratch, None
        self.penalty[index] += amount

    def add_log(self, logs: npt.NDArray[np.floating], strength: float) -> None:
        """``log += strength * logs``; ``logs`` may be overwritten (it is a scratch buffer)."""
        if strength != 1:
            np.multiply(logs, strength, out=logs)
        np.add(self.log, logs, out=self.log)


def add_scores(
    terms: Terms,
    scores: npt.NDArray[np.floating],
    strength: float,
    *,
    available: BoolArray | None = None,
    out: npt.NDArray[np.floating] | None = None,
) -> None:
    """Add ``scores ** strength`` to ``terms``.

    Scores are >= 0 (NaN = missing); they need not be scaled to max 1, since a factor common to
    all candidates of a step never changes the ranking.

    ``out`` (same shape as ``scores``) is scratch space for the logs, so a per-step caller need
    not allocate. Zero/NaN scores of samples outside ``available`` are not penalised: those
    samples cannot be picked anyway, and skipping them keeps the step's penalty array shared
    (DIVERSITY: every selected sample has distance 0).
    """
    if strength == 0:
        return
    # Zero/NaN are few, so find them once and fix them by index rather than with more
    # full-length passes.
    bad = np.flatnonzero(~(scores > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(scores, out=out)
    if bad.size:
        missing = np.isnan(scores[bad])
        logs[bad] = 0.0
        if available is not None:
            keep = available[bad]
            bad, missing = bad[keep], missing[keep]
        terms.bump(bad, np.where(missing, abs(strength), strength))
    terms.add_log(logs, strength)


class Objective(ABC):
    """One non-THRESHOLD strategy inside the greedy loop.

    Static objectives add their (constant) terms once via ``add_static_terms``; dynamic ones add
    theirs every step via ``add_terms``. The loop then picks a candidate, asks every objective
    ``stop_before(pick)``, commits the pick with ``picked`` and asks ``stop_after()``.
    """

    dynamic: bool = False
    #: True when ``forbidden``/``accepts`` can exclude candidates (WEIGHTS ``targetRange``).
    restricts: bool = False

    def __init__(self, index: int, resolved: ResolvedStrategy) -> None:
        self.index = index
        self.strength = resolved.strength
        self.report = StrategyReport(
            index=index,
            kind=resolved.kind,
            input_type=resolved.input_type,
            strength=self.strength,
        )

    @property
    def label(self) -> str:
        """How messages name this strategy, e.g. ``DIVERSITY (strategies[0])``."""
        return f"{self.report.kind.value} (strategies[{self.index}])"

    def add_static_terms(self, terms: Terms) -> None:  # noqa: B027
        """Add constant ranking terms once (static objectives)."""

    def add_terms(self, terms: Terms, available: BoolArray) -> None:  # noqa: B027
        """Add this step's ranking terms (dynamic objectives)."""

    def forbidden(self, available: BoolArray) -> IntArray:
        """Available samples this objective forbids at this step (``restricts`` objectives)."""
        return np.empty(0, dtype=np.intp)

    def accepts(self, index: int) -> bool:
        """Scalar ``forbidden``: may ``index`` be picked now."""
        return True

    @property
    def monotone(self) -> bool:
        """True when a sample forbidden now stays forbidden for the whole run."""
        return True

    def stop_before(self, pick: int) -> Stop | None:
        """A stopping condition on the sample about to be picked (it is then not picked)."""
        return None

    @abstractmethod
    def picked(self, pick: int, available: BoolArray) -> None:
        """Commit ``pick`` (chosen among ``available``): record its value, update state."""

    def stop_after(self) -> Stop | None:
        """A stopping condition on the selection so far (checked after each pick)."""
        return None

    def finish(self) -> None:  # noqa: B027
        """Fill ``report.summary`` once the loop has ended."""
