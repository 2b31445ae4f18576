"""validate_combination (shared rules in winnow_common): Lightly's allowed pairs and fields."""

from __future__ import annotations

from typing import Any

import pytest

from winnow_common.schemas.selection_rules import (
    ALLOWED_COMBINATIONS,
    ALLOWED_COMBINATIONS_TEXT,
    validate_combination,
    validate_entries,
)
from winnow_common.schemas.worker_config import SelectionEntry, WorkerConfigV4
from winnow_gpu_worker.ml import selection
from winnow_gpu_worker.ml.selection import combinations

QUERY = {"datasetId": "0123456789abcdef01234567", "tagName": "query"}

# Minimal valid input dicts per (input type, predictions name).
INPUTS: dict[tuple[str, str | None], dict[str, Any]] = {
    ("EMBEDDINGS", None): {"type": "EMBEDDINGS"},
    ("SCORES", None): {"type": "SCORES", "task": "cls", "score": "uncertainty_margin"},
    ("METADATA", None): {"type": "METADATA", "key": "lightly.sharpness"},
    ("PREDICTIONS", "CATEGORY_COUNT"): {
        "type": "PREDICTIONS",
        "task": "det",
        "name": "CATEGORY_COUNT",
        "categories": ["car"],
    },
    ("PREDICTIONS", "CLASS_DISTRIBUTION"): {
        "type": "PREDICTIONS",
        "task": "det",
        "name": "CLASS_DISTRIBUTION",
    },
    ("RANDOM", None): {"type": "RANDOM", "randomSeed": 42},
}

# Minimal valid strategy dicts.
STRATEGIES: dict[str, dict[str, Any]] = {
    "DIVERSITY": {"type": "DIVERSITY"},
    "WEIGHTS": {"type": "WEIGHTS"},
    "THRESHOLD": {"type": "THRESHOLD", "threshold": 0.5, "operation": "BIGGER"},
    "BALANCE": {"type": "BALANCE", "distribution": "UNIFORM"},
    "SIMILARITY": {"type": "SIMILARITY"},
    "TYPICALITY": {"type": "TYPICALITY"},
}

ALLOWED = {
    ("EMBEDDINGS", None): {"DIVERSITY", "SIMILARITY", "TYPICALITY"},
    ("METADATA", None): {"WEIGHTS", "THRESHOLD", "BALANCE"},
    ("PREDICTIONS", "CATEGORY_COUNT"): {"WEIGHTS", "THRESHOLD"},
    ("PREDICTIONS", "CLASS_DISTRIBUTION"): {"BALANCE"},
    ("RANDOM", None): {"WEIGHTS", "THRESHOLD"},
    ("SCORES", None): {"WEIGHTS", "THRESHOLD"},
}

PAIRS = [(inp, strategy) for inp in INPUTS for strategy in STRATEGIES]


def entry(inp: dict[str, Any], strategy: dict[str, Any]) -> SelectionEntry:
    return SelectionEntry.model_validate({"input": inp, "strategy": strategy})


def test_the_table_matches_the_documented_combinations() -> None:
    assert {
        (i.value, name): {s.value for s in v} for (i, name), v in ALLOWED_COMBINATIONS.items()
    } == ALLOWED


@pytest.mark.parametrize(("inp", "strategy"), PAIRS)
def test_every_pair_is_allowed_or_refused_with_the_allowed_list(
    inp: tuple[str, str | None], strategy: str
) -> None:
    input_dict = dict(INPUTS[inp])
    if strategy == "SIMILARITY" and inp[0] == "EMBEDDINGS":
        input_dict |= QUERY
    e = entry(input_dict, STRATEGIES[strategy])
    if strategy in ALLOWED[inp]:
        validate_combination(e)
    else:
        with pytest.raises(ValueError) as info:
            validate_combination(e, index=2)
        message = str(info.value)
        assert message.startswith("selection.strategies[2]: ")
        assert f"{inp[0]}" in message and f"with {strategy} strategy is not allowed" in message
        assert ALLOWED_COMBINATIONS_TEXT in message
        assert "EMBEDDINGS -> DIVERSITY, SIMILARITY, TYPICALITY" in message
        assert "PREDICTIONS (name CLASS_DISTRIBUTION) -> BALANCE" in message


@pytest.mark.parametrize(
    ("inp", "strategy", "fragment"),
    [
        ({"type": "SCORES", "task": "cls"}, STRATEGIES["WEIGHTS"], "needs 'task' and 'score'"),
        ({"type": "METADATA"}, STRATEGIES["WEIGHTS"], "needs 'key'"),
        ({"type": "PREDICTIONS", "task": "det"}, STRATEGIES["WEIGHTS"], "needs 'task' and 'name'"),
        (
            {"type": "PREDICTIONS", "task": "det", "name": "BOXES"},
            STRATEGIES["WEIGHTS"],
            "must be CLASS_DISTRIBUTION or CATEGORY_COUNT",
        ),
        ({"type": "METADATA", "key": "k"}, {"type": "THRESHOLD"}, "needs 'threshold' and"),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "THRESHOLD", "threshold": 1},
            "needs 'threshold' and 'operation'",
        ),
        ({"type": "METADATA", "key": "k"}, {"type": "BALANCE"}, "BALANCE needs 'distribution'"),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "BALANCE", "distribution": "TARGET"},
            "TARGET needs 'target'",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "BALANCE", "distribution": "UNIFORM", "target": {"a": 1}},
            "no effect with distribution UNIFORM",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "BALANCE", "target": {"a": 0.7, "b": 0.6}},
            "must be <= 1",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "BALANCE", "target": {"a": 1.5}},
            "within [0, 1]",
        ),
        ({"type": "EMBEDDINGS"}, {"type": "SIMILARITY"}, "'datasetId' and 'tagName'"),
        (
            {"type": "EMBEDDINGS", "tagName": "q"},
            {"type": "SIMILARITY"},
            "'datasetId' and 'tagName'",
        ),
        ({"type": "EMBEDDINGS", **QUERY}, {"type": "DIVERSITY"}, "only used by SIMILARITY"),
        (
            {"type": "EMBEDDINGS"},
            {"type": "DIVERSITY", "stopping_condition_minimum_distance": -1},
            "must be a number >= 0",
        ),
        (
            {"type": "EMBEDDINGS"},
            {"type": "TYPICALITY", "stoppingConditionMinimumTypicality": 1.5},
            "must be in (0, 1]",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "WEIGHTS", "targetRange": {"minSum": 5, "maxSum": 2}},
            "minSum (5) must be <= maxSum (2)",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "WEIGHTS", "targetRange": {"lower": 5}},
            "unknown key 'lower'",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "WEIGHTS", "targetRange": {}},
            "needs 'minSum' and/or 'maxSum'",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "WEIGHTS", "stopping_condition_minimum_distance": 0.2},
            "'stopping_condition_minimum_distance' has no effect on WEIGHTS",
        ),
        (
            {"type": "EMBEDDINGS"},
            {"type": "DIVERSITY", "stoppingConditionMaxSum": 3},
            "'stoppingConditionMaxSum' has no effect on DIVERSITY",
        ),
        (
            {"type": "METADATA", "key": "k"},
            {"type": "THRESHOLD", "threshold": 1, "operation": "BIGGER", "strength": 2},
            "'strength' has no effect on THRESHOLD",
        ),
        ({"type": "SCORES", "task": "t", "score": "s", "key": "k"}, STRATEGIES["WEIGHTS"], "'key'"),
    ],
)
def test_missing_and_misplaced_fields_are_named(
    inp: dict[str, Any], strategy: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValueError) as info:
        validate_combination(entry(inp, strategy))
    assert fragment in str(info.value)


def test_full_documented_examples_pass() -> None:
    config = WorkerConfigV4.model_validate(
        {
            "selection": {
                "nSamples": 100,
                "strategies": [
                    {
                        "input": {"type": "EMBEDDINGS"},
                        "strategy": {
                            "type": "DIVERSITY",
                            "stopping_condition_minimum_distance": 0.2,
                            "strength": 0.6,
                        },
                    },
                    {
                        "input": {
                            "type": "SCORES",
                            "task": "my_task",
                            "score": "uncertainty_entropy",
                        },
                        "strategy": {"type": "WEIGHTS", "strength": 2},
                    },
                    {
                        "input": {"type": "METADATA", "key": "lightly.sharpness"},
                        "strategy": {
                            "type": "THRESHOLD",
                            "threshold": 20,
                            "operation": "BIGGER_EQUAL",
                        },
                    },
                    {
                        "input": {
                            "type": "PREDICTIONS",
                            "task": "weather",
                            "name": "CLASS_DISTRIBUTION",
                        },
                        "strategy": {"type": "BALANCE", "target": {"sunny": 0.5, "cloudy": 0.3}},
                    },
                    {"input": {"type": "EMBEDDINGS", **QUERY}, "strategy": {"type": "SIMILARITY"}},
                    {
                        "input": {"type": "EMBEDDINGS"},
                        "strategy": {
                            "type": "TYPICALITY",
                            "numNearestNeighbors": 10,
                            "stoppingConditionMinimumTypicality": 0.2,
                        },
                    },
                    {
                        "input": {"type": "PREDICTIONS", "task": "det", "name": "CATEGORY_COUNT"},
                        "strategy": {
                            "type": "WEIGHTS",
                            "stoppingConditionMaxSum": 1000,
                            "targetRange": {"minSum": 10, "maxSum": 500},
                        },
                    },
                    {
                        "input": {"type": "RANDOM", "randomSeed": 1},
                        "strategy": {"type": "THRESHOLD", "threshold": 0.3, "operation": "SMALLER"},
                    },
                ],
            }
        }
    )
    assert config.selection is not None
    validate_entries(config.selection.strategies)


def test_validate_entries_reports_every_bad_entry() -> None:
    good = entry({"type": "EMBEDDINGS"}, STRATEGIES["DIVERSITY"])
    bad_pair = entry({"type": "RANDOM"}, STRATEGIES["DIVERSITY"])
    bad_field = entry({"type": "METADATA"}, STRATEGIES["WEIGHTS"])
    with pytest.raises(ValueError) as info:
        validate_entries([good, bad_pair, bad_field])
    message = str(info.value)
    assert "selection.strategies[1]: RANDOM input with DIVERSITY strategy" in message
    assert "selection.strategies[2]: METADATA input needs 'key'" in message
    assert "strategies[0]" not in message


def test_the_worker_uses_the_shared_rules() -> None:
    # One source of truth: the engine's names are the shared package's objects.
    assert selection.validate_combination is validate_combination
    assert selection.validate_entries is validate_entries
    assert combinations.ALLOWED_COMBINATIONS is ALLOWED_COMBINATIONS
