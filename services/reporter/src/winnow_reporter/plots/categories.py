"""Grouped bar charts of categories per set: categorical metadata and prediction categories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from winnow_reporter.plots.style import (
    LOCK,
    SET_COLORS,
    SET_LABELS,
    SET_ORDER,
    WIDE,
    clean_axes,
    figure,
    message,
    png,
)
from winnow_reporter.report.model import CategoricalDistributionPerSet, PredictionTask

__all__ = ["categorical_plot", "prediction_categories_plot"]

_MAX_BAR_CATEGORIES = 30


def _ordered_categories(counts_by_set: Mapping[str, Mapping[str, float]]) -> list[str]:
    first = counts_by_set.get("input") or next(iter(counts_by_set.values()), {})
    cats = list(dict.fromkeys([*first, *(c for v in counts_by_set.values() for c in v)]))
    return sorted(cats, key=lambda c: (-float(first.get(c, 0)), str(c)))


def _grouped_bars(
    ax: Any,
    values_by_set: Mapping[str, Mapping[str, float]],
    categories: Sequence[str],
    ylabel: str,
) -> None:
    sets = [s for s in SET_ORDER if s in values_by_set]
    width = 0.8 / max(len(sets), 1)
    x = np.arange(len(categories), dtype=np.float64)
    for j, name in enumerate(sets):
        values = [float(values_by_set[name].get(c, 0.0) or 0.0) for c in categories]
        ax.bar(
            x + (j - (len(sets) - 1) / 2) * width,
            values,
            width=width,
            color=SET_COLORS.get(name, "black"),
            label=SET_LABELS.get(name, name),
        )
    labels = [c if len(c) <= 18 else c[:16] + "..." for c in map(str, categories)]
    rotate = len(categories) > 8 or sum(len(c) for c in labels) > 60
    ax.set_xticks(x, labels, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.tick_params(axis="x", labelsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, frameon=True)
    clean_axes(ax)


def _shares(cdps: CategoricalDistributionPerSet) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Per set, each category's share of the set; categories ordered by input count."""
    counts: dict[str, dict[str, int]] = {s: dict(d.counts) for s, d in cdps.by_set().items()}
    categories = _ordered_categories(counts)
    if len(categories) > _MAX_BAR_CATEGORIES:
        keep, rest = categories[: _MAX_BAR_CATEGORIES - 1], categories[_MAX_BAR_CATEGORIES - 1 :]
        other = f"other ({len(rest)})"
        counts = {
            s: {**{c: v.get(c, 0) for c in keep}, other: sum(v.get(c, 0) for c in rest)}
            for s, v in counts.items()
        }
        categories = [*keep, other]
    shares = {}
    for s, v in counts.items():
        total = float(sum(v.values()))
        shares[s] = {c: (float(n) / total if total > 0 else 0.0) for c, n in v.items()}
    return shares, categories


def categorical_plot(cdps: CategoricalDistributionPerSet, title: str) -> bytes:
    """Each category's share of every set, as grouped bars."""
    with LOCK:
        shares, categories = _shares(cdps)
        fig = figure((max(WIDE[0], 0.28 * len(categories) + 3), WIDE[1]))
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        if not categories:
            message(ax, "no values")
            clean_axes(ax)
        else:
            _grouped_bars(ax, shares, categories, "share of the set")
        return png(fig)


def prediction_categories_plot(task: str, info: PredictionTask) -> bytes:
    """A task's share of objects per category and, below, its mean objects per sample."""
    per_sample = info.category_to_counts_per_sample
    with LOCK:
        shares, categories = _shares(info.category_distribution)
        fig = figure((7.0, 6.4) if per_sample else WIDE)
        axes = fig.subplots(2, 1) if per_sample else [fig.add_subplot()]
        axes[0].set_title(f"{task}: objects per category", fontsize=11)
        if categories:
            _grouped_bars(axes[0], shares, categories, "share of all objects")
        else:
            message(axes[0], "no predictions")
        if per_sample:
            cats = [c for c in categories if c in per_sample] or list(per_sample)
            cats = cats[:_MAX_BAR_CATEGORIES]
            means: dict[str, dict[str, float]] = {
                s: {c: per_sample[c].metric(s, "mean") or 0.0 for c in cats}
                for s in SET_ORDER
                if any(per_sample[c].get(s) is not None for c in cats)
            }
            axes[1].set_title("mean objects per sample", fontsize=11)
            _grouped_bars(axes[1], means, cats, "objects per sample")
        return png(fig)
