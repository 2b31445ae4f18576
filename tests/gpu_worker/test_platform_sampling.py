"""Sampling on stored embeddings, the pure part: the tag's picks are the engine's for that
count, the ranking's importance is ordered, preselected samples count, PCA is deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from winnow_common.schemas.sampling_request import sampling_plan
from winnow_common.schemas.wire_sampling import SamplingCreateRequest
from winnow_gpu_worker.ml.embed import l2_normalize
from winnow_gpu_worker.ml.selection import ResolvedStrategy, select
from winnow_gpu_worker.platform_sampling import SamplingInputs, pca_2d, rank


def _plan(method: str, n: float, d: float = -1, score_type: str | None = None):  # type: ignore[no-untyped-def]
    body = SamplingCreateRequest.model_validate(
        {
            "newTagName": "sel-1",
            "method": method,
            "config": {"stoppingCondition": {"nSamples": n, "minDistance": d}},
        }
    )
    return sampling_plan(body, random_seed=5, score_type=score_type)


def _inputs(n: int = 30, dim: int = 6, **kw) -> SamplingInputs:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(n, dim)).astype(np.float32)
    # CSV rows in reverse sample order: the job maps rows to samples by name.
    kw.setdefault("preselected", [])
    return SamplingInputs(emb, {n - 1 - r: r for r in range(n)}, list(range(n)), **kw)


@pytest.mark.parametrize("method", ["CORESET", "RANDOM"])
def test_tag_picks_are_the_engines_picks_for_that_count(method: str) -> None:
    inputs = _inputs()
    plan = _plan(method, 7)
    ranking = rank(plan, inputs)
    assert ranking.n_selected == 7 and len(ranking.picks) == 30  # everything ranked
    rows = [inputs.row_of[i] for i in range(30)]
    values = l2_normalize(inputs.embeddings[rows])
    if method == "RANDOM":
        values = np.random.default_rng(5).random(30)
    direct = select([ResolvedStrategy(entry=plan.entries[0], values=values)], 7)
    assert ranking.picks[:7] == direct.indices  # candidates are samples 0..29 in order
    assert ranking.importance == sorted(ranking.importance, reverse=True)
    assert ranking.importance[0] == 1.0


def test_preselected_count_towards_n_and_are_never_picked() -> None:
    inputs = _inputs(preselected=[3, 4])
    ranking = rank(_plan("CORESET", 6), inputs)
    assert ranking.n_selected == 4 and not {3, 4} & set(ranking.picks)


def test_active_learning_ranks_by_score_and_fraction_counts_the_query() -> None:
    scores = {i: float((i * 7) % 30) for i in range(30)}
    ranking = rank(_plan("ACTIVE_LEARNING", 0.1, score_type="s"), _inputs(scores=scores))
    assert ranking.n_selected == 3
    assert [scores[i] for i in ranking.picks[:3]] == [29.0, 28.0, 27.0]


def test_min_distance_stops_the_ranking() -> None:
    ranking = rank(_plan("CORESET", -1, d=1.2), _inputs())
    assert 0 < ranking.n_selected == len(ranking.picks) < 30


def test_pca_2d_is_deterministic_and_centred() -> None:
    x = np.random.default_rng(1).normal(size=(20, 5))
    a, b = pca_2d(x), pca_2d(x.copy())
    assert a.shape == (20, 2) and np.array_equal(a, b)
    assert np.allclose(a.mean(axis=0), 0, atol=1e-9)
    assert a[:, 0].var() >= a[:, 1].var()
    assert pca_2d(np.zeros((0, 3))).shape == (0, 2)
