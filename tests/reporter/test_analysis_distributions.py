"""Tests for winnow_reporter.analysis.distributions: NDPS / CDPS, Gini, entropy, baseline."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from winnow_reporter.analysis.distributions import (
    categorical_distribution,
    gini_imbalance,
    normalized_entropy,
    numeric_distribution,
    random_baseline,
)


def _assert_plain_json(obj: object) -> None:
    """Only plain Python types, and no NaN / inf anywhere."""
    json.dumps(obj, allow_nan=False)
    if isinstance(obj, dict):
        for key, value in obj.items():
            assert type(key) is str
            _assert_plain_json(value)
    elif isinstance(obj, list):
        for value in obj:
            _assert_plain_json(value)
    else:
        assert obj is None or type(obj) in (int, float, str, bool), type(obj)


# --------------------------------------------------------------------------------------
# gini / entropy
# --------------------------------------------------------------------------------------


def test_gini_imbalance_hand_values() -> None:
    assert gini_imbalance([5, 5]) == 0.0
    assert gini_imbalance([10, 0]) == 1.0
    assert gini_imbalance([10, 0, 0]) == 1.0
    # sum_ij |c_i - c_j| = 2 * (1 + 2 + 1) = 8; / (2 * K * n) * K / (K - 1) = 8 / (2 * 6 * 2)
    assert gini_imbalance([1, 2, 3]) == pytest.approx(1 / 3)
    assert gini_imbalance({"a": 3, "b": 2, "c": 1}) == pytest.approx(1 / 3)
    assert gini_imbalance(np.array([7, 7, 7, 7])) == 0.0


def test_normalized_entropy_hand_values() -> None:
    assert normalized_entropy([5, 5]) == pytest.approx(1.0)
    assert normalized_entropy([10, 0]) == 0.0
    # p = (1/2, 1/4, 1/4, 0): H = ln 2 / 2 + ln 4 / 2 = 1.5 ln 2; / ln 4 = 0.75
    assert normalized_entropy([2, 1, 1, 0]) == pytest.approx(0.75)
    assert normalized_entropy({"x": 1, "y": 1, "z": 2}) == pytest.approx(
        1.5 * math.log(2) / math.log(3)
    )


@pytest.mark.parametrize("counts", [[], [4], [0, 0], [0, 0, 0]])
def test_gini_and_entropy_are_none_without_data_or_categories(counts: list[int]) -> None:
    assert gini_imbalance(counts) is None
    assert normalized_entropy(counts) is None


def test_negative_counts_raise() -> None:
    with pytest.raises(ValueError):
        gini_imbalance([3, -1])
    with pytest.raises(ValueError):
        normalized_entropy([3, -1])


# --------------------------------------------------------------------------------------
# numeric_distribution
# --------------------------------------------------------------------------------------


def test_numeric_distribution_shares_range_and_counts_each_set() -> None:
    nd = numeric_distribution(
        {
            "input": np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan]),
            "selected": np.array([0.0, 4.0]),
            "random": [2.0],
        },
        bins=4,
    )
    assert list(nd) == ["bins", "range", "input", "selected", "random"]
    assert nd["bins"] == 4
    assert nd["range"] == [0.0, 4.0]
    # edges 0, 1, 2, 3, 4; the last bin is closed
    assert nd["input"]["counts"] == [1, 1, 1, 2]
    assert nd["selected"]["counts"] == [1, 0, 0, 1]
    assert nd["random"]["counts"] == [0, 0, 1, 0]
    m = nd["input"]["metrics"]
    assert m["mean"] == 2.0
    assert m["std"] == pytest.approx(math.sqrt(2.0))  # population std
    assert (m["min"], m["median"], m["max"]) == (0.0, 2.0, 4.0)
    assert nd["selected"]["metrics"]["median"] == 2.0
    _assert_plain_json(nd)


def test_numeric_distribution_empty_and_all_nan_sets() -> None:
    nd = numeric_distribution(
        {"input": [1.0, 3.0], "selected": [], "random": [np.nan, np.inf, -np.inf]}, bins=2
    )
    assert nd["range"] == [1.0, 3.0]
    for name in ("selected", "random"):
        assert nd[name]["counts"] == [0, 0]
        assert set(nd[name]["metrics"].values()) == {None}
    _assert_plain_json(nd)

    nothing = numeric_distribution({"input": [], "selected": [np.nan]}, bins=3)
    assert nothing["range"] == [0.0, 1.0]
    assert nothing["input"]["counts"] == [0, 0, 0]
    _assert_plain_json(nothing)


def test_numeric_distribution_equal_values() -> None:
    nd = numeric_distribution({"input": [3.0, 3.0, 3.0], "selected": [3.0]}, bins=5)
    assert nd["range"] == [3.0, 4.0]
    assert nd["input"]["counts"] == [3, 0, 0, 0, 0]
    assert nd["selected"]["counts"] == [1, 0, 0, 0, 0]
    assert nd["input"]["metrics"] == {
        "mean": 3.0,
        "std": 0.0,
        "min": 3.0,
        "median": 3.0,
        "max": 3.0,
    }
    zeros = numeric_distribution({"input": np.zeros(4)}, bins=2)
    assert zeros["range"] == [0.0, 1.0]
    assert zeros["input"]["counts"] == [4, 0]


def test_numeric_distribution_explicit_range_clips_into_end_bins() -> None:
    nd = numeric_distribution({"input": [-1.0, 0.5, 1.5, 5.0]}, bins=2, value_range=(0, 2))
    assert nd["range"] == [0.0, 2.0]
    assert nd["input"]["counts"] == [2, 2]
    assert nd["input"]["metrics"]["min"] == -1.0  # metrics use the unclipped values
    assert nd["input"]["metrics"]["max"] == 5.0


def test_numeric_distribution_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        numeric_distribution({"input": [1.0]}, bins=0)
    with pytest.raises(ValueError):
        numeric_distribution({"input": [1.0]}, value_range=(2.0, 1.0))
    with pytest.raises(ValueError):
        numeric_distribution({"input": [1.0]}, value_range=(0.0, math.inf))
    with pytest.raises(ValueError):
        numeric_distribution({"bins": [1.0]})


# --------------------------------------------------------------------------------------
# categorical_distribution
# --------------------------------------------------------------------------------------


def test_categorical_distribution_universe_from_all_sets() -> None:
    cd = categorical_distribution(
        {"input": ["b", "a", "a", None, "c"], "selected": ["a"], "random": []}
    )
    assert list(cd) == ["input", "selected", "random"]
    assert cd["input"]["counts"] == {"a": 2, "b": 1, "c": 1}
    assert list(cd["input"]["counts"]) == ["a", "b", "c"]
    assert cd["selected"]["counts"] == {"a": 1, "b": 0, "c": 0}
    assert cd["random"]["counts"] == {"a": 0, "b": 0, "c": 0}
    # counts (2, 1, 1): sum_ij |c_i - c_j| = 4; 4 / (2 * 3 * 4) * 3 / 2 = 0.25
    assert cd["input"]["metrics"]["giniImbalance"] == pytest.approx(0.25)
    assert cd["input"]["metrics"]["normalizedEntropy"] == pytest.approx(
        1.5 * math.log(2) / math.log(3)
    )
    assert cd["selected"]["metrics"] == {"giniImbalance": 1.0, "normalizedEntropy": 0.0}
    assert cd["random"]["metrics"] == {"giniImbalance": None, "normalizedEntropy": None}
    _assert_plain_json(cd)


def test_categorical_distribution_explicit_categories() -> None:
    cd = categorical_distribution(
        {"input": ["dog", "cat", "bird", "dog"], "selected": ["dog", "cat"]},
        categories=["dog", "cat", "fish"],
    )
    # given order kept, "fish" listed with 0, "bird" (not a category) ignored
    assert list(cd["input"]["counts"]) == ["dog", "cat", "fish"]
    assert cd["input"]["counts"] == {"dog": 2, "cat": 1, "fish": 0}
    # K = 3 also for the subset: (1, 1, 0) -> sum_ij = 4; 4 / (2 * 2 * 2) = 0.5
    assert cd["selected"]["metrics"]["giniImbalance"] == pytest.approx(0.5)
    assert cd["selected"]["metrics"]["normalizedEntropy"] == pytest.approx(
        math.log(2) / math.log(3)
    )


def test_categorical_distribution_without_labels() -> None:
    cd = categorical_distribution({"input": [None, None], "selected": []})
    assert cd == {
        "input": {"counts": {}, "metrics": {"giniImbalance": None, "normalizedEntropy": None}},
        "selected": {"counts": {}, "metrics": {"giniImbalance": None, "normalizedEntropy": None}},
    }


# --------------------------------------------------------------------------------------
# random_baseline
# --------------------------------------------------------------------------------------


def test_random_baseline_is_a_sorted_seeded_sample() -> None:
    a = random_baseline(1000, 100, seed=7)
    assert a.dtype == np.int64
    assert len(a) == 100
    assert np.all(np.diff(a) > 0)  # sorted, no repeats
    assert a[0] >= 0 and a[-1] < 1000
    assert np.array_equal(a, random_baseline(1000, 100, seed=7))
    assert not np.array_equal(a, random_baseline(1000, 100, seed=8))


def test_random_baseline_sizes() -> None:
    assert np.array_equal(random_baseline(5, 10, seed=0), np.arange(5))
    assert np.array_equal(random_baseline(5, 5, seed=0), np.arange(5))
    assert len(random_baseline(5, 0, seed=0)) == 0
    assert len(random_baseline(0, 3, seed=0)) == 0
