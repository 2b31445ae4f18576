"""Report plots rendered to PNG bytes.

Uses the object-oriented matplotlib API (``Figure`` + ``FigureCanvasAgg``) only: no pyplot,
no global backend switch, so it is safe to call from worker threads. A module lock
serialises rendering anyway, because matplotlib's font and text caches are shared.
"""

from __future__ import annotations

import io
import itertools
import math
import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from winnow_reporter.data import Histogram, ReportData

__all__ = [
    "COLOR_INPUT",
    "COLOR_SELECTED",
    "PLOT_DISTANCE_AFTER",
    "PLOT_DISTANCE_BEFORE",
    "plot_distance_histogram",
    "render_plots",
]

COLOR_INPUT = "#1f77b4"  # blue: all input (embedded) samples
COLOR_SELECTED = "#ff7f0e"  # orange: selected samples

PLOT_DISTANCE_BEFORE = "distance_distr_before.png"
PLOT_DISTANCE_AFTER = "distance_distr_after.png"

_FIGSIZE = (7.0, 3.6)  # inches
_DPI = 150
_LOCK = threading.Lock()


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def plot_distance_histogram(hist: Histogram, title: str, color: str) -> bytes:
    """Bar plot of a pairwise-distance histogram (log-scale y) as PNG bytes."""
    with _LOCK:
        fig = Figure(figsize=_FIGSIZE, dpi=_DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("pairwise distance")
        ax.set_ylabel("number of pairs")
        edges = hist.bin_edges
        if edges:
            ax.set_xlim(edges[0], edges[-1])

        if hist.is_empty or not any(hist.counts):
            ax.set_yticks([])
            ax.text(
                0.5,
                0.5,
                "not enough samples for pairwise distances",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=10,
                color="0.35",
            )
        else:
            widths = [b - a for a, b in itertools.pairwise(edges)]
            ax.bar(
                edges[:-1],
                hist.counts,
                width=widths,
                align="edge",
                color=color,
                edgecolor="white",
                linewidth=0.4,
            )
            ax.set_yscale("log")
            # headroom above the tallest bar (in log space) for the annotation box
            peak = max(hist.counts)
            span = math.log10(peak / 0.8)
            ax.set_ylim(bottom=0.8, top=peak * 10 ** (0.35 * span + 0.4))
            ax.grid(axis="y", which="major", alpha=0.3)
            lines = [f"{_fmt_int(hist.n_pairs)} pairs"]
            if hist.median is not None and hist.mean is not None:
                lines.append(f"median {hist.median:.3f}, mean {hist.mean:.3f}")
            if hist.sampled:
                lines.append(
                    f"random sample of {_fmt_int(hist.n_points)} of "
                    f"{_fmt_int(hist.n_points_total)} samples"
                )
            ax.text(
                0.99,
                0.97,
                "\n".join(lines),
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=8,
                bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.8"},
            )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=_DPI, facecolor="white")
    return buf.getvalue()


def render_plots(data: ReportData) -> dict[str, bytes]:
    """All report plots, keyed by the file names the PDF and the artefact store use."""
    return {
        PLOT_DISTANCE_BEFORE: plot_distance_histogram(
            data.distance_before, "Before selection: all clean input samples", COLOR_INPUT
        ),
        PLOT_DISTANCE_AFTER: plot_distance_histogram(
            data.distance_after, "After selection: selected samples", COLOR_SELECTED
        ),
    }
