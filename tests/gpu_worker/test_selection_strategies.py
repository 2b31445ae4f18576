"""Hand-checkable selections for each strategy of the selection engine and their combinations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from winnow_common.schemas.worker_config import SelectionEntry
from winnow_gpu_worker.ml.selection import (
    OTHER_CLASS,
    ResolvedStrategy,
    StopCode,
    encode_categories,
    random_values,
    select,
)
from winnow_gpu_worker.ml.selection.similarity import max_cosine_similarity
from winnow_gpu_worker.ml.selection.typicality import mean_knn_distance, typicality

QUERY_DATASET = "0123456789abcdef01234567"

# The input fields each input type needs, so tests only spell out what they are about.
_INPUTS: dict[str, dict[str, Any]] = {
    "EMBEDDINGS": {},
    "SCORES": {"task": "cls", "score": "uncertainty_entropy"},
    "METADATA": {"key": "lightly.sharpness"},
    "RANDOM": {"randomSeed": 7},
}


def make(
    input_type: str,
    strategy_type: str,
    values: Any,
    *,
    class_names: list[str] | None = None,
    query: Any = None,
    preselected: Any = None,
    **options: Any,
) -> ResolvedStrategy:
    """A ``ResolvedStrategy`` from wire-style options (camelCase or snake_case keys)."""
    inp: dict[str, Any] = {"type": input_type, **_INPUTS.get(input_type, {})}
    if input_type == "PREDICTIONS":
        name = "CLASS_DISTRIBUTION" if strategy_type == "BALANCE" else "CATEGORY_COUNT"
        inp |= {"task": "det", "name": name}
    if strategy_type == "SIMILARITY":
        inp |= {"datasetId": QUERY_DATASET, "tagName": "query"}
    entry = SelectionEntry.model_validate(
        {"input": inp, "strategy": {"type": strategy_type, **options}}
    )
    return ResolvedStrategy(
        entry=entry,
        values=np.asarray(values, dtype=float),
        class_names=class_names,
        query=None if query is None else np.asarray(query, dtype=float),
        preselected=None if preselected is None else np.asarray(preselected, dtype=float),
    )


LINE = [[0.0], [1.0], [2.0], [3.0], [10.0]]


# --- DIVERSITY ---------------------------------------------------------------------------------


def test_diversity_points_on_a_line() -> None:
    # All score 1 first -> index 0; then the far end (10); then 3 (distance 3); then 1 and 2
    # are both 1 away -> lowest index first.
    result = select([make("EMBEDDINGS", "DIVERSITY", LINE)], 5)
    assert result.indices == [0, 4, 3, 1, 2]
    assert result.stop_code is StopCode.N_SAMPLES
    assert result.stop_reason == "n_samples reached"
    assert result.strategies[0].values_at_pick == [math.inf, 10.0, 3.0, 1.0, 1.0]


def test_diversity_minimum_distance_stops_before_a_close_pick() -> None:
    strategy = make("EMBEDDINGS", "DIVERSITY", LINE, stopping_condition_minimum_distance=2.5)
    result = select([strategy], 5)
    assert result.indices == [0, 4, 3]
    assert result.stop_code is StopCode.MIN_DISTANCE
    assert result.stop_strategy == 0
    assert result.stop_reason.startswith("minimum distance reached for DIVERSITY")


def test_diversity_counts_preselected_points_as_selected() -> None:
    # The datapool holds a sample at 10: the farthest from it (0) comes first, 10's duplicate
    # (distance 0, score 0) last.
    result = select([make("EMBEDDINGS", "DIVERSITY", LINE)], 5, preselected=[[10.0]])
    assert result.indices == [0, 3, 1, 2, 4]
    assert result.strategies[0].values_at_pick[0] == 10.0
    assert result.strategies[0].summary["n_preselected"] == 1
    with_stop = make("EMBEDDINGS", "DIVERSITY", LINE, stopping_condition_minimum_distance=0.5)
    assert select([with_stop], 5, preselected=[[10.0]]).indices == [0, 3, 1, 2]


def test_per_strategy_preselected_overrides_the_argument() -> None:
    own = make("EMBEDDINGS", "DIVERSITY", LINE, preselected=[[0.0]])
    assert select([own], 2, preselected=[[10.0]]).indices == [4, 3]


def test_preselected_dimension_must_match() -> None:
    with pytest.raises(ValueError, match="dimension"):
        select([make("EMBEDDINGS", "DIVERSITY", LINE)], 2, preselected=[[1.0, 2.0]])


# --- WEIGHTS -----------------------------------------------------------------------------------


def test_weights_pick_highest_values_first_and_missing_last() -> None:
    result = select([make("SCORES", "WEIGHTS", [0.2, 0.9, 0.5, np.nan, 0.7])], 5)
    assert result.indices == [1, 4, 2, 0, 3]
    assert result.strategies[0].values_at_pick[:4] == [0.9, 0.7, 0.5, 0.2]
    assert result.strategies[0].summary["n_missing_values"] == 1


def test_negative_strength_inverts_and_zero_scores_come_first() -> None:
    values = [0.2, 0.9, 0.5, np.nan, 0.7]
    assert select([make("SCORES", "WEIGHTS", values, strength=-1.0)], 5).indices == [0, 2, 4, 1, 3]
    # A value of 0 scores 0: with a negative strength 0 ** -1 is "infinitely" good.
    assert select([make("SCORES", "WEIGHTS", [1.0, 0.0, 2.0], strength=-1)], 3).indices == [1, 0, 2]
    # ... and with a positive strength it is only picked when nothing else is left.
    assert select([make("SCORES", "WEIGHTS", [0.0, 1.0, 2.0])], 3).indices == [2, 1, 0]


def test_weights_negative_values_are_min_max_scaled() -> None:
    result = select([make("METADATA", "WEIGHTS", [-1.0, 0.0, 1.0, -0.5])], 4)
    assert result.indices == [2, 1, 3, 0]


def test_weights_max_sum_stops_after_the_pick_that_reaches_it() -> None:
    strategy = make("METADATA", "WEIGHTS", [5, 4, 3, 2, 1], stoppingConditionMaxSum=8)
    result = select([strategy], 5)
    assert result.indices == [0, 1]
    assert result.stop_code is StopCode.MAX_SUM
    assert result.strategies[0].summary["selected_sum"] == 9.0
    # Exactly reaching it stops too.
    exact = make("METADATA", "WEIGHTS", [5, 3, 3, 2, 1], stoppingConditionMaxSum=8)
    assert select([exact], 5).indices == [0, 1]


def test_weights_target_range_skips_samples_that_overshoot_max_sum() -> None:
    strategy = make("METADATA", "WEIGHTS", [5, 4, 3, 2, 1], targetRange={"minSum": 6, "maxSum": 8})
    result = select([strategy], 5)
    # 5 -> 4 would make 9 (skipped) -> 3 makes 8 -> 2 and 1 overshoot: nothing fits.
    assert result.indices == [0, 2]
    assert result.stop_code is StopCode.NO_CANDIDATES
    assert "targetRange" in result.stop_reason
    summary = result.strategies[0].summary
    assert summary["selected_sum"] == 8.0
    assert summary["target_range_reached"] is True
    snake = make("METADATA", "WEIGHTS", [5, 4, 3, 2, 1], target_range={"max_sum": 8})
    assert select([snake], 5).indices == [0, 2]


def test_weights_target_range_reports_a_missed_min_sum() -> None:
    strategy = make("METADATA", "WEIGHTS", [5, 4, 3], targetRange={"minSum": 100})
    result = select([strategy], 2)
    assert result.indices == [0, 1]
    assert result.strategies[0].summary["target_range_reached"] is False


def test_random_weights_is_a_seeded_random_selection() -> None:
    values = random_values(50, seed=3)
    assert np.array_equal(values, random_values(50, seed=3))
    result = select([make("RANDOM", "WEIGHTS", values)], 10)
    assert result.indices == list(np.argsort(-values)[:10])


# --- THRESHOLD ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("SMALLER", [0]),
        ("SMALLER_EQUAL", [0, 1]),
        ("BIGGER", [2]),
        ("BIGGER_EQUAL", [1, 2]),
    ],
)
def test_threshold_operations(operation: str, expected: list[int]) -> None:
    values = [1.0, 2.0, 3.0, np.nan]  # NaN never passes
    strategy = make("METADATA", "THRESHOLD", values, threshold=2.0, operation=operation)
    result = select([strategy], 10)
    assert result.indices == expected  # thresholds alone: lowest index first
    assert result.n_candidates == len(expected)
    assert result.stop_code is StopCode.NO_CANDIDATES
    assert result.strategies[0].summary["n_removed"] == 4 - len(expected)


def test_thresholds_filter_before_the_other_strategies() -> None:
    sharp = [0.1, 0.9, 0.8, 0.95, 0.3]
    score = [0.9, 0.1, 0.5, 0.2, 0.99]
    result = select(
        [
            make("SCORES", "WEIGHTS", score),
            make("METADATA", "THRESHOLD", sharp, threshold=0.5, operation="BIGGER"),
            make(
                "RANDOM", "THRESHOLD", [0.1, 0.2, 0.3, 0.9, 0.4], threshold=0.5, operation="SMALLER"
            ),
        ],
        5,
    )
    assert result.indices == [2, 1]
    assert result.n_candidates == 2
    assert [r.kind.value for r in result.strategies] == ["WEIGHTS", "THRESHOLD", "THRESHOLD"]
    assert result.strategies[1].values_at_pick == [0.8, 0.9]


# --- BALANCE -----------------------------------------------------------------------------------


def test_balance_target_alternates_classes_on_an_unbalanced_pool() -> None:
    values, names = encode_categories(["A"] * 6 + ["B"] * 2)
    strategy = make("METADATA", "BALANCE", values, class_names=names, target={"A": 0.5, "B": 0.5})
    assert select([strategy], 4).indices == [0, 6, 1, 7]
    # B runs out: the rest can only be A.
    result = select([strategy], 8)
    assert result.indices == [0, 6, 1, 7, 2, 3, 4, 5]
    summary = result.strategies[0].summary
    assert summary["target"] == {"A": 0.5, "B": 0.5}
    assert summary["input_distribution"] == {"A": 0.75, "B": 0.25}
    assert summary["selected_distribution"] == {"A": 0.75, "B": 0.25}


def test_balance_target_given_without_distribution_and_uneven_fractions() -> None:
    values, names = encode_categories(["A"] * 8 + ["B"] * 8)
    strategy = make("METADATA", "BALANCE", values, class_names=names, target={"A": 0.75, "B": 0.25})
    picks = select([strategy], 8).indices
    assert sum(i < 8 for i in picks) == 6  # 75 % A


def test_balance_uniform_and_input_distributions() -> None:
    values, names = encode_categories(["A"] * 6 + ["B"] * 2)
    uniform = make("PREDICTIONS", "BALANCE", values, class_names=names, distribution="UNIFORM")
    assert select([uniform], 4).indices == [0, 6, 1, 7]
    # INPUT = 75/25: A, B (B under-represented), then A twice.
    input_dist = make("PREDICTIONS", "BALANCE", values, class_names=names, distribution="INPUT")
    assert select([input_dist], 4).indices == [0, 6, 1, 2]


def test_balance_unlisted_classes_share_the_other_bucket() -> None:
    values, names = encode_categories(["A", "A", "A", "B", "C", "B", "C"])
    strategy = make("METADATA", "BALANCE", values, class_names=names, target={"A": 0.5})
    result = select([strategy], 4)
    # A, then "other" (B at 3), then a tie (A at 1), then "other" again (C at 4).
    assert result.indices == [0, 3, 1, 4]
    summary = result.strategies[0].summary
    assert summary["class_names"] == ["A", OTHER_CLASS]
    assert summary["target"] == {"A": 0.5, OTHER_CLASS: 0.5}


def test_balance_class_probability_vectors() -> None:
    # Soft predictions: rows 0-2 lean to class 0, rows 3-4 to class 1.
    probs = [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.2, 0.8], [0.1, 0.9]]
    strategy = make(
        "PREDICTIONS", "BALANCE", probs, class_names=["cat", "dog"], distribution="UNIFORM"
    )
    picks = select([strategy], 2).indices
    assert picks[0] == 0 and picks[1] in (3, 4)


def test_balance_target_zero_class_is_avoided_and_empty_rows_are_neutral() -> None:
    values, names = encode_categories(["A", "B", "A", "B"])
    values = np.vstack([values, np.zeros((1, 2))])  # row 4 has no class at all
    strategy = make("METADATA", "BALANCE", values, class_names=names, target={"A": 1.0, "B": 0.0})
    assert select([strategy], 5).indices == [0, 2, 4, 1, 3]


def test_balance_needs_matching_class_names() -> None:
    values, _ = encode_categories(["A", "B"])
    strategy = make("METADATA", "BALANCE", values, class_names=["A"], target={"A": 1.0})
    with pytest.raises(ValueError, match="class names"):
        select([strategy], 1)


def test_encode_categories_handles_missing_and_unknown_labels() -> None:
    values, names = encode_categories(["sunny", None, "rainy", "sunny"])
    assert names == ["rainy", "sunny"]
    assert values.tolist() == [[0, 1], [0, 0], [1, 0], [0, 1]]
    fixed, _ = encode_categories(["snow"], class_names=["rainy"])
    assert fixed.tolist() == [[0]]


# --- SIMILARITY --------------------------------------------------------------------------------


def test_similarity_picks_samples_nearest_the_query_first() -> None:
    x = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.9, 0.1], [0.0, 0.0]]
    strategy = make("EMBEDDINGS", "SIMILARITY", x, query=[[2.0, 0.0]])
    result = select([strategy], 5)
    # cosines 1, 0, -1, 0.99, 0 (zero vector) -> ties at 0 go to the lower index.
    assert result.indices == [0, 3, 1, 4, 2]
    assert result.strategies[0].values_at_pick[0] == pytest.approx(1.0)
    assert result.strategies[0].values_at_pick[-1] == pytest.approx(-1.0)


def test_similarity_uses_the_best_query() -> None:
    x = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]
    strategy = make("EMBEDDINGS", "SIMILARITY", x, query=[[0.0, 1.0], [-1.0, 0.1]])
    assert select([strategy], 2).indices == [1, 2]


def test_similarity_needs_a_query() -> None:
    with pytest.raises(ValueError, match="query"):
        select([make("EMBEDDINGS", "SIMILARITY", LINE)], 1)


def test_blockwise_similarity_matches_the_full_matrix() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(57, 5)).astype(np.float32)
    q = rng.normal(size=(4, 5)).astype(np.float32)
    full = (x / np.linalg.norm(x, axis=1, keepdims=True)) @ (
        q / np.linalg.norm(q, axis=1, keepdims=True)
    ).T
    np.testing.assert_allclose(max_cosine_similarity(x, q, budget=9), full.max(axis=1), atol=1e-6)


# --- TYPICALITY --------------------------------------------------------------------------------

# A dense cluster 0..4 and three spread points; with k=2 the mean neighbour distances are
# 1.5, 1, 1, 1, 1.5, 98, 100, 150.
CLUSTER = [[0.0], [1.0], [2.0], [3.0], [4.0], [100.0], [200.0], [300.0]]


def test_typicality_picks_the_dense_cluster_first() -> None:
    strategy = make("EMBEDDINGS", "TYPICALITY", CLUSTER, numNearestNeighbors=2)
    result = select([strategy], 8)
    assert result.indices == [1, 2, 3, 0, 4, 5, 6, 7]
    assert result.strategies[0].values_at_pick[0] == 1.0
    assert result.strategies[0].values_at_pick[3] == pytest.approx(1 / 1.5)


def test_typicality_minimum_stops_before_an_atypical_pick() -> None:
    strategy = make(
        "EMBEDDINGS",
        "TYPICALITY",
        CLUSTER,
        numNearestNeighbors=2,
        stoppingConditionMinimumTypicality=0.5,
    )
    result = select([strategy], 8)
    assert result.indices == [1, 2, 3, 0, 4]
    assert result.stop_code is StopCode.MIN_TYPICALITY


def test_typicality_defaults_and_tiny_inputs() -> None:
    # k defaults to 20 and is capped at N - 1; one sample has typicality 1.
    # With k = 7 the mean distance to all others is smallest for 3 (598/7), not 2 (600/7).
    assert select([make("EMBEDDINGS", "TYPICALITY", CLUSTER)], 1).indices == [3]
    assert typicality(np.zeros((1, 3), dtype=np.float32)).tolist() == [1.0]
    assert typicality(np.zeros((4, 3), dtype=np.float32)).tolist() == [1.0] * 4


def test_blockwise_knn_matches_the_full_matrix() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    d = np.linalg.norm(x[:, None, :].astype(np.float64) - x[None, :, :], axis=2)
    np.fill_diagonal(d, np.inf)
    expected = np.sort(d, axis=1)[:, :5].mean(axis=1)
    np.testing.assert_allclose(mean_knn_distance(x, 5, budget=100), expected, rtol=1e-4)


# --- Combinations ------------------------------------------------------------------------------


def test_diversity_and_weights_trade_off_as_the_product_says() -> None:
    diversity = make("EMBEDDINGS", "DIVERSITY", LINE)
    # Step 2 candidates: distance x weight = 1, 2, 3 for 1..3 and 10 x w for the far point.
    low = select([diversity, make("SCORES", "WEIGHTS", [1, 1, 1, 1, 0.05])], 5)
    assert low.indices == [0, 3, 1, 2, 4]  # 10 x 0.05 = 0.5 < 3
    high = select([diversity, make("SCORES", "WEIGHTS", [1, 1, 1, 1, 0.5])], 5)
    assert high.indices[:2] == [0, 4]  # 10 x 0.5 = 5 > 3
    squared = select([diversity, make("SCORES", "WEIGHTS", [1, 1, 1, 1, 0.5], strength=2)], 5)
    assert squared.indices[:2] == [0, 3]  # 10 x 0.5^2 = 2.5 < 3


def test_diversity_strength_two_against_weights() -> None:
    diversity = make("EMBEDDINGS", "DIVERSITY", LINE, strength=2)
    # Step 2: 10^2 x 0.05 = 5 against 3^2 x 1 = 9 -> index 3; with 0.1: 10 > 9 -> index 4.
    assert select([diversity, make("SCORES", "WEIGHTS", [1, 1, 1, 1, 0.05])], 2).indices == [0, 3]
    assert select([diversity, make("SCORES", "WEIGHTS", [1, 1, 1, 1, 0.1])], 2).indices == [0, 4]


def test_first_diversity_pick_is_the_best_on_the_other_strategies() -> None:
    result = select(
        [
            make("EMBEDDINGS", "DIVERSITY", LINE),
            make("SCORES", "WEIGHTS", [0.1, 0.2, 0.9, 0.3, 0.4]),
        ],
        1,
    )
    assert result.indices == [2]


def test_zero_strength_ignores_the_score_but_keeps_the_stopping_condition() -> None:
    diversity = make(
        "EMBEDDINGS", "DIVERSITY", LINE, strength=0, stopping_condition_minimum_distance=1.5
    )
    weights = make("SCORES", "WEIGHTS", [0.1, 0.2, 0.3, 0.4, 0.5])
    result = select([diversity, weights], 5)
    # Weights alone: 4, 3, 2, ... ; 2 is 1 away from 3 -> stop.
    assert result.indices == [4, 3]
    assert result.stop_code is StopCode.MIN_DISTANCE


def test_diversity_and_balance() -> None:
    # A at 0, 10, 20, 30; B at 4, 26. Pure diversity takes 0, 30, 10 (all A) first.
    x = [[0.0], [10.0], [20.0], [30.0], [4.0], [26.0]]
    values, names = encode_categories(["A", "A", "A", "A", "B", "B"])
    diversity = make("EMBEDDINGS", "DIVERSITY", x)
    assert select([diversity], 3).indices == [0, 3, 1]
    balance = make("METADATA", "BALANCE", values, class_names=names, target={"A": 0.5, "B": 0.5})
    result = select([diversity, balance], 4)
    # Step 2: balance scores A 1/3, B 1 -> A@30: 30/3 = 10 < B@26: 26.
    # Step 3: 1:1 is on target, all balance scores equal -> farthest: A@10.
    # Step 4: balance A 0.6, B 1 -> A@20: 6 x 0.6 = 3.6 < B@4: 4.
    assert result.indices == [0, 5, 1, 4]
    assert result.strategies[1].values_at_pick[1] == pytest.approx(1.0)
    assert result.strategies[1].values_at_pick[3] == pytest.approx(1.0)


# --- General behaviour -------------------------------------------------------------------------


def test_n_zero_or_negative_selects_nothing() -> None:
    for n in (0, -3):
        result = select([make("EMBEDDINGS", "DIVERSITY", LINE)], n)
        assert result.indices == []
        assert result.stop_code is StopCode.N_SAMPLES


def test_n_larger_than_the_input_returns_every_candidate_once() -> None:
    result = select([make("EMBEDDINGS", "DIVERSITY", LINE)], 50)
    assert sorted(result.indices) == [0, 1, 2, 3, 4]
    assert result.stop_code is StopCode.NO_CANDIDATES


def test_progress_is_reported_after_each_pick() -> None:
    calls: list[tuple[int, int]] = []
    select([make("EMBEDDINGS", "DIVERSITY", LINE)], 3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_inputs_must_describe_the_same_samples() -> None:
    with pytest.raises(ValueError, match="rows"):
        select([make("EMBEDDINGS", "DIVERSITY", LINE), make("SCORES", "WEIGHTS", [1.0])], 1)
    with pytest.raises(ValueError, match="at least one strategy"):
        select([], 1)


def test_invalid_entries_are_refused_by_select() -> None:
    bad = make("METADATA", "WEIGHTS", [1.0, 2.0], stopping_condition_minimum_distance=0.5)
    with pytest.raises(ValueError, match=r"strategies\[0\].*no effect on WEIGHTS"):
        select([bad], 1)


def test_non_finite_embeddings_are_refused() -> None:
    with pytest.raises(ValueError, match="NaN or infinite"):
        select([make("EMBEDDINGS", "DIVERSITY", [[0.0], [np.nan]])], 1)


def test_a_zero_weight_is_picked_only_when_nothing_else_is_left() -> None:
    # Index 4 is the farthest point but has weight 0: diversity cannot win it over the others.
    result = select(
        [make("EMBEDDINGS", "DIVERSITY", LINE), make("SCORES", "WEIGHTS", [1, 1, 1, 1, 0])], 5
    )
    assert result.indices == [0, 3, 1, 2, 4]


def test_n_samples_wins_when_it_is_reached_together_with_a_stopping_condition() -> None:
    strategy = make("METADATA", "WEIGHTS", [5, 4, 3], stoppingConditionMaxSum=9)
    result = select([strategy], 2)
    assert result.indices == [0, 1]
    assert result.stop_code is StopCode.N_SAMPLES


def test_balance_input_distribution_counts_only_threshold_survivors() -> None:
    values, names = encode_categories(["A", "A", "A", "B", "B", "B"])
    keep = make("METADATA", "THRESHOLD", [1, 0, 0, 1, 1, 1], threshold=0.5, operation="BIGGER")
    balance = make("METADATA", "BALANCE", values, class_names=names, distribution="INPUT")
    result = select([balance, keep], 4)
    assert result.strategies[0].summary["input_distribution"] == {"A": 0.25, "B": 0.75}
    assert result.strategies[0].summary["target"] == {"A": 0.25, "B": 0.75}
    assert result.indices == [0, 3, 4, 5]
