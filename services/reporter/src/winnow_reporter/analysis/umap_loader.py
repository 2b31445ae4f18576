"""umap-learn, imported once, with numba's on-disk cache turned on; its small-data neighbours.

umap-learn's numba functions are not declared ``cache=True``, so every new process compiles
them again on its first UMAP fit: about 15-30 s on a 2-core machine, most of a standalone run's
report time (the fits themselves take about a second each for a few thousand points). Turning
on numba's cache for them (``Dispatcher.enable_caching``, the same machinery ``cache=True``
uses; pynndescent, which umap imports, declares it itself) stores the machine code the first
time and loads it in later processes. The code is keyed by the source file and numba's
version, so an upgrade recompiles; the layouts are the same numbers as without the cache.

Where numba finds no writable cache location (``NUMBA_CACHE_DIR``, the package's
``__pycache__``, the user's cache directory), a function simply stays uncached.

:func:`small_data_knn` is the nearest-neighbour table UMAP builds itself below
:data:`SMALL_DATA` points, computed once for all the report's views and about ten times faster
(umap-learn hands its numba distance to scikit-learn's ``pairwise_distances``, which calls it
from Python once per pair of points).
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from types import ModuleType

import numba
import numpy as np

with warnings.catch_warnings():
    # umap warns on import when TensorFlow is missing (parametric UMAP only).
    warnings.simplefilter("ignore")
    import umap
    from umap.distances import euclidean
    from umap.utils import fast_knn_indices

log = logging.getLogger(__name__)

# umap's modules whose module-level numba functions a 2-D fit calls.
_MODULES = ("umap.umap_", "umap.layouts", "umap.utils", "umap.spectral", "umap.distances")
#: Below this many points UMAP computes all pairwise distances instead of an approximate
#: neighbour graph (``umap.UMAP.fit``'s small-data case).
SMALL_DATA = 4096
_lock = threading.Lock()
_loaded: ModuleType | None = None


def _enable_caching(module: ModuleType) -> int:
    """Turn on the on-disk cache of every not yet compiled numba function in ``module``."""
    from numba.core.dispatcher import Dispatcher

    enabled = 0
    for value in list(vars(module).values()):
        if not isinstance(value, Dispatcher) or value.signatures:
            continue
        if type(value._cache).__name__ != "NullCache":
            continue  # declared cache=True already
        try:
            value.enable_caching()
        except Exception as exc:  # no writable cache location: compile as before
            log.debug("numba cache not available for %s: %s", value.py_func, exc)
            continue
        enabled += 1
    return enabled


@numba.njit(parallel=True)
def _pairwise_euclidean(data: np.ndarray) -> np.ndarray:
    """All pairwise distances by umap's own numba ``euclidean`` (what ``fit`` computes).

    umap's ``parallel_special_metric`` would do, but it takes the metric as an argument, and
    numba's cache cannot key a function argument across processes: it would compile again in
    every process. Here ``euclidean`` is a global, so this function is cached like the rest.
    """
    n = data.shape[0]
    out = np.zeros((n, n))
    for i in numba.prange(n):
        for j in range(n):
            if j != i:
                out[i, j] = euclidean(data[i], data[j])
    return out


def load_umap() -> ModuleType:
    """The ``umap`` module, its numba functions cached on disk where possible."""
    global _loaded
    with _lock:
        if _loaded is None:
            import importlib

            modules = [importlib.import_module(m) for m in _MODULES] + [sys.modules[__name__]]
            cached = sum(_enable_caching(module) for module in modules)
            log.debug("umap: on-disk numba cache enabled for %d functions", cached)
            _loaded = umap
        return _loaded


def small_data_knn(xs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest neighbours (each point first, itself) of fewer than :data:`SMALL_DATA`
    rows, as ``umap.UMAP(metric="euclidean").fit`` finds them for small data.

    The same numbers as ``fit``'s steps: the rows as float32 (``fit`` converts them), umap's
    numba ``euclidean`` between them, and the first ``k`` of umap's ``fast_knn_indices`` (a
    stable sort of each row of the distance matrix: ties in index order). Instead of all
    ``n * n`` distances, one matrix product screens them (:func:`_screened_knn`); only the
    candidates it cannot rule out are measured by ``euclidean``. Passed to
    ``umap.UMAP(precomputed_knn=...)``, the fit gives bit for bit the layout it gives without
    (``tests/reporter/test_umap_loader.py``). The first ``j`` columns are the ``j`` nearest.
    """
    if len(xs) >= SMALL_DATA:
        raise ValueError(f"small_data_knn is for fewer than {SMALL_DATA} points, got {len(xs)}")
    load_umap()
    data = np.ascontiguousarray(xs, dtype=np.float32)
    if not np.all(np.isfinite(data)):
        return _all_pairs_knn(data, k)
    squares = np.einsum("ij,ij->i", data, data)
    approx = squares[:, None] + squares[None, :]
    approx -= 2.0 * (data @ data.T)
    return _screened_knn(data, approx, k, screen_margin(data.shape[1], float(squares.max())))


def _all_pairs_knn(data: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``small_data_knn`` from every pairwise distance (``fit``'s own steps, one by one)."""
    dmat = _pairwise_euclidean(data)
    indices = fast_knn_indices(dmat, k)
    dists = dmat[np.arange(len(data))[:, None], indices]
    return indices, dists


def screen_margin(dim: int, max_square: float) -> float:
    """How far below a squared distance its float32 matrix-product estimate may lie, doubled.

    ``|a|^2 + |b|^2 - 2 a.b`` in float32 is off by at most about ``4 * dim * eps * max|x|^2``
    (each dot product by ``dim * eps/2`` of ``|a||b|``, the sums by a few ``eps``); umap's own
    float32 ``euclidean`` by far less. Twice that keeps every true neighbour a candidate and
    every ruled-out point strictly farther than the ``k``-th neighbour.
    """
    return 8.0 * (dim + 2) * float(np.finfo(np.float32).eps) * max_square


@numba.njit(parallel=True)
def _screened_knn(
    data: np.ndarray, approx: np.ndarray, k: int, margin: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` nearest by umap's ``euclidean``, among the points whose estimated
    squared distance ``approx`` is within ``margin`` of the row's ``k``-th smallest estimate.

    Those candidates hold every point that can be among the ``k`` nearest (``screen_margin``)
    and every point tied with one; ordered by (distance, index), their first ``k`` are the first
    ``k`` of the stable sort of the whole row, which is what ``fast_knn_indices`` returns. A
    point's distance to itself is 0, as in ``_pairwise_euclidean``.
    """
    n = data.shape[0]
    indices = np.empty((n, k), dtype=np.int32)
    dists = np.empty((n, k))
    for i in numba.prange(n):
        row = approx[i]
        limit = np.partition(row, k - 1)[k - 1] + margin
        candidates = np.nonzero(row <= limit)[0]
        measured = np.zeros(len(candidates))
        for c in range(len(candidates)):
            j = candidates[c]
            if j != i:
                measured[c] = euclidean(data[i], data[j])
        # candidates are in index order, and a stable sort keeps ties in that order
        order = np.argsort(measured, kind="mergesort")
        for c in range(k):
            indices[i, c] = candidates[order[c]]
            dists[i, c] = measured[order[c]]
    return indices, dists
