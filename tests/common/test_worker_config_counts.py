"""How many samples a config selects, and the selection inputs refused until they exist (issue 12
semantics fixes): the legacy ``stopping_condition.n_samples`` (an integer count, or a fraction up
to 1.0), exactly one of ``nSamples`` / ``proportionSamples``, EMBEDDINGS with a ``task``."""

from __future__ import annotations

from typing import Any

import pytest

from winnow_common.errors import InvalidWorkerConfig
from winnow_common.schemas.worker_config import object_level_task, parse_worker_config

DIVERSITY = [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}]


def refused(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidWorkerConfig) as info:
        parse_worker_config(document)
    return str(info.value)


@pytest.mark.parametrize(
    ("n_samples", "count", "proportion"),
    [
        (1.0, None, 1.0),  # seed 002: "set n_samples to 1.0 (which translates to 100%)"
        (0.3, None, 0.3),
        (1, 1, None),  # an integer is a count, even 1
        (50, 50, None),
        (50.0, 50, None),  # a whole float above 1 is a count
    ],
    ids=str,
)
def test_legacy_stopping_condition(
    n_samples: float, count: int | None, proportion: float | None
) -> None:
    cfg = parse_worker_config({"docker": {"stopping_condition": {"n_samples": n_samples}}})
    assert cfg.selection is not None
    assert (cfg.selection.n_samples, cfg.selection.proportion_samples) == (count, proportion)
    assert [e.strategy.type for e in cfg.selection.strategies] == ["DIVERSITY"]


def test_legacy_fraction_above_one_is_refused() -> None:
    message = refused({"docker": {"stoppingCondition": {"nSamples": 2.5}}})
    assert "'docker.stoppingCondition.nSamples'" in message and "2.5" in message


@pytest.mark.parametrize(
    ("counts", "which"),
    [({"nSamples": 8, "proportionSamples": 0.25}, "both"), ({}, "neither")],
    ids=["both", "neither"],
)
def test_exactly_one_of_n_samples_and_proportion_samples(
    counts: dict[str, Any], which: str
) -> None:
    message = refused({"selection": {**counts, "strategies": DIVERSITY}})
    assert "'selection.nSamples' / 'selection.proportionSamples'" in message
    assert f"not {which}" in message


def test_embeddings_with_a_task_is_object_level_selection() -> None:
    strategies = [
        DIVERSITY[0],
        {"input": {"type": "EMBEDDINGS", "task": "cars"}, "strategy": {"type": "DIVERSITY"}},
    ]
    cfg = parse_worker_config({"selection": {"nSamples": 3, "strategies": strategies}})
    assert object_level_task(cfg) == "cars"


def test_a_prediction_task_is_still_accepted() -> None:
    strategies = [
        *DIVERSITY,
        {
            "input": {"type": "SCORES", "task": "cars", "score": "uncertainty_entropy"},
            "strategy": {"type": "WEIGHTS"},
        },
    ]
    parse_worker_config({"selection": {"nSamples": 3, "strategies": strategies}})
