"""lightly's SamplingCreateRequest -> the selection engine's entries (sampling_request)."""

from __future__ import annotations

from typing import Any

import pytest

from winnow_common.enums import SelectionInputType as I
from winnow_common.enums import SelectionStrategyType as S
from winnow_common.errors import BadRequest
from winnow_common.schemas.sampling_request import UPLOADED_SCORES_TASK, sampling_plan
from winnow_common.schemas.selection_rules import validate_combination
from winnow_common.schemas.wire_sampling import SamplingCreateRequest


def _request(method: str, n: Any = 32, d: Any = -1, **extra: Any) -> SamplingCreateRequest:
    """The body lightly's ``selection()`` sends (SelectionConfig defaults n=32, d=-1)."""
    stop = {k: v for k, v in (("nSamples", n), ("minDistance", d)) if v is not None}
    return SamplingCreateRequest.model_validate(
        {"newTagName": "sel-1", "method": method, "config": {"stoppingCondition": stop}, **extra}
    )


def _kinds(plan: Any) -> list[tuple[I, S]]:
    return [(e.input.type, e.strategy.type) for e in plan.entries]


def test_coreset_is_diversity_on_embeddings_with_the_client_defaults() -> None:
    plan = sampling_plan(_request("CORESET"), random_seed=1)
    assert _kinds(plan) == [(I.EMBEDDINGS, S.DIVERSITY)]
    assert plan.entries[0].strategy.stopping_condition_minimum_distance is None
    assert (plan.n_total, plan.proportion, plan.min_distance) == (32, None, None)
    assert plan.total(1000) == 32 and not plan.uses_scores


def test_coreset_min_distance_with_no_count() -> None:
    plan = sampling_plan(_request("CORESET", n=-1, d=0.25), random_seed=1)
    assert plan.entries[0].strategy.stopping_condition_minimum_distance == 0.25
    assert plan.total(1000) is None and plan.min_distance == 0.25


def test_random_uses_the_jobs_seed() -> None:
    plan = sampling_plan(_request("RANDOM", n=5), random_seed=77)
    assert _kinds(plan) == [(I.RANDOM, S.WEIGHTS)]
    assert plan.entries[0].input.random_seed == 77


def test_active_learning_and_coral_read_the_uploaded_scores() -> None:
    al = sampling_plan(_request("ACTIVE_LEARNING", n=3), random_seed=1, score_type="margin")
    assert _kinds(al) == [(I.SCORES, S.WEIGHTS)] and al.uses_scores
    assert (al.entries[0].input.task, al.entries[0].input.score) == (UPLOADED_SCORES_TASK, "margin")
    coral = sampling_plan(_request("CORAL", n=3, d=0.1), random_seed=1, score_type="margin")
    assert _kinds(coral) == [(I.EMBEDDINGS, S.DIVERSITY), (I.SCORES, S.WEIGHTS)]
    for i, plan in enumerate((al, coral)):
        for entry in plan.entries:
            validate_combination(entry, index=i)  # the engine accepts every entry


@pytest.mark.parametrize(
    ("n", "count", "proportion", "total_of_40"),
    [
        (10, 10, None, 10),
        (10.0, 10, None, 10),
        (0.25, None, 0.25, 10),
        (1.0, None, 1.0, 40),
        (0.1, None, 0.1, 4),
        (1, 1, None, 1),
    ],
)
def test_n_samples_is_a_count_or_a_fraction(
    n: Any, count: int | None, proportion: float | None, total_of_40: int
) -> None:
    plan = sampling_plan(_request("CORESET", n=n), random_seed=1)
    assert (plan.n_total, plan.proportion, plan.total(40)) == (count, proportion, total_of_40)


@pytest.mark.parametrize(
    ("body", "score_type", "field"),
    [
        (_request("CORESET", n=0), None, "config.stoppingCondition.nSamples:"),
        (_request("CORESET", n=2.5), None, "config.stoppingCondition.nSamples:"),
        (_request("CORESET", n=-3), None, "config.stoppingCondition.nSamples:"),
        (_request("CORESET", n=10**400), None, "config.stoppingCondition.nSamples:"),
        (_request("CORESET", n=1e300), None, "config.stoppingCondition.nSamples:"),
        (_request("CORESET", n=-1, d=-1), None, "config.stoppingCondition:"),
        (_request("CORESET", n=None, d=None), None, "config.stoppingCondition:"),
        (_request("RANDOM", n=5, d=0.2), None, "config.stoppingCondition.minDistance:"),
        (_request("RANDOM", n=-1, d=0.2), None, "config.stoppingCondition.minDistance:"),
        (_request("ACTIVE_LEARNING", n=5), None, "scoreType:"),
        (_request("CORESET", n=5, scoreType="margin"), "margin", "scoreType:"),
    ],
)
def test_what_the_engine_cannot_do_is_a_400_naming_the_field(
    body: SamplingCreateRequest, score_type: str | None, field: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        sampling_plan(body, random_seed=1, score_type=score_type)
    assert caught.value.message.startswith(field), caught.value.message


def test_missing_stopping_condition_is_a_400() -> None:
    body = SamplingCreateRequest.model_validate(
        {"newTagName": "sel-1", "method": "CORESET", "config": {}}
    )
    with pytest.raises(BadRequest, match=r"^config.stoppingCondition: missing"):
        sampling_plan(body, random_seed=1)


def test_counts_are_strict_numbers_as_in_lightlys_model() -> None:
    with pytest.raises(ValueError, match="nSamples"):
        _request("CORESET", n=True)
    with pytest.raises(ValueError, match="nSamples"):
        _request("CORESET", n="5")
