"""The pure parts of ``selection_quality.py``: labelled data, selection and the quality metrics.

No torch here: the data sets are uint8 arrays, the selection runs on the worker's own engine
(``winnow_gpu_worker.ml.selection.select``, the same ``ResolvedStrategy`` objects
``stages/selection_inputs.py`` builds) and the metrics are scikit-learn estimators trained on
the selected samples' embeddings and labels and scored on a held-out split.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from winnow_common.schemas.worker_config import SelectionEntry
from winnow_gpu_worker.ml.selection import (
    ResolvedStrategy,
    encode_categories,
    random_values,
    select,
)

FASHION_PACKAGE = "dataset-fashion-mnist"
FASHION_SUBDIR = Path("usr/share/datasets/fashion-mnist")
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
FASHION_INSTALL_HINT = f"sudo apt-get install {FASHION_PACKAGE}"

# The strategies compared, in table order. RANDOM is the baseline every difference refers to.
STRATEGIES = (
    "RANDOM",
    "DIVERSITY",
    "TYPICALITY",
    "BALANCE (kNN preds)",
    "BALANCE (true labels)",
    "DIVERSITY+BALANCE (kNN)",
)


@dataclass
class LabelledSet:
    """A labelled image set split into a pool (selected from), a held-out test split and a small
    labelled seed set (disjoint from both) that trains the predictions BALANCE uses.

    Images are uint8 ``(N, H, W)`` grey scale.
    """

    name: str
    pool: np.ndarray
    pool_labels: np.ndarray
    test: np.ndarray
    test_labels: np.ndarray
    seed: np.ndarray
    seed_labels: np.ndarray
    n_classes: int

    def describe(self) -> str:
        """One line: the name, the split sizes and the image size."""
        h, w = self.pool.shape[1:3]
        return (
            f"{self.name}: pool {len(self.pool):,}, held-out {len(self.test):,}, labelled seed "
            f"{len(self.seed)} ({self.n_classes} classes, {h}x{w} grey)"
        )


# ---- data -----------------------------------------------------------------------------------


def _fashion_dir_ok(folder: Path) -> bool:
    return all((folder / f).is_file() for f in FASHION_FILES)


def find_fashion_mnist(cache_dir: Path, fetch: bool = True) -> Path | None:
    """The folder holding Fashion-MNIST's gzipped IDX files, or ``None``.

    Looks in the installed Debian package (``/usr/share/datasets/fashion-mnist``), then in
    ``cache_dir``; with ``fetch``, downloads the Debian package with ``apt-get download`` (no
    root needed) and unpacks it with ``dpkg -x`` into ``cache_dir``.
    """
    for folder in (Path("/") / FASHION_SUBDIR, cache_dir / "fashion-mnist" / FASHION_SUBDIR):
        if _fashion_dir_ok(folder):
            return folder
    if not fetch or shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        return None
    target = cache_dir / "fashion-mnist"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                ["apt-get", "download", FASHION_PACKAGE], cwd=tmp, check=True, capture_output=True
            )
            deb = next(Path(tmp).glob("*.deb"))
            subprocess.run(["dpkg", "-x", str(deb), str(target)], check=True, capture_output=True)
        except subprocess.CalledProcessError as exc:
            print(f"{' '.join(exc.cmd)} failed: {exc.stderr.decode(errors='replace').strip()}")
            return None
        except (StopIteration, OSError) as exc:
            print(f"fetching {FASHION_PACKAGE} failed: {exc!r}")
            return None
    folder = target / FASHION_SUBDIR
    return folder if _fashion_dir_ok(folder) else None


def read_idx(path: Path) -> np.ndarray:
    """A gzipped IDX file (MNIST format) as a uint8 array: images ``(N, H, W)`` or labels."""
    with gzip.open(path) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def seed_split(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` random samples of every class (sorted)."""
    picks = [
        rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in np.unique(labels)
    ]
    return np.sort(np.concatenate(picks))


def load_fashion_mnist(
    folder: Path, n_pool: int, n_test: int, seed_per_class: int = 10
) -> LabelledSet:
    """Fashion-MNIST: the pool is the first ``n_pool`` training images, the held-out split the
    first ``n_test`` test images, the seed set drawn from the training images after the pool."""
    images = read_idx(folder / FASHION_FILES[0])
    labels = read_idx(folder / FASHION_FILES[1]).astype(np.int64)
    rest = np.arange(n_pool, len(images))
    seed = rest[seed_split(labels[rest], seed_per_class, np.random.default_rng(0))]
    return LabelledSet(
        name="fashion-mnist",
        pool=images[:n_pool],
        pool_labels=labels[:n_pool],
        test=read_idx(folder / FASHION_FILES[2])[:n_test],
        test_labels=read_idx(folder / FASHION_FILES[3])[:n_test].astype(np.int64),
        seed=images[seed],
        seed_labels=labels[seed],
        n_classes=10,
    )


def long_tail_counts(n_classes: int, n_total: int, imbalance: float) -> np.ndarray:
    """Per-class sizes of an exponential long tail (as CIFAR-10-LT is built): class ``c`` of
    ``n_classes`` gets ``n_max * imbalance ** (-c / (n_classes - 1))`` samples, the largest class
    ``imbalance`` times the smallest, about ``n_total`` in all."""
    profile = float(imbalance) ** (-np.arange(n_classes) / max(1, n_classes - 1))
    return np.maximum(1, np.round(profile * n_total / profile.sum())).astype(np.int64)


def load_fashion_mnist_lt(
    folder: Path, n_pool: int, n_test: int, imbalance: float = 50.0, seed_per_class: int = 10
) -> LabelledSet:
    """Fashion-MNIST with a long-tailed pool, the way unlabelled data usually arrives.

    Class sizes follow ``long_tail_counts`` (largest / smallest = ``imbalance``), the classes
    ranked by a seeded permutation; each class's pool images are its first training images.
    The held-out split stays balanced (the first ``n_test`` test images), so a subset is scored
    on every class alike; the seed set is drawn from the training images outside the pool.
    """
    images = read_idx(folder / FASHION_FILES[0])
    labels = read_idx(folder / FASHION_FILES[1]).astype(np.int64)
    rank = np.random.default_rng(1).permutation(10)
    counts = long_tail_counts(10, n_pool, imbalance)
    pool = np.sort(
        np.concatenate([np.flatnonzero(labels == c)[: counts[rank[c]]] for c in range(10)])
    )
    rest = np.setdiff1d(np.arange(len(images)), pool)
    seed = rest[seed_split(labels[rest], seed_per_class, np.random.default_rng(0))]
    return LabelledSet(
        name=f"fashion-mnist-lt{imbalance:g}",
        pool=images[pool],
        pool_labels=labels[pool],
        test=read_idx(folder / FASHION_FILES[2])[:n_test],
        test_labels=read_idx(folder / FASHION_FILES[3])[:n_test].astype(np.int64),
        seed=images[seed],
        seed_labels=labels[seed],
        n_classes=10,
    )


def load_digits_set(
    n_test: int = 500, seed_per_class: int = 10, limit: int | None = None
) -> LabelledSet:
    """scikit-learn's 1,797 handwritten digits (8x8 scans, 0-16 scaled to 0-255).

    A seeded shuffle; then ``seed_per_class`` per class for the seed set, ``n_test`` held out
    and the rest (at most ``limit``) as the pool.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(images))
    images, labels = images[order], labels[order]
    seed = seed_split(labels, seed_per_class, rng)
    others = np.setdiff1d(np.arange(len(images)), seed)
    test, pool = others[:n_test], others[n_test:]
    if limit is not None:
        pool = pool[:limit]
    return LabelledSet(
        "sklearn-digits", images[pool], labels[pool], images[test], labels[test],
        images[seed], labels[seed], 10,
    )  # fmt: skip


# ---- selection ------------------------------------------------------------------------------


def _entry(inp: dict[str, object], strategy: dict[str, object]) -> SelectionEntry:
    return SelectionEntry.model_validate({"input": inp, "strategy": strategy})


_EMB = {"type": "EMBEDDINGS"}
_PREDS = {"type": "PREDICTIONS", "task": "knn", "name": "CLASS_DISTRIBUTION"}
_UNIFORM = {"type": "BALANCE", "distribution": "UNIFORM"}


def knn_probabilities(
    seed_x: np.ndarray, seed_y: np.ndarray, pool_x: np.ndarray, n_classes: int, k: int = 5
) -> np.ndarray:
    """Class probabilities ``(N, n_classes)`` of a k-nearest-neighbour classifier trained on the
    labelled seed set: the predictions a user would upload for BALANCE."""
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=min(k, len(seed_x))).fit(seed_x, seed_y)
    probs = np.zeros((len(pool_x), n_classes))
    probs[:, knn.classes_] = knn.predict_proba(pool_x)
    return probs


def strategies_for(
    method: str, emb: np.ndarray, probs: np.ndarray, labels: np.ndarray, seed: int = 0
) -> list[ResolvedStrategy]:
    """The engine's resolved strategies for one benchmark ``method`` (see ``STRATEGIES``)."""
    if method == "RANDOM":
        values = random_values(len(emb), seed)
        return [
            ResolvedStrategy(
                _entry({"type": "RANDOM", "randomSeed": seed}, {"type": "WEIGHTS"}), values
            )
        ]
    if method == "DIVERSITY":
        return [ResolvedStrategy(_entry(_EMB, {"type": "DIVERSITY"}), emb)]
    if method == "TYPICALITY":
        return [ResolvedStrategy(_entry(_EMB, {"type": "TYPICALITY"}), emb)]
    names = [str(c) for c in range(probs.shape[1])]
    if method == "BALANCE (kNN preds)":
        return [ResolvedStrategy(_entry(_PREDS, _UNIFORM), probs, class_names=names)]
    if method == "BALANCE (true labels)":
        one_hot, classes = encode_categories([str(v) for v in labels])
        meta = _entry({"type": "METADATA", "key": "label"}, _UNIFORM)
        return [ResolvedStrategy(meta, one_hot, class_names=classes)]
    if method == "DIVERSITY+BALANCE (kNN)":
        return strategies_for("DIVERSITY", emb, probs, labels) + strategies_for(
            "BALANCE (kNN preds)", emb, probs, labels
        )
    raise ValueError(f"unknown method {method!r}")


def select_indices(
    method: str, emb: np.ndarray, n: int, probs: np.ndarray, labels: np.ndarray, seed: int = 0
) -> np.ndarray:
    """The indices the worker's engine picks for ``method`` (``n`` of them, pick order)."""
    result = select(strategies_for(method, emb, probs, labels, seed), n)
    return np.asarray(result.indices, dtype=np.int64)


# ---- metrics --------------------------------------------------------------------------------


def classes_covered(labels: np.ndarray, picked: np.ndarray) -> int:
    """How many distinct classes the picked samples contain."""
    return len(np.unique(labels[picked]))


def _single_class(train_y: np.ndarray, test_y: np.ndarray) -> float | None:
    """Accuracy when the subset holds one class (a classifier can only answer that class)."""
    classes = np.unique(train_y)
    return float(np.mean(test_y == classes[0])) if len(classes) == 1 else None


def knn_accuracy(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, k: int = 1
) -> float:
    """Held-out accuracy of a k-nearest-neighbour classifier trained on the subset."""
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=min(k, len(train_x))).fit(train_x, train_y)
    return float(knn.score(test_x, test_y))


def probe_accuracy(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    scale_on: np.ndarray | None = None,
) -> float:
    """Held-out accuracy of a linear probe trained on the subset: features standardised, then
    logistic regression (C=1).

    The standardisation is fitted on ``scale_on`` -- the whole unlabelled pool, which a user has
    at selection time and which needs no labels -- or, without it, on the subset itself.
    Standardising matters: the random-init model's unit-norm embeddings share one dominant
    direction, and an unscaled, regularised probe on them scores near chance (22 % on the whole
    digits pool against 88 % standardised), which would flatter any other model. Fitting it on
    the pool rather than the subset matters at small budgets: 12 samples estimate 1,280 means
    and spreads badly, and the noise decided the 1 % cells of the first run.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    single = _single_class(train_y, test_y)
    if single is not None:
        return single
    scaler = StandardScaler().fit(train_x if scale_on is None else scale_on)
    probe = LogisticRegression(max_iter=3000, C=1.0).fit(scaler.transform(train_x), train_y)
    return float(probe.score(scaler.transform(test_x), test_y))


@dataclass
class Quality:
    """Quality of one selection (or the mean over random seeds): classes covered, accuracies
    in [0, 1] (``knn``: 1-NN; ``probe``: standardised logistic regression)."""

    covered: float
    knn: float
    probe: float

    @staticmethod
    def mean(items: list[Quality]) -> Quality:
        """The mean of several qualities (RANDOM over its seeds)."""
        return Quality(
            *(float(np.mean([getattr(q, f) for q in items])) for f in ("covered", "knn", "probe"))
        )


def measure(
    picked: np.ndarray,
    pool_x: np.ndarray,
    pool_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
) -> Quality:
    """Classes covered and the kNN (k=1) / linear-probe accuracy of a subset on the test split
    (the probe's standardisation fitted on the whole unlabelled pool)."""
    x, y = pool_x[picked], pool_y[picked]
    return Quality(
        covered=float(classes_covered(pool_y, picked)),
        knn=knn_accuracy(x, y, test_x, test_y, k=1),
        probe=probe_accuracy(x, y, test_x, test_y, scale_on=pool_x),
    )


def budget_sizes(n_pool: int, fractions: tuple[float, ...]) -> list[int]:
    """Sample counts for budget fractions of the pool (at least 1 each)."""
    return [max(1, round(n_pool * f)) for f in fractions]


def evaluate_model(
    data: LabelledSet,
    emb: dict[str, np.ndarray],
    fractions: tuple[float, ...],
    random_seeds: int,
    on_row: Callable[[str, int, Quality], None] | None = None,
) -> dict[tuple[str, int], Quality]:
    """Every strategy at every budget on one model's L2-normalised embeddings.

    ``emb`` has ``"pool"``, ``"test"`` and ``"seed"`` rows. Returns ``{(method, n): Quality}``;
    RANDOM is the mean over ``random_seeds`` seeds. ``on_row`` sees each result as it is made.
    """
    probs = knn_probabilities(emb["seed"], data.seed_labels, emb["pool"], data.n_classes)
    args = (emb["pool"], data.pool_labels, emb["test"], data.test_labels)
    out: dict[tuple[str, int], Quality] = {}
    for n in budget_sizes(len(data.pool), fractions):
        for method in STRATEGIES:
            seeds = range(random_seeds) if method == "RANDOM" else range(1)
            runs = [
                measure(select_indices(method, emb["pool"], n, probs, data.pool_labels, s), *args)
                for s in seeds
            ]
            out[(method, n)] = Quality.mean(runs)
            if on_row is not None:
                on_row(method, n, out[(method, n)])
    return out
