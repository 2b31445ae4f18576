"""umap-learn's numba functions are cached on disk: a later process loads them, same layout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from winnow_reporter.analysis.umap_loader import load_umap

_CHILD = """
import json, sys
import numpy as np
from winnow_reporter.analysis.embedding import project_2d
rng = np.random.default_rng(0)
x = np.concatenate([rng.normal(size=(40, 8)), rng.normal(size=(40, 8)) + 5.0])
p = project_2d(x, max_points=100, seed=3, umap_neighbors=(5, 15))
print(json.dumps({str(k): v.tolist() for k, v in p.umap.items()}))
"""


def _layouts(cache_dir: Path) -> dict[str, np.ndarray]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True
    )
    return {k: np.array(v) for k, v in json.loads(out.stdout.splitlines()[-1]).items()}


def test_umap_functions_are_cached_on_disk_and_give_the_same_layout(tmp_path: Path) -> None:
    cache = tmp_path / "numba"
    first = _layouts(cache)
    index_files = {p.name for p in cache.rglob("*.nbi") if "umap" in str(p)}
    # The fit's numba functions (fuzzy set, layout epochs, ...) left their compiled code behind.
    assert any(name.startswith("umap_.") for name in index_files), index_files
    assert any(name.startswith("layouts.") for name in index_files), index_files
    # A second process loads that code (nothing new to compile) and computes the same layouts.
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*.nbc")}
    second = _layouts(cache)
    after = {p: p.stat().st_mtime_ns for p in cache.rglob("*.nbc")}
    assert after == before
    assert sorted(first) == sorted(second) == ["15", "5"]
    for k in first:
        assert first[k].shape == (80, 2)
        np.testing.assert_array_equal(first[k], second[k])


def test_load_umap_returns_one_module() -> None:
    umap = load_umap()
    assert load_umap() is umap
    assert hasattr(umap, "UMAP")


def test_project_2d_layouts_equal_plain_umap_fits() -> None:
    """The shared neighbour table changes no number: each view equals umap's own fit."""
    import warnings

    from winnow_reporter.analysis.embedding import UMAP_EPOCHS, project_2d
    from winnow_reporter.analysis.umap_loader import small_data_knn

    rng = np.random.default_rng(1)
    x = np.concatenate(
        [rng.normal(size=(120, 16)), rng.normal(size=(90, 16)) + 4.0, rng.normal(size=(3, 16))]
    )
    projection = project_2d(x, max_points=1000, seed=2, umap_neighbors=(5, 15, 50))
    assert sorted(projection.umap) == [5, 15, 50]
    umap = load_umap()
    xs = np.asarray(x[projection.indices], dtype=np.float64)
    for k, layout in projection.umap.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plain = umap.UMAP(
                n_neighbors=k, random_state=2, n_components=2, n_epochs=UMAP_EPOCHS
            ).fit_transform(xs)
        np.testing.assert_array_equal(layout, np.asarray(plain, dtype=np.float64))
    # The table: each point first (distance 0), then its neighbours by distance.
    indices, dists = small_data_knn(xs, 5)
    assert np.array_equal(indices[:, 0], np.arange(len(xs))) and np.all(dists[:, 0] == 0)
    assert np.all(np.diff(dists, axis=1) >= 0)


def _knn_cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    clusters = np.concatenate(
        [rng.normal(size=(150, 40)) + 6.0 * rng.normal(size=40) for _ in range(4)]
    )
    lattice = rng.integers(0, 3, size=(400, 6)).astype(np.float64)  # many equal distances
    return {
        "clusters with exact copies": np.concatenate([clusters, clusters[:60], clusters[10:20]]),
        "lattice (ties)": lattice,
        "far from the origin": 1e3 + 50.0 * rng.normal(size=(300, 24)),
        "unit rows": clusters / np.linalg.norm(clusters, axis=1, keepdims=True),
    }


@pytest.mark.parametrize("case", sorted(_knn_cases()))
def test_the_screened_neighbour_table_equals_the_all_pairs_one(case: str) -> None:
    """Screening by a matrix product measures fewer pairs but keeps every index and distance,
    ties (equal distances, copies) in index order as umap's stable sort has them."""
    from winnow_reporter.analysis.umap_loader import _all_pairs_knn, small_data_knn

    xs = _knn_cases()[case]
    for k in (1, 7, 50):
        indices, dists = small_data_knn(xs, k)
        want_indices, want_dists = _all_pairs_knn(np.ascontiguousarray(xs, dtype=np.float32), k)
        np.testing.assert_array_equal(indices, want_indices)
        np.testing.assert_array_equal(dists, want_dists)
