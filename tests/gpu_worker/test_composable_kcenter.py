"""Two-round composable k-center against the single-machine greedy and the exact optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from winnow_common.schemas.worker_config import SelectionEntry
from winnow_gpu_worker.ml.composable_kcenter import (
    ShardCentres,
    composable_kcenter,
    covering_radius,
    greedy_kcenter,
    merge_centres,
    shard_centres,
)
from winnow_gpu_worker.ml.selection import ResolvedStrategy, select


def _clusters(n: int, d: int, seed: int, n_clusters: int = 24) -> np.ndarray:
    """Gaussian blobs of different spreads and sizes, like class embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_clusters, d)) * 4.0
    weights = rng.dirichlet(np.ones(n_clusters))
    label = rng.choice(n_clusters, n, p=weights)
    spread = rng.uniform(0.2, 1.5, n_clusters)
    x = centres[label] + rng.standard_normal((n, d)) * spread[label, None]
    return x.astype(np.float32)


def _split(x: np.ndarray, n_shards: int) -> list[np.ndarray]:
    """Uneven contiguous shards (as a manifest would cut them)."""
    cuts = np.linspace(0, len(x), n_shards + 1).astype(int)
    cuts[1:-1] += np.arange(1, n_shards) * 7  # not all the same size
    return [x[a:b] for a, b in itertools.pairwise(cuts)]


def _brute_radius(x: np.ndarray, centres: np.ndarray) -> float:
    d = np.linalg.norm(x[:, None, :].astype(np.float64) - centres[None].astype(np.float64), axis=2)
    return float(d.min(axis=1).max())


def _engine(x: np.ndarray, k: int, preselected: np.ndarray | None = None) -> list[int]:
    entry = SelectionEntry.model_validate(
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
    )
    return select([ResolvedStrategy(entry, x)], k, preselected=preselected).indices


@pytest.mark.parametrize("seed", [0, 1])
def test_greedy_is_the_engines_diversity_selection(seed: int) -> None:
    x = _clusters(2500, 16, seed)
    pre = _clusters(5, 16, seed + 100)
    assert greedy_kcenter(x, 60).tolist() == _engine(x, 60)
    assert greedy_kcenter(x, 60, preselected=pre).tolist() == _engine(x, 60, pre)


@pytest.mark.parametrize("n_shards", [3, 8])
def test_exactly_k_unique_global_ids(n_shards: int) -> None:
    x = _clusters(3000, 16, 2)
    shards = _split(x, n_shards)
    picks = composable_kcenter(shards, 40)
    assert picks.dtype == np.int64 and len(picks) == 40 and len(set(picks.tolist())) == 40
    assert picks.min() >= 0 and picks.max() < len(x)
    # Global ids address the concatenated rows: the radius seen through the ids is the one of
    # the round-2 vectors (checked by recomputing round 2 from the parts).
    offsets = np.cumsum([0] + [len(s) for s in shards])
    parts = [shard_centres(s, 40, offset=o) for s, o in zip(shards, offsets, strict=False)]
    for p, s, o in zip(parts, shards, offsets, strict=False):
        np.testing.assert_array_equal(p.vectors, x[p.ids])
        assert o <= p.ids.min() and p.ids.max() < o + len(s)
    assert merge_centres(parts, 40).tolist() == picks.tolist()


@pytest.mark.parametrize("tau_factor", [1, 2, 4])
def test_one_shard_is_the_plain_greedy_in_pick_order(tau_factor: int) -> None:
    x = _clusters(3000, 16, 3)
    pre = _clusters(4, 16, 33)
    assert composable_kcenter([x], 50, 50 * tau_factor).tolist() == greedy_kcenter(x, 50).tolist()
    got = composable_kcenter([x], 50, 50 * tau_factor, preselected=pre)
    assert got.tolist() == greedy_kcenter(x, 50, preselected=pre).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_radius_within_four_times_the_greedy_radius(seed: int) -> None:
    x = _clusters(4000, 16, seed)
    k = 30
    exact = covering_radius(x, x[greedy_kcenter(x, k)])
    composable = covering_radius(_split(x, 6), x[composable_kcenter(_split(x, 6), k)])
    ratio = composable / exact
    print(f"seed {seed}: radius composable / greedy = {ratio:.3f}")
    # Greedy >= OPT and composable <= 4 OPT; on clustered data it is far below that.
    assert ratio <= 4.0
    assert ratio < 2.0


def test_radius_within_four_times_the_exact_optimum() -> None:
    """On a set small enough for brute force: greedy <= 2 OPT, composable <= 4 OPT."""
    for seed in range(4):
        x = _clusters(16, 2, seed, n_clusters=5)
        k = 3
        opt = min(_brute_radius(x, x[list(c)]) for c in itertools.combinations(range(16), k))
        greedy = _brute_radius(x, x[greedy_kcenter(x, k)])
        composable = _brute_radius(x, x[composable_kcenter(_split(x, 4)[::1], k)])
        assert opt <= greedy <= 2 * opt + 1e-5
        assert opt <= composable <= 4 * opt + 1e-5


def test_more_centres_per_shard_is_not_worse_on_the_test_data() -> None:
    """tau > k: round 1's cover can only improve; the final radius improves on average.

    Greedy's first k picks do not depend on how many follow, so the union for tau = 4k holds
    the union for tau = k and covers the data at least as well. The final radius has no such
    guarantee: per seed tau = 4k was up to 5% worse than tau = k at k = 30 (2 of 6 seeds), and
    better on average. At k = 100 it was never worse and the mean ratio to the single-machine
    greedy went from 1.05 (tau = k) to 1.00 (tau = 4k).
    """
    ratios: dict[int, list[float]] = {1: [], 4: []}
    for seed in range(8):
        x = _clusters(4000, 16, seed)
        shards = _split(x, 8)
        k = 100
        greedy = covering_radius(x, x[greedy_kcenter(x, k)])
        unions = {}
        for factor in ratios:
            offsets = np.cumsum([0] + [len(s) for s in shards])
            parts = [
                shard_centres(s, factor * k, offset=o)
                for s, o in zip(shards, offsets, strict=False)
            ]
            unions[factor] = set(np.concatenate([p.ids for p in parts]).tolist())
            picks = merge_centres(parts, k)
            ratios[factor].append(covering_radius(x, x[picks]) / greedy)
        assert unions[1] <= unions[4]
    print({f: [f"{r:.3f}" for r in v] for f, v in ratios.items()})
    assert max(ratios[4]) <= max(ratios[1])
    assert np.mean(ratios[4]) <= np.mean(ratios[1])
    assert all(r4 <= r1 + 1e-6 for r1, r4 in zip(ratios[1], ratios[4], strict=True))


def test_deterministic_and_the_same_from_a_list_or_a_callable() -> None:
    x = _clusters(3000, 16, 4)
    shards = _split(x, 5)
    first = composable_kcenter(shards, 25, tau=50)
    assert composable_kcenter(shards, 25, tau=50).tolist() == first.tolist()
    assert composable_kcenter(lambda: iter(shards), 25, tau=50).tolist() == first.tolist()
    assert composable_kcenter(iter(shards), 25, tau=50).tolist() == first.tolist()


def test_preselected_points_are_covered_in_both_rounds() -> None:
    x = _clusters(3000, 16, 5)
    held = np.arange(0, 3000, 97)  # rows an earlier run selected
    picks = composable_kcenter(_split(x, 4), 30, preselected=x[held])
    assert not set(picks.tolist()) & set(held.tolist())
    # Selecting with them beats ignoring them at covering the data together with them.
    with_pre = covering_radius(x, np.concatenate([x[held], x[picks]]))
    without = covering_radius(x, np.concatenate([x[held], x[composable_kcenter(_split(x, 4), 30)]]))
    assert with_pre <= without


def test_small_shards_and_k_beyond_the_data() -> None:
    x = _clusters(40, 4, 6)
    shards = [x[:3], x[3:3], x[3:40]]  # one shard with fewer rows than k, one empty
    picks = composable_kcenter(shards, 10)
    assert len(set(picks.tolist())) == 10
    assert sorted(composable_kcenter(shards, 100).tolist()) == list(range(40))
    assert composable_kcenter(shards, 0).tolist() == []
    assert composable_kcenter([], 5).tolist() == []


def test_invalid_arguments() -> None:
    x = _clusters(100, 4, 7)
    with pytest.raises(ValueError, match="tau"):
        composable_kcenter([x], 10, tau=5)
    with pytest.raises(ValueError, match="dimension"):
        composable_kcenter([x, x[:, :3]], 5)
    with pytest.raises(ValueError, match="preselected"):
        composable_kcenter([x], 5, preselected=x[:2, :3])
    with pytest.raises(ValueError, match="overlap"):
        part = shard_centres(x, 5)
        merge_centres([part, ShardCentres(part.ids, part.vectors)], 5)


def test_covering_radius_blockwise_equals_brute_force() -> None:
    x = _clusters(1000, 8, 8)
    centres = x[greedy_kcenter(x, 37)]
    expected = _brute_radius(x, centres)
    for block in (1, 100, 5000, 1 << 21):  # one row at a time up to everything at once
        got = covering_radius(x, centres, block_elements=block)
        assert got == pytest.approx(expected, rel=1e-4)
        assert covering_radius(_split(x, 3), centres, block_elements=block) == got
    assert covering_radius(x, x) == pytest.approx(0.0, abs=1e-2)
    assert covering_radius(x, x[:0]) == float("inf")
    assert covering_radius(x[:0], centres) == 0.0
