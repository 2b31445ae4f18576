"""Smoke test of benchmarks/selection_quality_lib.py: data splits, selection and metrics.

Runs on scikit-learn's real digit scans with their raw pixels as the "embeddings" (no model),
so it checks the benchmark's own logic in a few seconds.
"""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

_LIB = Path(__file__).resolve().parents[2] / "benchmarks" / "selection_quality_lib.py"


@pytest.fixture(scope="module")
def lib() -> ModuleType:
    spec = importlib.util.spec_from_file_location("selection_quality_lib", _LIB)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def digits(lib: ModuleType):  # type: ignore[no-untyped-def]
    return lib.load_digits_set(n_test=300, seed_per_class=5, limit=400)


def _features(images: np.ndarray) -> np.ndarray:
    flat = images.reshape(len(images), -1).astype(np.float32)
    return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)


def test_digit_splits_are_disjoint_and_seed_is_balanced(lib: ModuleType, digits) -> None:  # type: ignore[no-untyped-def]
    assert (len(digits.pool), len(digits.test), len(digits.seed)) == (400, 300, 50)
    assert np.bincount(digits.seed_labels).tolist() == [5] * 10
    rows = {img.tobytes() for img in digits.pool} | {img.tobytes() for img in digits.test}
    assert digits.pool.dtype == np.uint8 and digits.pool.max() > 200  # 0-16 scaled to 0-255
    assert len(rows) > 680  # near-duplicate scans exist, but the splits are distinct samples


def test_read_idx_reads_the_mnist_format(lib: ModuleType, tmp_path: Path) -> None:
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in images.shape)
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + images.tobytes()))
    np.testing.assert_array_equal(lib.read_idx(path), images)


def test_every_strategy_picks_n_distinct_pool_samples(lib: ModuleType, digits) -> None:  # type: ignore[no-untyped-def]
    emb = _features(digits.pool)
    probs = lib.knn_probabilities(_features(digits.seed), digits.seed_labels, emb, 10)
    assert probs.shape == (400, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    for method in lib.STRATEGIES:
        picked = lib.select_indices(method, emb, 40, probs, digits.pool_labels)
        assert len(picked) == 40 and len(set(picked.tolist())) == 40, method
        assert picked.min() >= 0 and picked.max() < 400
    # With the true labels, a uniform BALANCE of 40 covers all 10 classes, 4 each.
    oracle = lib.select_indices("BALANCE (true labels)", emb, 40, probs, digits.pool_labels)
    assert np.bincount(digits.pool_labels[oracle], minlength=10).tolist() == [4] * 10
    # Different RANDOM seeds give different subsets.
    a = lib.select_indices("RANDOM", emb, 40, probs, digits.pool_labels, seed=0)
    b = lib.select_indices("RANDOM", emb, 40, probs, digits.pool_labels, seed=1)
    assert set(a.tolist()) != set(b.tolist())


def test_metrics_on_real_digits(lib: ModuleType, digits) -> None:  # type: ignore[no-untyped-def]
    pool, test = _features(digits.pool), _features(digits.test)
    everything = np.arange(len(pool))
    q = lib.measure(everything, pool, digits.pool_labels, test, digits.test_labels)
    assert q.covered == 10
    # Raw pixels of digits are linearly separable enough: both classifiers do far above chance.
    assert q.knn > 0.85 and q.probe > 0.85
    one_class = np.flatnonzero(digits.pool_labels == 3)[:5]
    single = lib.measure(one_class, pool, digits.pool_labels, test, digits.test_labels)
    assert single.covered == 1
    assert single.probe == pytest.approx(np.mean(digits.test_labels == 3))
    assert lib.budget_sizes(400, (0.01, 0.05, 0.10)) == [4, 20, 40]


def test_evaluate_model_reports_every_strategy_and_budget(lib: ModuleType, digits) -> None:  # type: ignore[no-untyped-def]
    emb = {s: _features(getattr(digits, s)) for s in ("pool", "test", "seed")}
    out = lib.evaluate_model(digits, emb, (0.05, 0.10), random_seeds=2)
    assert set(out) == {(m, n) for m in lib.STRATEGIES for n in (20, 40)}
    for quality in out.values():
        assert 1 <= quality.covered <= 10 and 0 <= quality.knn <= 1 and 0 <= quality.probe <= 1
    # The label-balanced subset covers every class; random subsets of 40 nearly always do too.
    assert out[("BALANCE (true labels)", 40)].covered == 10


def test_long_tail_counts_follow_the_imbalance(lib: ModuleType) -> None:
    counts = lib.long_tail_counts(10, 3000, 50.0)
    assert counts[0] / counts[-1] == pytest.approx(50.0, rel=0.05)
    assert np.all(np.diff(counts) < 0)  # strictly shrinking
    assert abs(int(counts.sum()) - 3000) <= 10


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_long_tailed_fashion_pool_is_imbalanced_and_disjoint_from_the_seed(
    lib: ModuleType, tmp_path: Path
) -> None:
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(10), 200)
    rng.shuffle(labels)
    images = rng.integers(0, 256, (len(labels), 4, 4))
    images[:, 0, 0] = np.arange(len(labels)) % 256  # rows differ
    images[:, 0, 1] = np.arange(len(labels)) // 256
    arrays = (images, labels, images[:50], labels[:50])
    for name, array in zip(lib.FASHION_FILES, arrays, strict=True):
        _write_idx(tmp_path / name, array)
    data = lib.load_fashion_mnist_lt(tmp_path, n_pool=600, n_test=50, imbalance=20.0)
    per_class = np.bincount(data.pool_labels, minlength=10)
    assert sorted(per_class.tolist(), reverse=True) == lib.long_tail_counts(10, 600, 20.0).tolist()
    assert np.bincount(data.seed_labels).tolist() == [10] * 10
    assert len(data.test) == 50 and data.name == "fashion-mnist-lt20"
    pool_rows = {img.tobytes() for img in data.pool}
    assert not pool_rows & {img.tobytes() for img in data.seed}


def test_probe_standardisation_can_be_fitted_on_the_unlabelled_pool(lib: ModuleType) -> None:
    # Two classes told apart by feature 0 alone; feature 1 is large noise. Standardised on the
    # two training rows, feature 0's spread is that of two points; on the pool it is the truth.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    x = np.stack([y + 0.1 * rng.standard_normal(400), 50 * rng.standard_normal(400)], axis=1)
    train = np.array([np.flatnonzero(y == 0)[0], np.flatnonzero(y == 1)[0]])
    on_pool = lib.probe_accuracy(x[train], y[train], x, y, scale_on=x)
    on_subset = lib.probe_accuracy(x[train], y[train], x, y)  # without scale_on: the subset
    assert on_pool > 0.95
    assert on_subset < 0.75  # the noise feature looks as informative as the real one
