"""Diversity-based sample selection (farthest-point / k-center greedy)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from winnow_gpu_worker.ml.kcenter import MinDistanceTracker


def select_diverse(
    embeddings: np.ndarray, n: int, *, first: int = 0, device: str | None = None
) -> list[int]:
    """Greedily pick ``n`` row indices that cover ``embeddings`` (k-center greedy).

    Starts with ``first`` and repeatedly adds the point whose squared Euclidean distance to its
    nearest already-selected point is largest (ties go to the lowest index). The nearest-centre
    distances are kept by a :class:`~winnow_gpu_worker.ml.kcenter.MinDistanceTracker` with its
    default ``precision="auto"``: float32 NumPy BLAS below 32 MiB of embeddings, and above that
    an int8 screening copy (a quarter of the bytes read per step) that recomputes in float32
    every row whose distance may change, so the selection is the float32 one up to ties within
    float32 rounding. Memory is O(N) beyond the embeddings plus about N * D bytes for that copy,
    and each step is O(N * D). No index is returned twice; if ``n >= N`` all indices are
    returned in greedy order.

    ``device=None`` runs on the CPU. Passing a torch device (e.g. ``"cuda"``) runs the same
    algorithm with torch there, which matters for millions of embeddings because every step reads
    the whole matrix; rounding differs slightly between backends, so near-ties may resolve
    differently.

    Raises ``ValueError`` if ``n <= 0``, ``first`` is out of range, the input is not 2-D, or it
    contains non-finite values.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    x = np.asarray(embeddings, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"embeddings must be 2-D (N, D), got shape {x.shape}")
    count = x.shape[0]
    if count == 0:
        return []
    if not 0 <= first < count:
        raise ValueError(f"first={first} is out of range for {count} embeddings")
    if not np.isfinite(x).all():
        raise ValueError("embeddings contain NaN or infinite values")

    n = min(n, count)
    if device is not None:
        return _select_diverse_torch(x, n, first, device)
    tracker = MinDistanceTracker(x)
    selected = [first]
    while len(selected) < n:
        tracker.add(selected[-1])
        nxt = tracker.farthest()
        assert nxt is not None  # n <= count, so some row is still unselected
        selected.append(nxt)
    return selected


def _select_diverse_torch(x: np.ndarray, n: int, first: int, device: str) -> list[int]:
    # Imported lazily so NumPy-only callers of this module do not pay for importing torch.
    import torch

    with torch.inference_mode():
        xt = torch.from_numpy(x).to(device)
        sq_norms = (xt * xt).sum(dim=1)

        def sq_dist_to(center: int) -> torch.Tensor:
            d = sq_norms - 2.0 * (xt @ xt[center]) + sq_norms[center]
            return d.clamp_(min=0.0)

        min_dist = sq_dist_to(first)
        min_dist[first] = -torch.inf
        selected = [first]
        for _ in range(n - 1):
            # torch.argmax also returns the first maximal index, matching NumPy's tie-breaking.
            nxt = int(torch.argmax(min_dist))
            selected.append(nxt)
            torch.minimum(min_dist, sq_dist_to(nxt), out=min_dist)
            min_dist[nxt] = -torch.inf
    return selected


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
