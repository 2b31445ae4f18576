"""DIVERSITY alone is k-center greedy: the picks of the selection engine on small geometries.

``select`` with one DIVERSITY strategy and no preselection starts at row 0 and then always takes
the row farthest from everything selected (ties to the lowest index); a preselected point counts
as selected from the start.
"""

from __future__ import annotations

import numpy as np
import pytest

from winnow_common.schemas.worker_config import SelectionEntry
from winnow_gpu_worker.ml.selection import ResolvedStrategy, resolve_sample_count, select

DIVERSITY = SelectionEntry.model_validate(
    {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
)


def _diverse(x: np.ndarray, n: int, preselected: np.ndarray | None = None) -> list[int]:
    return select([ResolvedStrategy(DIVERSITY, x)], n, preselected=preselected).indices


def test_points_on_a_line() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0], [10.0]], dtype=np.float32)
    # Start at 0 -> farthest is 10 (idx 4). Nearest-selected distances are then 1, 2, 3 for
    # idx 1, 2, 3 -> pick idx 3. Then idx 1 and 2 are both 1 away -> tie goes to idx 1.
    assert _diverse(x, 5) == [0, 4, 3, 1, 2]
    assert _diverse(x, 2) == [0, 4]
    # With idx 4 already selected (preselected), 0 is farthest, then 3.
    assert _diverse(x, 2, preselected=x[[4]]) == [0, 3]


def test_corners_of_a_square() -> None:
    x = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]], dtype=np.float32)
    # Opposite corner first, then the two remaining corners (tie -> lower index), then centre.
    assert _diverse(x, 5) == [0, 3, 1, 2, 4]
    # From corner 1: its opposite corner 2, then corners 0 and 3 tie -> 0.
    assert _diverse(x, 2, preselected=x[[1]]) == [2, 0]


def test_n_larger_than_input_returns_all_once() -> None:
    x = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    order = _diverse(x, 500)
    assert sorted(order) == list(range(50))


def test_duplicates_never_selected_twice() -> None:
    x = np.zeros((6, 3), dtype=np.float32)
    x[3] = 1.0
    order = _diverse(x, 6)
    assert order[:2] == [0, 3]
    assert sorted(order) == list(range(6))


def test_count_respected_and_unique_on_random_data() -> None:
    x = np.random.default_rng(1).normal(size=(1000, 16)).astype(np.float32)
    order = _diverse(x, 100)
    assert len(order) == 100
    assert len(set(order)) == 100
    assert order[0] == 0


def test_greedy_matches_bruteforce() -> None:
    x = np.random.default_rng(2).normal(size=(60, 5)).astype(np.float64)
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    expected = [0]
    while len(expected) < 15:
        expected.append(int(np.argmax(d[:, expected].min(axis=1))))
    assert _diverse(x.astype(np.float32), 15) == expected


def test_diversity_input_errors() -> None:
    x = np.zeros((3, 2), dtype=np.float32)
    assert _diverse(x, 0) == []  # n <= 0 selects nothing
    assert _diverse(x, -1) == []
    with pytest.raises(ValueError):
        _diverse(np.zeros(3, dtype=np.float32), 1)
    with pytest.raises(ValueError):
        _diverse(np.array([[np.nan, 0.0]], dtype=np.float32), 1)
    assert _diverse(np.zeros((0, 4), dtype=np.float32), 3) == []


@pytest.mark.parametrize(
    ("n_input", "n_samples", "proportion", "expected"),
    [
        (100, 10, None, 10),
        (100, 500, None, 100),
        (100, 0, None, 0),
        (100, None, 0.25, 25),
        (30, None, 0.1, 3),  # not 4: 0.1 * 30 is 3.0000000000000004 in float
        (10, None, 0.15, 2),  # ceil(1.5)
        (100, 10, 0.5, 10),
        (100, 80, 0.5, 50),
        (0, 5, None, 0),
        (7, None, 1.0, 7),
        (7, None, 0.0, 0),
    ],
)
def test_resolve_sample_count(
    n_input: int, n_samples: int | None, proportion: float | None, expected: int
) -> None:
    assert resolve_sample_count(n_input, n_samples, proportion) == expected


@pytest.mark.parametrize(
    ("n_input", "n_samples", "proportion"),
    [
        (10, None, None),
        (10, -1, None),
        (10, None, 1.5),
        (10, None, -0.1),
        (10, None, float("nan")),
        (-1, 3, None),
    ],
)
def test_resolve_sample_count_errors(
    n_input: int, n_samples: int | None, proportion: float | None
) -> None:
    with pytest.raises(ValueError):
        resolve_sample_count(n_input, n_samples, proportion)
