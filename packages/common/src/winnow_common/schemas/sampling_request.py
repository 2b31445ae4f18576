"""lightly's ``SamplingCreateRequest`` as selection config entries of Winnow's engine.

The API translates a request when it is posted (an unsupported method or stopping condition is
a 400 naming the field, never a FAILED job) and stores the plan's inputs; the GPU worker
translates the stored request again and runs the same engine as a worker run:

- ``CORESET``: EMBEDDINGS + DIVERSITY (``minDistance`` is its
  ``stopping_condition_minimum_distance``);
- ``RANDOM``: RANDOM (the job's seed) + WEIGHTS;
- ``ACTIVE_LEARNING``: SCORES (the uploaded scores of ``scoreType`` on the query tag) + WEIGHTS;
- ``CORAL``: both CORESET's and ACTIVE_LEARNING's entries (their product is ranked).

``nSamples`` counts the preselected samples too (lightly's ``SelectionConfig``: "the maximum
number of samples to be chosen by the selection including the samples in the preselected
tag"): a count ``1..N`` (an integral float too), a fraction ``(0, 1]`` of the query set, or
``-1``/absent for no count; a negative ``minDistance`` is no distance condition (the client's
defaults are ``nSamples=32``, ``minDistance=-1``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.errors import BadRequest
from winnow_common.schemas.selection_config import (
    SelectionEntry,
    SelectionInput,
    SelectionStrategy,
)
from winnow_common.schemas.wire_sampling import SamplingCreateRequest, SamplingMethod

_STOP = "config.stoppingCondition"
# The SCORES input's ``task`` (a sampling job's scores are a tag's uploaded scores, not a task).
UPLOADED_SCORES_TASK = "uploaded"
_DISTANCE_METHODS = (SamplingMethod.CORESET, SamplingMethod.CORAL)
_SCORE_METHODS = (SamplingMethod.ACTIVE_LEARNING, SamplingMethod.CORAL)
# Larger counts are refused (a float cannot hold every integer above 2**53).
MAX_COUNT = 2**53


@dataclass(frozen=True)
class SamplingPlan:
    """What the engine runs: ``entries`` over the candidates, for a total of ``n_total`` (a
    count) or ``proportion`` (of the query set) samples including the preselected ones; both
    ``None``: every candidate, until a stopping condition fires."""

    method: SamplingMethod
    entries: list[SelectionEntry]
    n_total: int | None
    proportion: float | None
    min_distance: float | None

    @property
    def uses_scores(self) -> bool:
        """Whether the plan reads uploaded active-learning scores."""
        return any(e.input.type is SelectionInputType.SCORES for e in self.entries)

    def total(self, n_query: int) -> int | None:
        """How many samples the tag should hold, preselected included (``None``: no count)."""
        if self.n_total is not None:
            return self.n_total
        if self.proportion is not None:
            return math.ceil(Fraction(repr(self.proportion)) * n_query)
        return None


def needs_scores(body: SamplingCreateRequest) -> bool:
    """Whether the request's method ranks by uploaded active-learning scores."""
    return SamplingMethod(body.method) in _SCORE_METHODS


def _count(n_samples: int | float | None) -> tuple[int | None, float | None]:
    """``(count, fraction)`` of ``nSamples``; ``(None, None)`` for ``-1``/absent."""
    if n_samples is None or n_samples == -1:
        return None, None
    if abs(n_samples) > MAX_COUNT:
        raise BadRequest(f"{_STOP}.nSamples: more than {MAX_COUNT} samples")
    if isinstance(n_samples, float) and 0 < n_samples <= 1:
        return None, n_samples
    if n_samples >= 1 and float(n_samples).is_integer():
        return int(n_samples), None
    raise BadRequest(
        f"{_STOP}.nSamples: {n_samples} is neither -1, a fraction in (0, 1] nor a whole "
        "count of at least 1"
    )


def _min_distance(body: SamplingCreateRequest, method: SamplingMethod) -> float | None:
    stop = body.config.stopping_condition
    value = stop.min_distance if stop is not None else None
    if value is None or value < 0:
        return None
    if method not in _DISTANCE_METHODS:
        raise BadRequest(
            f"{_STOP}.minDistance: only CORESET and CORAL stop on a distance, not {method.value}"
            " (send -1 or leave it out)"
        )
    return float(value)


def _entries(
    method: SamplingMethod, min_distance: float | None, score_type: str | None, seed: int
) -> list[SelectionEntry]:
    entries: list[SelectionEntry] = []
    if method in _DISTANCE_METHODS:
        entries.append(
            SelectionEntry(
                input=SelectionInput(type=SelectionInputType.EMBEDDINGS),
                strategy=SelectionStrategy(
                    type=SelectionStrategyType.DIVERSITY,
                    stopping_condition_minimum_distance=min_distance,
                ),
            )
        )
    if method in _SCORE_METHODS:
        entries.append(
            SelectionEntry(
                input=SelectionInput(
                    type=SelectionInputType.SCORES, task=UPLOADED_SCORES_TASK, score=score_type
                ),
                strategy=SelectionStrategy(type=SelectionStrategyType.WEIGHTS),
            )
        )
    if method is SamplingMethod.RANDOM:
        entries.append(
            SelectionEntry(
                input=SelectionInput(type=SelectionInputType.RANDOM, random_seed=seed),
                strategy=SelectionStrategy(type=SelectionStrategyType.WEIGHTS),
            )
        )
    return entries


def sampling_plan(
    body: SamplingCreateRequest, *, random_seed: int, score_type: str | None = None
) -> SamplingPlan:
    """Translate a request; ``BadRequest`` naming the field for anything the engine cannot do.

    ``score_type`` is the score type the job reads (``body.scoreType`` or the one the caller
    resolved for it); required by ACTIVE_LEARNING and CORAL, refused by the other methods.
    """
    method = SamplingMethod(body.method)
    if body.score_type is not None and method not in _SCORE_METHODS:
        raise BadRequest(
            f"scoreType: only ACTIVE_LEARNING and CORAL use scores, not {method.value}"
        )
    if method in _SCORE_METHODS and score_type is None:
        raise BadRequest(f"scoreType: {method.value} needs uploaded scores (upload_scores)")
    if body.config.stopping_condition is None:
        raise BadRequest(f"{_STOP}: missing; set nSamples and/or minDistance")
    n_total, proportion = _count(body.config.stopping_condition.n_samples)
    min_distance = _min_distance(body, method)
    if n_total is None and proportion is None and min_distance is None:
        raise BadRequest(
            f"{_STOP}: set nSamples (a count or a fraction) or, for CORESET and CORAL, "
            "minDistance; both are unset"
        )
    return SamplingPlan(
        method=method,
        entries=_entries(method, min_distance, score_type, random_seed),
        n_total=n_total,
        proportion=proportion,
        min_distance=min_distance,
    )
