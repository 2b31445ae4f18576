"""RANDOM input: one uniform [0, 1) value per sample from a seeded generator."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def random_values(n: int, seed: int | None) -> npt.NDArray[np.float64]:
    """``n`` uniform values in [0, 1) from NumPy's PCG64 seeded with ``seed``.

    With WEIGHTS this is a random selection (highest values first); with THRESHOLD (e.g.
    ``SMALLER 0.3``) a random subsample of about that fraction. ``seed=None`` draws fresh OS
    entropy, so only a given seed makes a run reproducible.
    """
    return np.random.default_rng(seed).random(n)
