"""The DIVERSITY-only fast path picks exactly what the general greedy loop picks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from winnow_common.schemas.worker_config import SelectionEntry
from winnow_gpu_worker.ml.selection import ResolvedStrategy, StopCode, select


def _entry(strategy: dict[str, Any], input_: dict[str, Any] | None = None) -> SelectionEntry:
    return SelectionEntry.model_validate(
        {"input": input_ or {"type": "EMBEDDINGS"}, "strategy": strategy}
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_distance", [None, 2.5])
@pytest.mark.parametrize("with_preselected", [False, True])
def test_fast_path_equals_the_general_loop(
    seed: int, min_distance: float | None, with_preselected: bool
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((300, 8)).astype(np.float32)
    x[17] = x[3]  # an exact duplicate: distance 0 once x[3] is picked
    preselected = rng.standard_normal((5, 8)).astype(np.float32) if with_preselected else None
    strategy: dict[str, Any] = {"type": "DIVERSITY"}
    if min_distance is not None:
        strategy["stopping_condition_minimum_distance"] = min_distance
    diversity = ResolvedStrategy(_entry(strategy), x)
    # A WEIGHTS strategy with strength 0 changes no score but forces the general loop.
    neutral = ResolvedStrategy(
        _entry({"type": "WEIGHTS", "strength": 0}, {"type": "RANDOM", "randomSeed": 1}),
        rng.random(300),
    )
    fast = select([diversity], 120, preselected=preselected)
    general = select([diversity, neutral], 120, preselected=preselected)
    assert fast.indices == general.indices
    assert fast.stop_code == general.stop_code
    assert fast.strategies[0].values_at_pick == pytest.approx(
        general.strategies[0].values_at_pick, rel=1e-5
    )
    if min_distance is not None:
        assert fast.stop_code is StopCode.MIN_DISTANCE


def test_fast_path_selects_everything_when_asked() -> None:
    x = np.random.default_rng(0).standard_normal((20, 4)).astype(np.float32)
    result = select([ResolvedStrategy(_entry({"type": "DIVERSITY"}), x)], 50)
    assert sorted(result.indices) == list(range(20)) and result.indices[0] == 0
    assert result.stop_code is StopCode.NO_CANDIDATES
