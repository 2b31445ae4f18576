"""How many samples a run selects: ``nSamples`` and/or ``proportionSamples`` of its input."""

from __future__ import annotations

import math
from fractions import Fraction


def resolve_sample_count(
    n_input: int, n_samples: int | None, proportion_samples: float | None
) -> int:
    """Return how many samples to select from ``n_input`` candidates.

    At least one of ``n_samples`` and ``proportion_samples`` must be set. With both, the smaller
    of ``n_samples`` and ``ceil(proportion_samples * n_input)`` wins. The result is clipped to
    ``[0, n_input]``. Raises ``ValueError`` for missing or invalid arguments.
    """
    if n_input < 0:
        raise ValueError(f"n_input must be >= 0, got {n_input}")
    if n_samples is None and proportion_samples is None:
        raise ValueError("set at least one of n_samples or proportion_samples")
    candidates: list[int] = []
    if n_samples is not None:
        if n_samples < 0:
            raise ValueError(f"n_samples must be >= 0, got {n_samples}")
        candidates.append(int(n_samples))
    if proportion_samples is not None:
        p = float(proportion_samples)
        if not 0.0 <= p <= 1.0:  # also rejects NaN
            raise ValueError(f"proportion_samples must be within [0, 1], got {proportion_samples}")
        # Exact decimal arithmetic: 0.1 * 30 is 3.0000000000000004 in floats, which would
        # round up to 4 samples.
        candidates.append(math.ceil(Fraction(repr(p)) * n_input))
    return max(0, min(*candidates, n_input))
