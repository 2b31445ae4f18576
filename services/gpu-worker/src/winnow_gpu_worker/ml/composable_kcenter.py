"""Two-round composable k-center: DIVERSITY over more embeddings than one machine holds.

Round 1 runs greedy (farthest-point) k-center on every shard on its own and keeps ``tau >= k``
centres per shard: their global row ids and their vectors. Round 2 runs the same greedy pass
over the union of those centres and returns ``k`` of them. Only one shard and the union
(``n_shards * tau`` rows) are ever in memory, and round 1 is embarrassingly parallel: each
worker computes ``shard_centres`` for its shards, and whoever holds the union calls
``merge_centres``.

Quality: every point is within ``2 OPT`` of its shard's centres (greedy is a 2-approximation
against any k centres, so also against the global optimum restricted to that shard), and every
shard centre is within ``2 OPT`` of the final centres (greedy again, on a subset of the data),
so the result covers everything within ``4 OPT``: the composable-coreset bound of Malkomes et
al. (NeurIPS 2015) and McClintock & Wirth (2016). Keeping ``tau > k`` centres per shard
tightens round 1 towards ``OPT`` (Ceccarello, Pietracaprina and Pucci, VLDB 2019: ``2 + eps``
for large enough ``tau``), at ``tau / k`` times round 1's cost and union size.
``covering_radius`` measures the result (the largest distance from any point to its nearest
centre) without an N x k matrix, so it can be compared with the single-machine greedy.

``preselected`` points (an earlier run's selection) count as selected in both rounds, as in
the selection engine's DIVERSITY: no shard spends centres next to them, and round 2 starts from
them. The greedy pass here is exactly the engine's DIVERSITY-only path (first pick row 0, or
the farthest row from the preselected points; ties to the lowest index), so one shard gives the
single-machine picks in the same order, whatever ``tau``: round 2 keeps the union in global
row order, and greedy over a prefix of a greedy sequence picks that prefix again.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import numpy as np

from winnow_gpu_worker.ml.kcenter import MinDistanceTracker, Precision

Shards = Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]]

# Each temporary of ``covering_radius`` holds at most this many float32 values (8 MiB): large
# enough for BLAS, small enough that the min over it runs from the caches.
RADIUS_BLOCK_ELEMENTS = 1 << 21


class ShardCentres(NamedTuple):
    """Round 1's output for one shard: global row ids (pick order) and their vectors."""

    ids: np.ndarray  # int64, (m,)
    vectors: np.ndarray  # float32, (m, D)


def _matrix(x: np.ndarray, what: str) -> np.ndarray:
    out = np.ascontiguousarray(x, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array, got shape {out.shape}")
    return out


def _points(preselected: np.ndarray | None, d: int) -> np.ndarray | None:
    if preselected is None:
        return None
    pts = np.asarray(preselected, dtype=np.float32)
    if pts.size == 0:
        return None
    pts = _matrix(pts.reshape(-1, pts.shape[-1]), "preselected")
    if pts.shape[1] != d:
        raise ValueError(f"preselected have dimension {pts.shape[1]}, the embeddings {d}")
    return pts


def _count(k: int, name: str) -> int:
    k = operator.index(k)
    if k < 0:
        raise ValueError(f"{name} must be >= 0, got {k}")
    return k


def greedy_kcenter(
    x: np.ndarray,
    k: int,
    *,
    preselected: np.ndarray | None = None,
    precision: Precision = "auto",
) -> np.ndarray:
    """Greedy k-center on the rows of ``x``: up to ``k`` row indices in pick order (int64).

    The first pick is row 0, or with ``preselected`` points (``(P, D)``) the row farthest from
    them; every later pick is the row farthest from everything picked or preselected, ties to
    the lowest index. This is what the selection engine's DIVERSITY-only path picks.
    """
    x = _matrix(x, "embeddings")
    k = min(_count(k, "k"), len(x))
    out = np.empty(k, dtype=np.int64)
    if k == 0:
        return out
    tracker = MinDistanceTracker(x, precision=precision)
    pts = _points(preselected, x.shape[1])
    if pts is not None:
        tracker.add_points(pts)
    pick = tracker.farthest() if pts is not None else 0
    for j in range(k):
        if pick is None:  # only with non-finite distances; the tracker never returns an added row
            return out[:j]
        out[j] = pick
        if j + 1 < k:
            tracker.add(pick)
            pick = tracker.farthest()
    return out


def shard_centres(
    shard: np.ndarray,
    tau: int,
    *,
    offset: int = 0,
    preselected: np.ndarray | None = None,
    precision: Precision = "auto",
) -> ShardCentres:
    """Round 1 on one shard: its ``tau`` greedy centres as global ids (``offset`` + row)."""
    x = _matrix(shard, "shard")
    local = greedy_kcenter(x, tau, preselected=preselected, precision=precision)
    return ShardCentres(local + operator.index(offset), x[local].copy())


def merge_centres(
    parts: Iterable[ShardCentres],
    k: int,
    *,
    preselected: np.ndarray | None = None,
    precision: Precision = "auto",
) -> np.ndarray:
    """Round 2: greedy over the union of the shards' centres; ``k`` global ids in pick order."""
    parts = list(parts)
    if not parts:
        return np.empty(0, dtype=np.int64)
    ids = np.concatenate([p.ids for p in parts]).astype(np.int64, copy=False)
    vectors = np.concatenate([_matrix(p.vectors, "centres") for p in parts])
    if len(np.unique(ids)) != len(ids):
        raise ValueError("shard centres overlap: every global row id must come from one shard")
    # Global row order makes greedy's tie-break (lowest index) the single-machine one.
    order = np.argsort(ids, kind="stable")
    ids, vectors = ids[order], vectors[order]
    picks = greedy_kcenter(vectors, k, preselected=preselected, precision=precision)
    out: np.ndarray = ids[picks]
    return out


def _iter_shards(shards: Shards) -> Iterator[np.ndarray]:
    yield from (shards() if callable(shards) else shards)


def composable_kcenter(
    shards: Shards,
    k: int,
    tau: int | None = None,
    *,
    preselected: np.ndarray | None = None,
    precision: Precision = "auto",
) -> np.ndarray:
    """Two-round composable greedy k-center: ``min(k, rows)`` global row ids in pick order.

    ``shards`` are ``(n_i, D)`` arrays (or a callable returning an iterable of them, read
    once, one shard in memory at a time); global row ids number their rows in order.
    ``tau`` (centres kept per shard, default ``k``, must be ``>= k``): ``k`` gives the
    4-approximation at the least cost; 2-4 ``k`` usually lowers the radius further (module
    docstring). ``preselected`` ``(P, D)`` points count as selected in both rounds.
    """
    k = _count(k, "k")
    tau = k if tau is None else _count(tau, "tau")
    if tau < k:
        raise ValueError(f"tau must be >= k ({k}), got {tau}")
    parts: list[ShardCentres] = []
    offset = 0
    d: int | None = None
    for shard in _iter_shards(shards):
        x = _matrix(shard, f"shard {len(parts)}")
        if d is not None and x.shape[1] != d:
            raise ValueError(f"shard {len(parts)} has dimension {x.shape[1]}, shard 0 has {d}")
        d = x.shape[1]
        parts.append(
            shard_centres(x, tau, offset=offset, preselected=preselected, precision=precision)
        )
        offset += len(x)
    return merge_centres(parts, k, preselected=preselected, precision=precision)


def covering_radius(
    points: Shards | np.ndarray,
    centres: np.ndarray,
    *,
    block_elements: int = RADIUS_BLOCK_ELEMENTS,
) -> float:
    """Largest Euclidean distance from any point to its nearest centre (k-center's objective).

    ``points`` is one ``(N, D)`` array or shards of them (as for ``composable_kcenter``).
    Computed block by block (``rows x centres <= block_elements`` values at a time, float32
    ``||x||^2 - 2 x.c + ||c||^2``), never N x k. ``inf`` when there are points but no centres,
    0 when there are no points.
    """
    c = _matrix(centres, "centres")
    # Augmented centres [-2c, ||c||^2]: one GEMM with rows [x, 1] gives ||c||^2 - 2 x.c.
    aug = np.concatenate([-2.0 * c, np.einsum("ij,ij->i", c, c)[:, None]], axis=1).T.copy()
    chunk = max(1, min(len(c), 4096))
    rows = max(1, block_elements // chunk)
    worst = 0.0
    parts = [points] if isinstance(points, np.ndarray) else _iter_shards(points)
    for part in parts:
        x = _matrix(part, "points")
        if len(x) and not len(c):
            return float("inf")
        if x.shape[1] != c.shape[1] and len(x):
            raise ValueError(f"points have dimension {x.shape[1]}, centres {c.shape[1]}")
        block = np.ones((min(rows, len(x)), x.shape[1] + 1), dtype=np.float32)
        for start in range(0, len(x), rows):
            xb = x[start : start + rows]
            xa = block[: len(xb)]
            xa[:, :-1] = xb
            best = np.full(len(xb), np.inf, dtype=np.float32)
            for c0 in range(0, len(c), chunk):
                np.minimum(best, (xa @ aug[:, c0 : c0 + chunk]).min(axis=1), out=best)
            best += np.einsum("ij,ij->i", xb, xb)
            worst = max(worst, float(best.max()))
    return float(np.sqrt(max(worst, 0.0)))
