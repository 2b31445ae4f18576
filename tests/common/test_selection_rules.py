"""The shared selection rules (winnow_common.schemas.selection_rules), also at config time."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from winnow_common.errors import InvalidWorkerConfig
from winnow_common.schemas.selection_rules import (
    ALLOWED_COMBINATIONS_TEXT,
    combination_problems,
    parse_target_range,
    selection_problems,
    validate_combination,
    validate_entries,
)
from winnow_common.schemas.worker_config import SelectionEntry, parse_worker_config

QUERY = {"datasetId": "0123456789abcdef01234567", "tagName": "query"}


def entry(inp: dict[str, Any], strategy: dict[str, Any]) -> SelectionEntry:
    return SelectionEntry.model_validate({"input": inp, "strategy": strategy})


def refusal(inp: dict[str, Any], strategy: dict[str, Any], index: int | None = None) -> str:
    with pytest.raises(ValueError) as info:
        validate_combination(entry(inp, strategy), index=index)
    return str(info.value)


def config(*strategies: dict[str, Any], **docker: Any) -> dict[str, Any]:
    return {"docker": docker, "selection": {"nSamples": 3, "strategies": list(strategies)}}


def test_refused_pair_names_the_allowed_combinations() -> None:
    message = refusal({"type": "EMBEDDINGS"}, {"type": "WEIGHTS"}, index=0)
    assert message.startswith("selection.strategies[0]: ")
    assert "EMBEDDINGS input with WEIGHTS strategy is not allowed" in message
    assert f"allowed combinations: {ALLOWED_COMBINATIONS_TEXT}" in message
    for fragment in (
        "EMBEDDINGS -> DIVERSITY, SIMILARITY, TYPICALITY",
        "METADATA -> WEIGHTS, THRESHOLD, BALANCE",
        "PREDICTIONS (name CATEGORY_COUNT) -> WEIGHTS, THRESHOLD",
        "PREDICTIONS (name CLASS_DISTRIBUTION) -> BALANCE",
        "RANDOM -> WEIGHTS, THRESHOLD",
        "SCORES -> WEIGHTS, THRESHOLD",
    ):
        assert fragment in message
    predictions = refusal(
        {"type": "PREDICTIONS", "task": "det", "name": "CLASS_DISTRIBUTION"}, {"type": "WEIGHTS"}
    )
    assert "PREDICTIONS (name CLASS_DISTRIBUTION) input with WEIGHTS strategy" in predictions


def test_threshold_without_operation() -> None:
    message = refusal({"type": "METADATA", "key": "k"}, {"type": "THRESHOLD", "threshold": 1})
    assert "THRESHOLD needs 'threshold' and 'operation'" in message
    assert "is not allowed" not in message


def test_balance_target_without_target() -> None:
    message = refusal(
        {"type": "METADATA", "key": "k"}, {"type": "BALANCE", "distribution": "TARGET"}
    )
    assert "BALANCE distribution TARGET needs 'target'" in message


@pytest.mark.parametrize(
    "query", [{}, {"datasetId": QUERY["datasetId"]}, {"tagName": "query"}], ids=str
)
def test_similarity_without_dataset_and_tag(query: dict[str, str]) -> None:
    message = refusal({"type": "EMBEDDINGS", **query}, {"type": "SIMILARITY"})
    assert "SIMILARITY needs the query set" in message and "'datasetId' and 'tagName'" in message
    validate_combination(entry({"type": "EMBEDDINGS", **QUERY}, {"type": "SIMILARITY"}))


def test_unknown_target_range_key() -> None:
    message = refusal(
        {"type": "METADATA", "key": "k"}, {"type": "WEIGHTS", "targetRange": {"lower": 5}}
    )
    assert "unknown key 'lower' in 'targetRange'" in message
    with pytest.raises(ValueError, match="unknown key 'lower'"):
        parse_target_range({"lower": 5})
    assert parse_target_range({"minSum": 1, "max_sum": 4}) == (1.0, 4.0)


def test_every_problem_of_an_entry_is_listed() -> None:
    bad = entry({"type": "SCORES", "key": "k"}, {"type": "THRESHOLD", "strength": 2})
    problems = combination_problems(bad)
    assert problems == [
        "input key 'key' is not used by SCORES input",
        "SCORES input needs 'task' and 'score'",
        "strategy option 'strength' has no effect on THRESHOLD",
        "THRESHOLD needs 'threshold' and 'operation' "
        "(SMALLER, SMALLER_EQUAL, BIGGER or BIGGER_EQUAL)",
    ]
    assert combination_problems(entry({"type": "EMBEDDINGS"}, {"type": "DIVERSITY"})) == []


def test_selection_problems_and_validate_entries_name_each_bad_index() -> None:
    entries = [
        entry({"type": "EMBEDDINGS"}, {"type": "DIVERSITY"}),
        entry({"type": "RANDOM"}, {"type": "BALANCE", "distribution": "UNIFORM"}),
        entry({"type": "METADATA"}, {"type": "WEIGHTS"}),
    ]
    messages = selection_problems(entries)
    assert [m.split(":")[0] for m in messages] == [
        "selection.strategies[1]",
        "selection.strategies[2]",
    ]
    with pytest.raises(ValueError) as info:
        validate_entries(entries)
    assert str(info.value) == " | ".join(messages)


def test_parse_worker_config_reports_every_selection_problem_with_the_allowed_list() -> None:
    document = config(
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "WEIGHTS"}},
        {"input": {"type": "METADATA", "key": "k"}, "strategy": {"type": "THRESHOLD"}},
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "SIMILARITY"}},
    )
    with pytest.raises(InvalidWorkerConfig) as info:
        parse_worker_config(document)
    message = str(info.value)
    assert "selection.strategies[0]: EMBEDDINGS input with WEIGHTS strategy is not allowed" in (
        message
    )
    assert ALLOWED_COMBINATIONS_TEXT in message
    assert "selection.strategies[1]: THRESHOLD needs 'threshold' and 'operation'" in message
    assert "selection.strategies[2]: SIMILARITY needs the query set" in message


def test_parse_worker_config_applies_the_stricter_field_checks() -> None:
    # Options that would be silently ignored are refused at config time, as in the engine.
    document = config(
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY", "threshold": 3}}
    )
    with pytest.raises(InvalidWorkerConfig, match="'threshold' has no effect on DIVERSITY"):
        parse_worker_config(document)


@pytest.mark.parametrize(
    "strategy",
    [
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}},
        {
            "input": {"type": "EMBEDDINGS"},
            "strategy": {"type": "DIVERSITY", "stopping_condition_minimum_distance": 0.2},
        },
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "TYPICALITY"}},
        {"input": {"type": "EMBEDDINGS", **QUERY}, "strategy": {"type": "SIMILARITY"}},
        {
            "input": {"type": "SCORES", "task": "t", "score": "s"},
            "strategy": {"type": "WEIGHTS", "targetRange": {"maxSum": 5}},
        },
        {
            "input": {"type": "METADATA", "key": "lightly.sharpness"},
            "strategy": {"type": "THRESHOLD", "threshold": 2, "operation": "BIGGER"},
        },
        {
            "input": {"type": "PREDICTIONS", "task": "t", "name": "CLASS_DISTRIBUTION"},
            "strategy": {"type": "BALANCE", "target": {"a": 0.5}},
        },
        {"input": {"type": "RANDOM", "randomSeed": 1}, "strategy": {"type": "WEIGHTS"}},
    ],
    ids=lambda s: f"{s['input']['type']}-{s['strategy']['type']}",
)
def test_parse_worker_config_accepts_every_strategy(strategy: dict[str, Any]) -> None:
    parse_worker_config(config(strategy))


def test_rules_do_not_import_the_worker_config() -> None:
    # The rules and the config used to import each other; the imports now run one way only.
    code = (
        "import sys, winnow_common.schemas.selection_rules as r; "
        "assert 'winnow_common.schemas.worker_config' not in sys.modules, 'imported'; "
        "assert r.SelectionEntry.__module__ == 'winnow_common.schemas.selection_config'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
