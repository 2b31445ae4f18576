"""Histograms of a numeric distribution per set (NDPS): distances, metadata and scores."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from winnow_reporter.plots.style import (
    COLOR_INPUT,
    LOCK,
    SET_COLORS,
    SET_LABELS,
    SET_LINESTYLES,
    WIDE,
    clean_axes,
    figure,
    message,
    png,
)
from winnow_reporter.report.model import NumericDistributionPerSet, SetName

__all__ = ["distance_plot", "share_histogram"]


def _counts(ndps: NumericDistributionPerSet, set_name: SetName) -> np.ndarray:
    dist = ndps.get(set_name)
    return np.asarray([] if dist is None else dist.counts, dtype=np.float64)


def _edges(ndps: NumericDistributionPerSet, n_bins: int) -> np.ndarray:
    lo, hi = float(ndps.range[0]), float(ndps.range[1])
    if not hi > lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, n_bins + 1)


def _fmt_metric(value: float | None) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    return f"{v:,.1f}" if abs(v) >= 1000 else f"{v:.3f}"


def _set_label(ndps: NumericDistributionPerSet, set_name: SetName) -> str:
    n = int(sum(_counts(ndps, set_name)))
    median = ndps.metric(set_name, "median")
    label = f"{SET_LABELS.get(set_name, set_name)} (n={n:,}"
    if median is not None:
        label += f", median {_fmt_metric(median)}"
    return label + ")"


def _log_axis(ax: Any, peak: float) -> None:
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.yaxis.set_minor_locator(NullLocator())  # no minor ticks: faster, cleaner
    span = math.log10(peak / 0.8) if peak > 0.8 else 1.0
    ax.set_ylim(bottom=0.8, top=peak * 10 ** (0.45 * span + 0.4))


def _distance_bars(
    ax: Any, ndps: NumericDistributionPerSet, main: SetName, overlays: Sequence[SetName]
) -> None:
    counts = _counts(ndps, main)
    edges = _edges(ndps, counts.size)
    ax.bar(
        edges[:-1],
        counts,
        width=np.diff(edges),
        align="edge",
        color=SET_COLORS.get(main, COLOR_INPUT),
        edgecolor="white",
        linewidth=0.4,
        label=_set_label(ndps, main),
    )
    peak = float(counts.max())
    for name in (s for s in overlays if ndps.get(s) is not None):
        other = _counts(ndps, name)
        if other.size == counts.size and other.any():
            peak = max(peak, float(other.max()))
            ax.stairs(
                np.where(other > 0, other, 0.8),
                edges,
                baseline=None,
                color=SET_COLORS.get(name, "black"),
                linewidth=1.6,
                linestyle=SET_LINESTYLES.get(name, "-"),
                label=_set_label(ndps, name),
            )
    ax.set_xlim(edges[0], edges[-1])
    _log_axis(ax, peak)
    ax.grid(axis="y", which="major", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, frameon=True)


def distance_plot(
    ndps: NumericDistributionPerSet,
    main: SetName,
    title: str,
    overlays: Sequence[SetName] = (),
) -> bytes:
    """Bar histogram of set ``main`` (log-scale y) with step outlines of ``overlays``."""
    with LOCK:
        fig = figure(WIDE)
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("distance to the nearest neighbour in the same set")
        ax.set_ylabel("number of samples")
        counts = _counts(ndps, main)
        if counts.size == 0 or not counts.any():
            message(ax, "not enough samples for nearest-neighbour distances")
        else:
            _distance_bars(ax, ndps, main, overlays)
        clean_axes(ax)
        return png(fig)


def share_histogram(
    ndps: NumericDistributionPerSet, sets: Sequence[SetName], title: str, xlabel: str
) -> bytes:
    """Overlaid step histograms of several sets, each normalised to its set size."""
    with LOCK:
        fig = figure(WIDE)
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("share of the set")
        drawn = 0
        top = 0.0
        edges = None
        for name in (s for s in sets if ndps.get(s) is not None):
            counts = _counts(ndps, name)
            total = counts.sum()
            if counts.size == 0 or total <= 0:
                continue
            edges = _edges(ndps, counts.size)
            color = SET_COLORS.get(name, "black")
            share = counts / total
            if name == "input":
                ax.stairs(share, edges, fill=True, color=color, alpha=0.25)
                ax.stairs(share, edges, color=color, linewidth=1.2, label=_set_label(ndps, name))
            else:
                ax.stairs(
                    share,
                    edges,
                    color=color,
                    linewidth=1.8,
                    linestyle=SET_LINESTYLES.get(name, "-"),
                    label=_set_label(ndps, name),
                )
            top = max(top, float(share.max()))
            drawn += 1
        if not drawn or edges is None:
            message(ax, "no values")
        else:
            ax.set_xlim(edges[0], edges[-1])
            ax.set_ylim(0, top * 1.4)  # headroom for the legend
            ax.grid(axis="y", alpha=0.3)
            ax.legend(loc="upper right", fontsize=8, frameon=True)
        clean_axes(ax)
        return png(fig)
