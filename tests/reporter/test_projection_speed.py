"""The faster 2-D projections give the numbers of the former ones.

PCA from the two leading eigenvectors equals the full SVD; UMAP views fitted in worker
processes equal the views fitted one after another in this process, failures included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from winnow_reporter import forking
from winnow_reporter.analysis import embedding
from winnow_reporter.analysis.embedding import _pca_2d, project_2d


def _svd_pca(xs: np.ndarray) -> np.ndarray:
    """The reference: (m, 2) scores from ``np.linalg.svd`` of the centred data (the former code)."""
    out = np.zeros((xs.shape[0], 2))
    if xs.shape[0] == 0 or xs.shape[1] == 0:
        return out
    xc = xs - xs.mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    tol = float(s[0]) * max(xc.shape) * np.finfo(np.float64).eps
    for c in range(min(2, len(s))):
        if s[c] <= tol or s[c] == 0.0:
            continue
        v = vt[c] if vt[c][np.argmax(np.abs(vt[c]))] > 0 else -vt[c]
        out[:, c] = xc @ v
    return out


def _assert_same_pca(xs: np.ndarray) -> None:
    got, ref = _pca_2d(xs), _svd_pca(xs)
    assert got.shape == ref.shape == (xs.shape[0], 2) and got.dtype == np.float64
    # zeroed components are zeroed in both; the others agree to rounding
    assert np.array_equal(np.all(got == 0.0, axis=0), np.all(ref == 0.0, axis=0))
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9 * scale)


# --------------------------------------------------------------------------------------
# PCA
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "d"), [(300, 50), (40, 300), (120, 120), (500, 1280)], ids=["tall", "wide", "sq", "big"]
)
def test_pca_equals_svd_on_random_data(m: int, d: int) -> None:
    rng = np.random.default_rng(m + d)
    # distinct variances per axis, so that the leading directions are well defined
    xs = rng.normal(size=(m, d)) * np.linspace(3.0, 1.0, d) + rng.normal(size=d) * 10.0
    _assert_same_pca(xs)
    _assert_same_pca(xs.astype(np.float32).astype(np.float64))


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize(("m", "d"), [(200, 30), (25, 400)], ids=["tall", "wide"])
def test_pca_equals_svd_on_rank_deficient_data(rank: int, m: int, d: int) -> None:
    rng = np.random.default_rng(rank)
    xs = rng.normal(size=(m, rank)) @ rng.normal(size=(rank, d)) + 100.0 * rng.normal(size=d)
    _assert_same_pca(xs)
    got = _pca_2d(xs)
    if rank == 1:
        assert np.all(got[:, 1] == 0.0) and np.any(got[:, 0] != 0.0)
    else:
        assert np.all(np.any(got != 0.0, axis=0))


@pytest.mark.parametrize(
    "xs",
    [
        np.zeros((0, 3)),
        np.zeros((4, 0)),
        np.ones((1, 4)),
        np.array([[1.0, 2.0], [3.0, 5.0]]),
        np.array([[1.0, 2.0, 0.5], [3.0, 5.0, 0.0], [0.0, 1.0, 2.0]]),
        np.full((8, 3), 2.5),
        np.arange(6, dtype=np.float64)[:, None],
        np.arange(6, dtype=np.float64)[:, None] * [[1.0, -2.0]],
        np.array([[0.0, 2.0], [0.0, -2.0], [1.0, 0.0], [-1.0, 0.0]]) + np.array([10.0, -3.0]),
    ],
    ids=[
        "empty",
        "no-dims",
        "one-point",
        "two-points",
        "three-points",
        "constant",
        "d=1",
        "line",
        "cross",
    ],
)
def test_pca_equals_svd_on_tiny_inputs(xs: np.ndarray) -> None:
    _assert_same_pca(xs)


# --------------------------------------------------------------------------------------
# UMAP in worker processes
# --------------------------------------------------------------------------------------

# Run in a fresh interpreter: once a process has run numba's parallel code (GNU OpenMP), as
# earlier tests in this one have, it no longer forks the workers and fits in itself.
# torch is imported first and runs its OpenMP threads, as in a worker's run (the standalone
# CLI renders the report after embedding): numba's OpenMP layer then binds to torch's GNU
# libgomp, whose threads a forked child does not have (the workers must not use that layer).
_CHILD = """
import json
import torch
torch.set_num_threads(2)
float((torch.randn(512, 512) @ torch.randn(512, 512)).sum() + torch.randn(1 << 22).exp().sum())
import numba
import numpy as np
from winnow_reporter import forking
from winnow_reporter.analysis import embedding

rng = np.random.default_rng(7)
centres = rng.normal(size=(4, 64)) * 6.0
x = np.concatenate([c + rng.normal(size=(75, 64)) for c in centres]).astype(np.float32)
assert forking.worker_count(3, True) > 1
parallel = embedding.project_2d(x, max_points=2000, seed=5, umap_neighbors=(5, 15, 50))
try:  # no numba parallel code ran in this process: the table and the fits ran in workers
    numba.threading_layer()
    raise SystemExit("the views were fitted in this process")
except ValueError:
    pass
sequential = embedding.project_2d(
    x, max_points=2000, seed=5, umap_neighbors=(5, 15, 50), processes=False
)
print(json.dumps({
    "keys": [list(parallel.umap), list(sequential.umap)],
    "notes": [parallel.notes, sequential.notes],
    "equal": {k: bool(np.array_equal(parallel.umap[k], sequential.umap[k])) for k in parallel.umap},
    "pca": bool(np.array_equal(parallel.pca, sequential.pca)),
    "shapes": [list(v.shape) for v in parallel.umap.values()],
}))
"""


@pytest.mark.skipif(forking.usable_cpus() < 2, reason="needs 2 usable CPUs")
def test_parallel_umap_layouts_equal_the_sequential_ones() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["keys"] == [[5, 15, 50], [5, 15, 50]]
    assert result["notes"] == [[], []]
    assert result["equal"] == {"5": True, "15": True, "50": True}
    assert result["pca"] and result["shapes"] == [[300, 2]] * 3


def _fake_fit(xs: np.ndarray, k: int, seed: int, knn: object) -> np.ndarray:
    """A layout that names the process it was fitted in; k = 15 fails."""
    if k == 15:
        raise ValueError("no layout for 15")
    return np.full((len(xs), 2), float(os.getpid() * 100 + k))


def _no_neighbours(xs: np.ndarray, ks: list[int]) -> None:
    """No neighbour table (a module function: the workers get it by reference)."""
    return None


@pytest.fixture
def fake_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    """No numba anywhere (so forking is safe here whatever ran before); 2 CPUs at least."""
    monkeypatch.setattr(embedding, "_umap_2d", _fake_fit)
    monkeypatch.setattr(embedding, "_neighbours", _no_neighbours)
    monkeypatch.setattr(forking, "fork_is_safe", lambda: True)
    monkeypatch.setattr(forking, "usable_cpus", lambda: max(2, os.cpu_count() or 1))


@pytest.mark.usefixtures("fake_fits")
def test_a_failing_view_gives_the_same_note_in_both_paths() -> None:
    x = np.random.default_rng(3).normal(size=(40, 6))
    ks = (1, 50, 5, 15, 30)
    parallel = project_2d(x, max_points=100, seed=1, umap_neighbors=ks)
    sequential = project_2d(x, max_points=100, seed=1, umap_neighbors=ks, processes=False)
    expected = [
        "UMAP views with n_neighbors 50 left out: n_neighbors must be smaller than the number "
        "of points (40).",
        "UMAP view with n_neighbors 1 left out: needs >= 2.",
        "UMAP view with n_neighbors 15 left out: ValueError('no layout for 15').",
    ]
    assert parallel.notes == sequential.notes == expected
    # the views keep the order of ks; fitted in workers vs in this process
    assert list(parallel.umap) == list(sequential.umap) == [5, 30]
    me = os.getpid()
    for k in (5, 30):
        assert np.all(sequential.umap[k] == me * 100 + k)
        assert parallel.umap[k][0, 0] != me * 100 + k
        assert (parallel.umap[k][0, 0] - k) % 100 == 0


def test_workers_only_where_useful_and_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "usable_cpus", lambda: 2)
    monkeypatch.setattr(forking, "fork_is_safe", lambda: True)
    assert forking.worker_count(3, True) == 2
    assert forking.worker_count(3, False) == 1
    assert forking.worker_count(1, True) == 1
    monkeypatch.setattr(forking, "usable_cpus", lambda: 1)
    assert forking.worker_count(3, True) == 1
    monkeypatch.setattr(forking, "usable_cpus", lambda: 8)
    assert forking.worker_count(3, True) == 3
    monkeypatch.setattr(forking, "fork_is_safe", lambda: False)
    assert forking.worker_count(3, True) == 1


def test_fork_is_unsafe_after_gnu_openmp_and_in_daemons(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    import numba

    omppool = pytest.importorskip("numba.np.ufunc.omppool")

    monkeypatch.setattr(numba, "threading_layer", lambda: "omp")
    assert forking.fork_is_safe() == (omppool.openmp_vendor != "GNU")
    monkeypatch.setattr(numba, "threading_layer", lambda: "workqueue")
    assert forking.fork_is_safe()
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    assert not forking.fork_is_safe()
