"""Embedding analysis: nearest-neighbour / cover distances, example pairs, 2-D projections.

Distances are never materialised as an N x N (or N x queries) matrix. Queries (a seeded
sample of at most ``max_queries`` rows) are compared with the candidate rows block by block
with one BLAS product per block (``q @ m.T`` with the squared norms folded in as an extra
column), keeping a running nearest candidate per query; one temporary block holds at most
``_BLOCK_ELEMENTS`` values. The search runs in float32 on data centred at the query mean (so
large offsets do not cancel), and the distance to the nearest candidate found is then
recomputed exactly in float64.

The 2-D projections compute only what they show: the two leading principal directions (the
top eigenvectors of the smaller Gram matrix, not a full SVD), and the UMAP views in parallel in
forked worker processes where that is possible (``winnow_reporter.forking``), the same numbers
as fitted one after another in this process.

Row indices everywhere are row indices into ``x``. All sampling is seeded
(``np.random.default_rng(seed)``), so results are reproducible.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from winnow_reporter import forking

__all__ = [
    "Projection",
    "cover_distances",
    "example_pairs",
    "nearest_neighbor_distances",
    "project_2d",
]

log = logging.getLogger(__name__)

# Upper bound on the number of values in one temporary (queries x candidates) block.
_BLOCK_ELEMENTS = 1 << 21
# Queries handled together; more queries are processed in several passes.
_QUERY_BLOCK = 4096
# Removed samples considered by example_pairs.
_EXAMPLE_QUERIES = 5000
#: Optimisation epochs of every UMAP view. umap-learn's own default is 500 below 10,000 points
#: and 200 above; 200 everywhere gives the same kind of picture of a few thousand points
#: (a scatter plot in the report, not an analysis input) in about 40 % of the time.
UMAP_EPOCHS = 200


# --------------------------------------------------------------------------------------
# blockwise nearest neighbour search
# --------------------------------------------------------------------------------------


def _as_2d(x: np.ndarray) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"x must be 2-D, got shape {arr.shape}")
    return arr


def _as_ids(ids: np.ndarray, n: int, what: str) -> np.ndarray:
    """Sorted unique int64 row indices, validated against ``n`` rows."""
    arr = np.unique(np.asarray(ids, dtype=np.int64).ravel())
    if arr.size and (arr[0] < 0 or arr[-1] >= n):
        raise ValueError(f"{what} indices must lie in [0, {n}), got [{arr[0]}, {arr[-1]}]")
    return arr


def _sample(ids: np.ndarray, max_n: int, rng: np.random.Generator) -> np.ndarray:
    """``ids`` itself, or a sorted seeded subset of ``max_n`` of them."""
    if max_n < 0:
        raise ValueError(f"the sample size must be >= 0, got {max_n}")
    if len(ids) <= max_n:
        return ids
    return np.sort(ids[rng.choice(len(ids), size=max_n, replace=False)])


def _nearest(
    x: np.ndarray, queries: np.ndarray, candidates: np.ndarray, *, exclude_self: bool
) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, its nearest candidate row and the float64 Euclidean distance.

    ``queries`` and ``candidates`` are sorted unique row indices into ``x``; ``candidates``
    must be non-empty (and hold a row other than the query when ``exclude_self``). With
    ``exclude_self`` a query never matches its own row. Returns ``(distances, nearest row)``.
    """
    nq = len(queries)
    best_val = np.full(nq, np.inf, dtype=np.float32)
    best_pos = np.zeros(nq, dtype=np.int64)
    if nq == 0:
        return np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.int64)
    n_cand = len(candidates)
    d = x.shape[1]
    # centre in the data's precision (float32 data) or before the cast (float64 data)
    work_dtype = np.result_type(x.dtype, np.float32)
    center = np.asarray(x[queries], dtype=np.float64).mean(axis=0).astype(work_dtype)
    # position of each query among the candidates (for self exclusion)
    pos = np.searchsorted(candidates, queries)
    is_cand = candidates[np.minimum(pos, n_cand - 1)] == queries

    for qs in range(0, nq, _QUERY_BLOCK):
        qe = min(qs + _QUERY_BLOCK, nq)
        # augmented queries [-2 q, 1] and candidates [m, |m|^2], so that one product gives
        # |q - m|^2 - |q|^2 = |m|^2 - 2 q.m  (|q|^2 is constant per row: argmin only)
        q = np.ones((qe - qs, d + 1), dtype=np.float32)
        np.subtract(x[queries[qs:qe]], center, out=q[:, :d], casting="unsafe")
        q[:, :d] *= -2.0
        cols = max(1, _BLOCK_ELEMENTS // (qe - qs))
        bv = best_val[qs:qe]
        bp = best_pos[qs:qe]
        rows_all = np.arange(qe - qs)
        q_pos, q_own = pos[qs:qe], is_cand[qs:qe]
        m = np.empty((min(cols, n_cand), d + 1), dtype=np.float32)
        for cs in range(0, n_cand, cols):
            ce = min(cs + cols, n_cand)
            mb = m[: ce - cs]
            np.subtract(x[candidates[cs:ce]], center, out=mb[:, :d], casting="unsafe")
            mb[:, d] = np.einsum("ij,ij->i", mb[:, :d], mb[:, :d])
            d2 = q @ mb.T
            if exclude_self:
                own = q_own & (q_pos >= cs) & (q_pos < ce)
                d2[rows_all[own], q_pos[own] - cs] = np.inf
            j = np.argmin(d2, axis=1)
            v = d2[rows_all, j]
            better = v < bv
            bv[better] = v[better]
            bp[better] = j[better] + cs

    nearest = candidates[best_pos]
    diff = np.asarray(x[queries], dtype=np.float64) - np.asarray(x[nearest], dtype=np.float64)
    dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return dist, nearest


def nearest_neighbor_distances(
    x: np.ndarray, members: np.ndarray, *, max_queries: int, seed: int
) -> np.ndarray:
    """Distance of (a seeded sample of) each member to its nearest other member of the set.

    ``members`` are row indices into ``x`` (duplicates are ignored). A seeded sample of at
    most ``max_queries`` members is queried, each against the whole set (excluding its own
    row; another row with an identical vector gives 0). Returns float64 distances in the
    order of the sorted sampled member indices; empty when the set has fewer than 2 members.
    """
    arr = _as_2d(x)
    ids = _as_ids(members, arr.shape[0], "members")
    if len(ids) < 2:
        return np.zeros(0, dtype=np.float64)
    queries = _sample(ids, max_queries, np.random.default_rng(seed))
    return _nearest(arr, queries, ids, exclude_self=True)[0]


def cover_distances(
    x: np.ndarray,
    members: np.ndarray,
    *,
    max_queries: int,
    seed: int,
    query_rows: np.ndarray | None = None,
) -> np.ndarray:
    """Distance of (a seeded sample of) the rows of ``x`` to the nearest member of the set.

    Queries are a seeded sample of at most ``max_queries`` of ``query_rows`` (default: every
    row of ``x``; for ``query_rows = arange(n)`` the sample is the same as for ``x[:n]``);
    members themselves get 0. Returns float64 distances in the order of the sorted sampled
    rows; empty when there are no members (or no rows).
    """
    arr = _as_2d(x)
    n = arr.shape[0]
    ids = _as_ids(members, n, "members")
    if len(ids) == 0 or n == 0:
        return np.zeros(0, dtype=np.float64)
    rows = np.arange(n, dtype=np.int64) if query_rows is None else _as_ids(query_rows, n, "query")
    queries = _sample(rows, max_queries, np.random.default_rng(seed))
    return _nearest(arr, queries, ids, exclude_self=False)[0]


def example_pairs(
    x: np.ndarray, selected: np.ndarray, removed: np.ndarray, n: int, *, seed: int
) -> list[tuple[int, int, float]]:
    """``n`` (selected row, removed row, distance) pairs spread over the distance range.

    For a seeded sample of at most 5000 removed rows, the nearest selected row is found; the
    pairs are sorted by distance (ties by removed row) and ``n`` evenly spaced ranks are
    picked, including the closest and (for ``n >= 2``) the farthest. Fewer pairs when there
    are fewer removed rows; ``[]`` when there is no selected or no removed row (or ``n < 1``).
    Pairs are returned closest first.
    """
    arr = _as_2d(x)
    sel = _as_ids(selected, arr.shape[0], "selected")
    rem = _as_ids(removed, arr.shape[0], "removed")
    if n < 1 or len(sel) == 0 or len(rem) == 0:
        return []
    queries = _sample(rem, _EXAMPLE_QUERIES, np.random.default_rng(seed))
    dist, nearest = _nearest(arr, queries, sel, exclude_self=False)
    order = np.lexsort((queries, dist))
    if n < len(order):
        ranks = np.round(np.linspace(0, len(order) - 1, n)).astype(np.int64)
        order = order[ranks]
    return [(int(nearest[i]), int(queries[i]), float(dist[i])) for i in order]


# --------------------------------------------------------------------------------------
# 2-D projections
# --------------------------------------------------------------------------------------


@dataclass
class Projection:
    """2-D views of a seeded sample of rows.

    ``indices``: the sampled rows of ``x`` (sorted); ``pca``: (m, 2) PCA scores;
    ``umap``: n_neighbors -> (m, 2) UMAP embedding, for the views that were computed;
    ``notes``: which views were left out and why.
    """

    indices: np.ndarray
    pca: np.ndarray
    umap: dict[int, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _leading_directions(xc: np.ndarray) -> np.ndarray:
    """(d, c) orthonormal leading principal directions of the centred ``xc``, c = min(2, m, d).

    Columns by decreasing variance. Only the top ``c`` eigenvectors of the smaller Gram matrix
    are computed (``subset_by_index``), about m d min(m, d) operations instead of a full SVD:
    ``xc.T @ xc`` (d x d) when d <= m, else ``xc @ xc.T`` (m x m), whose eigenvectors u give
    the directions ``xc.T @ u``. The QR step makes the columns orthonormal to rounding, so that
    a direction without variance (rank-deficient data) scores as near zero as in the SVD.
    """
    m, d = xc.shape
    small = min(m, d)
    c = min(2, small)
    gram = xc.T @ xc if d <= m else xc @ xc.T
    _, vecs = scipy.linalg.eigh(gram, subset_by_index=[small - c, small - 1], overwrite_a=True)
    vecs = vecs[:, ::-1]  # eigh sorts ascending
    if d > m:
        vecs = xc.T @ vecs
    return np.linalg.qr(vecs)[0]


def _pca_2d(xs: np.ndarray) -> np.ndarray:
    """(m, 2) scores on the first two principal components (zero-padded / zeroed if absent).

    The numbers of the SVD of the centred sample, up to rounding. Each component's sign makes
    its largest-|value| loading positive; components with a negligible singular value (the
    norm of their scores at most ``s[0] * max(m, d) * eps``, no variance) give zero scores.
    """
    m = xs.shape[0]
    out = np.zeros((m, 2), dtype=np.float64)
    if m == 0 or xs.shape[1] == 0:
        return out
    xc = xs - xs.mean(axis=0)
    directions = _leading_directions(xc)
    scores = xc @ directions
    s = np.linalg.norm(scores, axis=0)  # the singular values
    tol = float(s.max()) * max(xc.shape) * np.finfo(np.float64).eps
    for c in range(len(s)):
        if s[c] <= tol or s[c] == 0.0:
            continue
        v = directions[:, c]
        out[:, c] = -scores[:, c] if v[np.argmax(np.abs(v))] < 0 else scores[:, c]
    return out


def _umap_2d(
    xs: np.ndarray, k: int, seed: int, knn: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """UMAP's 2-D layout; ``knn``: at least ``k`` nearest neighbours from ``small_data_knn``."""
    from winnow_reporter.analysis.umap_loader import load_umap  # lazy: pulls in numba

    umap = load_umap()
    options = {}
    if knn is not None:
        options["precomputed_knn"] = (knn[0][:, :k].copy(), knn[1][:, :k].copy())
    with warnings.catch_warnings():
        # umap warns that random_state forces n_jobs=1, and that a precomputed neighbour table
        # has no search index (only needed to place new points)
        warnings.simplefilter("ignore")
        reducer = umap.UMAP(
            n_neighbors=k, random_state=seed, n_components=2, n_epochs=UMAP_EPOCHS, **options
        )
        emb = reducer.fit_transform(xs)
    return np.asarray(emb, dtype=np.float64)


def _neighbours(xs: np.ndarray, ks: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
    """One neighbour table for every view (small data only; else each fit searches itself)."""
    from winnow_reporter.analysis.umap_loader import SMALL_DATA, small_data_knn

    usable = [k for k in ks if 2 <= k < len(xs)]
    if not usable or len(xs) >= SMALL_DATA:
        return None
    try:
        return small_data_knn(xs, max(usable))
    except Exception:  # degenerate data: each fit reports its own failure below
        return None


def _fit_view(
    xs: np.ndarray, k: int, seed: int, knn: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray | str:
    """One view's layout, or the repr of the exception that stopped it.

    A worker process returns the repr like a layout, so both paths give the same notes.
    """
    try:
        return _umap_2d(xs, k, seed, knn)
    except Exception as exc:  # degenerate data can break UMAP's spectral layout
        return repr(exc)


def _fit_in_process(xs: np.ndarray, ks: list[int], seed: int) -> dict[int, np.ndarray | str]:
    """Every view's layout (or failure), one fit after another in this process."""
    knn = _neighbours(xs, ks)
    return {k: _fit_view(xs, k, seed, knn) for k in ks}


def _fit_in_workers(
    xs: np.ndarray, ks: list[int], seed: int, workers: int
) -> dict[int, np.ndarray | str]:
    """Every view's layout (or failure), fitted in ``workers`` forked processes.

    The same inputs and ``random_state`` as in this process, so the same numbers. umap is
    imported before the fork, so the workers inherit the module and its numba dispatchers.
    The neighbour table is computed in a worker too: numba's parallel code run here would make
    later forks unsafe (``forking.fork_is_safe``). The slowest fits (largest k) start first.
    """
    from winnow_reporter.analysis.umap_loader import load_umap

    load_umap()
    with forking.pool(workers) as pool:
        knn = pool.submit(_neighbours, xs, ks).result()
        futures = {k: pool.submit(_fit_view, xs, k, seed, knn) for k in sorted(ks, reverse=True)}
        return {k: futures[k].result() for k in ks}


def _fit_views(
    xs: np.ndarray, ks: list[int], seed: int, processes: bool
) -> dict[int, np.ndarray | str]:
    """Each view's layout (or the repr of its failure), in worker processes where useful."""
    workers = forking.worker_count(len(ks), processes)
    if workers > 1:
        try:
            return _fit_in_workers(xs, ks, seed, workers)
        except BrokenProcessPool as exc:  # a worker died (killed?): fit the views here instead
            log.warning("UMAP worker processes failed (%r); fitting in this process", exc)
    return _fit_in_process(xs, ks, seed)


def _add_umap_views(
    projection: Projection, xs: np.ndarray, ks: list[int], seed: int, processes: bool
) -> None:
    """The UMAP views of ``xs`` (``m >= 4`` rows) into ``projection``; notes for those left out."""
    m = len(xs)
    too_big = [k for k in ks if k >= m]
    if too_big:
        listed = ", ".join(str(k) for k in too_big)
        projection.notes.append(
            f"UMAP views with n_neighbors {listed} left out: n_neighbors must be smaller than "
            f"the number of points ({m})."
        )
    layouts = _fit_views(xs, [k for k in ks if 2 <= k < m], seed, processes)
    for k in ks:
        if k >= m:
            continue
        if k < 2:
            projection.notes.append(f"UMAP view with n_neighbors {k} left out: needs >= 2.")
            continue
        emb = layouts[k]
        if isinstance(emb, str):
            projection.notes.append(f"UMAP view with n_neighbors {k} left out: {emb}.")
            continue
        if emb.shape != (m, 2) or not np.all(np.isfinite(emb)):
            projection.notes.append(
                f"UMAP view with n_neighbors {k} left out: UMAP gave no finite 2-D layout."
            )
            continue
        projection.umap[k] = emb


def prefetch_2d(
    x: np.ndarray, *, max_points: int, seed: int, umap_neighbors: Sequence[int] = (5, 15, 50)
) -> bool:
    """Start ``project_2d(x, ...)`` in the projection process of a standalone run, if there is
    one (False where not): the report's ``project_2d`` on equal inputs then takes its result."""
    from winnow_reporter.analysis import projection_process

    return projection_process.prefetch(
        x, max_points=max_points, seed=seed, umap_neighbors=tuple(umap_neighbors)
    )


def project_2d(
    x: np.ndarray,
    *,
    max_points: int,
    seed: int,
    umap_neighbors: Sequence[int] = (5, 15, 50),
    processes: bool = True,
) -> Projection:
    """PCA and UMAP 2-D views of a seeded sample of at most ``max_points`` rows of ``x``.

    PCA: the first two principal components of the centred sample (deterministic signs,
    zero-padded when there are fewer than two non-degenerate components). UMAP is run once per
    ``k`` in ``umap_neighbors`` with ``umap.UMAP(n_neighbors=k, random_state=seed,
    n_components=2, n_epochs=UMAP_EPOCHS)``; a ``k`` >= the number of points is left out,
    UMAP is skipped entirely below 4 points, and a UMAP failure (e.g. on degenerate data)
    leaves that view out. ``notes`` says which and why.

    With ``processes`` (and several views, several usable CPUs, forking safe) the views are
    fitted in parallel in forked worker processes; the layouts are the same numbers as those
    fitted one after another in this process (``processes=False``). Where a standalone run
    started the projection process (:mod:`.projection_process`), all of it is computed there.
    """
    if processes:
        from winnow_reporter.analysis import projection_process

        done = projection_process.project(
            x, max_points=max_points, seed=seed, umap_neighbors=tuple(umap_neighbors)
        )
        if done is not None:
            return done
    arr = _as_2d(x)
    indices = _sample(
        np.arange(arr.shape[0], dtype=np.int64), max_points, np.random.default_rng(seed)
    )
    xs = np.asarray(arr[indices], dtype=np.float64)
    m = len(indices)
    projection = Projection(indices=indices, pca=_pca_2d(xs))

    ks = list(dict.fromkeys(int(k) for k in umap_neighbors))
    if not ks:
        return projection
    if m < 4:
        projection.notes.append(f"UMAP views left out: only {m} point(s), UMAP needs at least 4.")
        return projection
    _add_umap_views(projection, xs, ks, seed, processes)
    return projection
