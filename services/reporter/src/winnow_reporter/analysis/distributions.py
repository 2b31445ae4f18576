"""Numeric and categorical distributions per sample set (NDPS / CDPS of report_v2.json).

Everything returned is plain Python (``int``, ``float``, ``None``, ``list``, ``dict``) and
JSON-serialisable: no NumPy scalars, no NaN, no infinity. See ``REPORT_V2.md`` for the shapes
and for the definitions of Gini imbalance and normalised entropy.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "categorical_distribution",
    "gini_imbalance",
    "normalized_entropy",
    "numeric_distribution",
    "random_baseline",
]

_RESERVED_SET_NAMES = frozenset({"bins", "range"})


# --------------------------------------------------------------------------------------
# numeric
# --------------------------------------------------------------------------------------


def _finite_values(values: Any) -> np.ndarray:
    """``values`` as a flat float64 array without NaN / +-inf (``None`` becomes NaN)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    return arr[np.isfinite(arr)]


def _metrics(v: np.ndarray) -> dict[str, float | None]:
    if v.size == 0:
        return {"mean": None, "std": None, "min": None, "median": None, "max": None}
    return {
        "mean": float(v.mean()),
        "std": float(v.std()),
        "min": float(v.min()),
        "median": float(np.median(v)),
        "max": float(v.max()),
    }


def _degenerate_width(lo: float) -> float:
    """Width of the range used when every value is equal to ``lo``."""
    return max(1.0, abs(lo) * 1e-6)


def numeric_distribution(
    values_by_set: Mapping[str, np.ndarray | Sequence[float | None]],
    bins: int = 20,
    value_range: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """NDPS: a histogram and summary metrics per set, all sets sharing ``bins`` and ``range``.

    Returns ``{"bins": bins, "range": [lo, hi], <set>: {"counts": [int] * bins, "metrics":
    {"mean", "std", "min", "median", "max"}}}`` with one entry per key of ``values_by_set``
    (in its order). Non-finite values (NaN, +-inf, ``None``) are ignored; a set with no
    finite value has all-zero counts and ``None`` metrics. ``std`` is the population standard
    deviation.

    The range is ``value_range`` when given, else the smallest and largest finite value over
    all sets (``[0, 1]`` when there is none). When ``lo == hi`` the range becomes
    ``[lo, lo + max(1, |lo| * 1e-6)]`` so every value falls in the first bin. Values outside
    an explicit ``value_range`` are counted in the first / last bin (counts always add up to
    the number of finite values); the metrics use the unclipped values.
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    clash = _RESERVED_SET_NAMES.intersection(values_by_set)
    if clash:
        raise ValueError(f"set names {sorted(clash)} are reserved NDPS keys")
    clean = {name: _finite_values(values) for name, values in values_by_set.items()}

    if value_range is not None:
        lo, hi = float(value_range[0]), float(value_range[1])
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
            raise ValueError(f"value_range must be finite with lo <= hi, got {value_range}")
    else:
        present = [v for v in clean.values() if v.size]
        if present:
            lo = min(float(v.min()) for v in present)
            hi = max(float(v.max()) for v in present)
        else:
            lo, hi = 0.0, 1.0
    if hi <= lo:
        hi = lo + _degenerate_width(lo)

    out: dict[str, Any] = {"bins": int(bins), "range": [lo, hi]}
    for name, v in clean.items():
        counts = np.histogram(np.clip(v, lo, hi), bins=bins, range=(lo, hi))[0]
        out[name] = {"counts": [int(c) for c in counts], "metrics": _metrics(v)}
    return out


# --------------------------------------------------------------------------------------
# categorical
# --------------------------------------------------------------------------------------


def _counts_array(counts: Sequence[float] | Mapping[Any, float] | np.ndarray) -> np.ndarray:
    values = list(counts.values()) if isinstance(counts, Mapping) else counts
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0):
        raise ValueError("counts must be finite and non-negative")
    return arr


def gini_imbalance(counts: Sequence[float] | Mapping[Any, float] | np.ndarray) -> float | None:
    """Gini imbalance of category counts: 0 = balanced, 1 = all samples in one category.

    ``sum_i sum_j |c_i - c_j| / (2 K n)`` scaled by ``K / (K - 1)``; ``None`` when the total
    ``n`` is 0 or there are fewer than two categories ``K`` (zero counts are categories too).
    ``counts`` is a sequence of counts or a mapping category -> count.
    """
    c = _counts_array(counts)
    k, n = c.size, float(c.sum())
    if k < 2 or n <= 0:
        return None
    # sum_{i,j} |c_i - c_j| = 2 sum_i (2 i - K + 1) c_(i) with c sorted ascending, i from 0
    c = np.sort(c)
    weights = 2.0 * np.arange(k, dtype=np.float64) - (k - 1)
    pair_sum = 2.0 * float(np.dot(weights, c))
    value = pair_sum / (2.0 * n * (k - 1))
    return float(min(max(value, 0.0), 1.0))


def normalized_entropy(counts: Sequence[float] | Mapping[Any, float] | np.ndarray) -> float | None:
    """Normalised Shannon entropy ``-sum p_k ln p_k / ln K``: 1 = balanced, 0 = one category.

    Same ``None`` cases as :func:`gini_imbalance` (total 0 or fewer than two categories).
    """
    c = _counts_array(counts)
    k, n = c.size, float(c.sum())
    if k < 2 or n <= 0:
        return None
    p = c[c > 0] / n
    value = float(-np.sum(p * np.log(p)) / math.log(k))
    return float(min(max(value, 0.0), 1.0))


def categorical_distribution(
    labels_by_set: Mapping[str, Sequence[str | None]],
    categories: Sequence[str] | None = None,
) -> dict[str, Any]:
    """CDPS: per set, the count of every category and its Gini imbalance / normalised entropy.

    Returns ``{<set>: {"counts": {category: int}, "metrics": {"giniImbalance",
    "normalizedEntropy"}}}`` for every key of ``labels_by_set`` (in its order). The category
    universe is ``categories`` (in the given order) or else every non-``None`` label of any
    set, sorted; every set lists every category (0 when absent), and K in the metrics is the
    size of that universe. ``None`` labels, and labels outside an explicit ``categories``, are
    ignored.
    """
    if categories is None:
        universe = sorted(
            {label for labels in labels_by_set.values() for label in labels if label is not None}
        )
    else:
        universe = list(dict.fromkeys(categories))
    position = {cat: i for i, cat in enumerate(universe)}

    out: dict[str, Any] = {}
    for name, labels in labels_by_set.items():
        counts = [0] * len(universe)
        for label, count in Counter(labels).items():
            i = position.get(label) if label is not None else None
            if i is not None:
                counts[i] += count
        out[name] = {
            "counts": dict(zip(universe, counts, strict=True)),
            "metrics": {
                "giniImbalance": gini_imbalance(counts),
                "normalizedEntropy": normalized_entropy(counts),
            },
        }
    return out


# --------------------------------------------------------------------------------------
# random baseline
# --------------------------------------------------------------------------------------


def random_baseline(n_input: int, n_selected: int, seed: int) -> np.ndarray:
    """Sorted int64 indices of a seeded uniform sample (no replacement) of ``range(n_input)``.

    The sample has ``min(n_selected, n_input)`` elements (none for non-positive sizes): the
    "random" set a data team would otherwise have labelled instead of the selection.
    """
    n_input = max(int(n_input), 0)
    size = min(max(int(n_selected), 0), n_input)
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_input, size=size, replace=False)).astype(np.int64, copy=False)
