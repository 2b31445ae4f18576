"""Tests for winnow_reporter.analysis.embedding: NN / cover distances, pairs, projections."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from winnow_reporter.analysis import embedding
from winnow_reporter.analysis.embedding import (
    Projection,
    cover_distances,
    example_pairs,
    nearest_neighbor_distances,
    project_2d,
)

# 1-D embedding: gaps 1, 2, 4, 8
LINE = np.array([[0.0], [1.0], [3.0], [7.0], [15.0]])


def _brute_nearest(
    x: np.ndarray, queries: np.ndarray, members: np.ndarray, exclude_self: bool
) -> np.ndarray:
    xx = np.asarray(x, dtype=np.float64)
    d = np.sqrt(((xx[queries][:, None, :] - xx[members][None, :, :]) ** 2).sum(-1))
    if exclude_self:
        d[queries[:, None] == members[None, :]] = np.inf
    return np.asarray(d.min(axis=1))


# --------------------------------------------------------------------------------------
# nearest_neighbor_distances / cover_distances
# --------------------------------------------------------------------------------------


def test_nearest_neighbor_distances_on_a_line() -> None:
    all_rows = np.arange(5)
    d = nearest_neighbor_distances(LINE, all_rows, max_queries=10, seed=0)
    assert d.tolist() == [1.0, 1.0, 2.0, 4.0, 8.0]
    # members 0, 3, 15 only
    sub = nearest_neighbor_distances(LINE, np.array([4, 0, 2]), max_queries=10, seed=0)
    assert sub.tolist() == [3.0, 3.0, 12.0]


def test_nearest_neighbor_distances_small_sets_and_duplicates() -> None:
    assert (
        nearest_neighbor_distances(LINE, np.array([], dtype=int), max_queries=5, seed=0).size == 0
    )
    assert nearest_neighbor_distances(LINE, np.array([3]), max_queries=5, seed=0).size == 0
    # a repeated index is one member
    assert nearest_neighbor_distances(LINE, np.array([2, 2]), max_queries=5, seed=0).size == 0
    # a different row with the same vector is a neighbour at distance 0
    x = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 4.0]])
    d = nearest_neighbor_distances(x, np.arange(3), max_queries=5, seed=0)
    assert d.tolist() == [0.0, 0.0, 5.0]


def test_nearest_neighbor_distances_sample_is_seeded() -> None:
    full = nearest_neighbor_distances(LINE, np.arange(5), max_queries=10, seed=0)
    a = nearest_neighbor_distances(LINE, np.arange(5), max_queries=2, seed=3)
    b = nearest_neighbor_distances(LINE, np.arange(5), max_queries=2, seed=3)
    assert len(a) == 2
    assert np.array_equal(a, b)
    assert set(a.tolist()) <= set(full.tolist())


def test_cover_distances_on_a_line() -> None:
    members = np.array([3, 1])  # values 7 and 1
    d = cover_distances(LINE, members, max_queries=10, seed=0)
    assert d.tolist() == [1.0, 0.0, 2.0, 0.0, 8.0]
    rows = cover_distances(LINE, members, max_queries=10, seed=0, query_rows=np.array([4, 0]))
    assert rows.tolist() == [1.0, 8.0]
    assert cover_distances(LINE, np.array([], dtype=int), max_queries=10, seed=0).size == 0
    sampled = cover_distances(LINE, members, max_queries=3, seed=1)
    assert len(sampled) == 3


def test_cover_query_rows_sample_matches_a_prefix_of_x() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    members = np.arange(250, 300)
    a = cover_distances(x[:200], np.arange(150, 200), max_queries=40, seed=5)
    b = cover_distances(x, np.arange(150, 200), max_queries=40, seed=5, query_rows=np.arange(200))
    assert np.array_equal(a, b)
    assert cover_distances(x, members, max_queries=40, seed=5).shape == (40,)


@pytest.mark.parametrize(
    ("dtype", "offset"), [(np.float32, 0.0), (np.float64, 0.0), (np.float64, 1000.0)]
)
def test_blockwise_search_matches_brute_force(
    monkeypatch: pytest.MonkeyPatch, dtype: type, offset: float
) -> None:
    # tiny blocks: many query blocks and candidate blocks, self exclusion across boundaries
    monkeypatch.setattr(embedding, "_BLOCK_ELEMENTS", 50)
    monkeypatch.setattr(embedding, "_QUERY_BLOCK", 7)
    rng = np.random.default_rng(1)
    x: np.ndarray = (rng.normal(size=(400, 6)) * 0.01 + offset).astype(dtype)
    members = np.sort(rng.choice(400, size=150, replace=False))

    nn = nearest_neighbor_distances(x, members, max_queries=1000, seed=0)
    np.testing.assert_allclose(nn, _brute_nearest(x, members, members, True), rtol=1e-9)

    cover = cover_distances(x, members, max_queries=1000, seed=0)
    np.testing.assert_allclose(cover, _brute_nearest(x, np.arange(400), members, False), rtol=1e-9)
    assert np.count_nonzero(cover == 0.0) == len(members)


def test_nearest_neighbor_distances_memory_is_bounded() -> None:
    x = np.random.default_rng(0).normal(size=(200_000, 32)).astype(np.float32)
    members = np.arange(200_000)
    tracemalloc.start()
    try:
        d = nearest_neighbor_distances(x, members, max_queries=2000, seed=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert d.shape == (2000,)
    assert np.all(d > 0)
    assert peak < 200 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"


# --------------------------------------------------------------------------------------
# example_pairs
# --------------------------------------------------------------------------------------


def test_example_pairs_spread_over_the_distance_range() -> None:
    x = np.arange(10, dtype=np.float64)[:, None]
    removed = np.arange(1, 8)  # distances 1..7 to the only selected row 0
    pairs = example_pairs(x, np.array([0]), removed, 3, seed=0)
    assert pairs == [(0, 1, 1.0), (0, 4, 4.0), (0, 7, 7.0)]
    assert all(type(s) is int and type(r) is int and type(d) is float for s, r, d in pairs)


def test_example_pairs_pick_the_nearest_selected() -> None:
    x = np.arange(10, dtype=np.float64)[:, None]
    selected, removed = np.array([0, 9]), np.arange(1, 9)
    # removed 1..4 -> 0 at 1..4, removed 5..8 -> 9 at 4..1; ties broken by removed row
    assert example_pairs(x, selected, removed, 2, seed=0) == [(0, 1, 1.0), (9, 5, 4.0)]
    everything = example_pairs(x, selected, removed, 20, seed=0)
    assert [r for _, r, _ in everything] == [1, 8, 2, 7, 3, 6, 4, 5]
    assert [d for _, _, d in everything] == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]


def test_example_pairs_empty_cases() -> None:
    x = np.arange(4, dtype=np.float64)[:, None]
    empty = np.array([], dtype=int)
    assert example_pairs(x, empty, np.array([1, 2]), 3, seed=0) == []
    assert example_pairs(x, np.array([0]), empty, 3, seed=0) == []
    assert example_pairs(x, np.array([0]), np.array([1, 2]), 0, seed=0) == []
    assert example_pairs(x, np.array([0]), np.array([3]), 1, seed=0) == [(0, 3, 3.0)]


# --------------------------------------------------------------------------------------
# project_2d
# --------------------------------------------------------------------------------------


def test_pca_of_points_on_a_line_has_a_zero_second_component() -> None:
    t = np.arange(7, dtype=np.float64)
    x = np.outer(t, [1.0, 2.0, 3.0]) + 5.0
    p = project_2d(x, max_points=100, seed=0, umap_neighbors=())
    assert isinstance(p, Projection)
    assert p.indices.tolist() == list(range(7))
    assert p.pca.shape == (7, 2)
    assert np.all(p.pca[:, 1] == 0.0)
    # loading (1, 2, 3) / sqrt(14), largest entry positive -> scores grow with t
    np.testing.assert_allclose(p.pca[:, 0], (t - 3.0) * np.sqrt(14.0), atol=1e-12)
    assert p.umap == {} and p.notes == []


def test_pca_components_and_signs() -> None:
    # a cross: spread 2 along y (the first component), 1 along x (the second)
    x = np.array([[0.0, 2.0], [0.0, -2.0], [1.0, 0.0], [-1.0, 0.0]]) + np.array([10.0, -3.0])
    p = project_2d(x, max_points=10, seed=0, umap_neighbors=())
    np.testing.assert_allclose(
        p.pca, [[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]], atol=1e-12
    )
    flipped = project_2d(-x, max_points=10, seed=0, umap_neighbors=())
    np.testing.assert_allclose(flipped.pca, -p.pca, atol=1e-12)


@pytest.mark.parametrize(
    "x",
    [
        np.zeros((0, 3)),
        np.ones((1, 4)),
        np.ones((3, 2)),
        np.full((8, 3), 2.5),
        np.arange(6, dtype=np.float64)[:, None],
    ],
    ids=["empty", "one-point", "three-points", "all-equal", "d=1"],
)
def test_project_2d_degenerate_inputs(x: np.ndarray) -> None:
    p = project_2d(x, max_points=100, seed=0, umap_neighbors=(50,))
    m = x.shape[0]
    assert p.pca.shape == (m, 2)
    assert np.all(np.isfinite(p.pca))
    assert p.umap == {}
    assert len(p.notes) == 1 and "UMAP" in p.notes[0]
    if m and x.shape[1] == 1:
        np.testing.assert_allclose(p.pca[:, 0], x[:, 0] - x[:, 0].mean())
        assert np.all(p.pca[:, 1] == 0.0)
    elif m:
        assert np.all(p.pca == 0.0)


def test_project_2d_samples_rows() -> None:
    x = np.random.default_rng(0).normal(size=(50, 3))
    p = project_2d(x, max_points=20, seed=4, umap_neighbors=())
    q = project_2d(x, max_points=20, seed=4, umap_neighbors=())
    assert len(p.indices) == 20 and np.all(np.diff(p.indices) > 0)
    assert np.array_equal(p.indices, q.indices) and np.array_equal(p.pca, q.pca)
    assert p.pca.shape == (20, 2)


def test_project_2d_umap_shape_determinism_and_notes() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(30, 8)), rng.normal(size=(30, 8)) + 6.0])
    p = project_2d(x, max_points=100, seed=3, umap_neighbors=(5, 60))
    assert sorted(p.umap) == [5]
    assert p.umap[5].shape == (60, 2) and np.all(np.isfinite(p.umap[5]))
    assert len(p.notes) == 1 and "60" in p.notes[0]
    again = project_2d(x, max_points=100, seed=3, umap_neighbors=(5,))
    assert np.array_equal(p.umap[5], again.umap[5])
    assert again.notes == []
    # all-equal points must not raise (the view is computed or left out with a note)
    flat = project_2d(np.ones((10, 3)), max_points=100, seed=3, umap_neighbors=(5,))
    assert 5 in flat.umap or any("n_neighbors 5" in note for note in flat.notes)
