"""Colours, sizes and the figure helpers every report plot shares.

Uses the object-oriented matplotlib API (``Figure`` + ``FigureCanvasAgg``) only: no pyplot,
no global backend switch, so it is safe to call from worker threads. :data:`LOCK`
serialises rendering anyway, because matplotlib's font and text caches are shared.
"""

from __future__ import annotations

import io
import threading
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from winnow_reporter.report.model import SET_NAMES, SetName

__all__ = [
    "COLOR_DATAPOOL",
    "COLOR_INPUT",
    "COLOR_RANDOM",
    "COLOR_REMOVED",
    "COLOR_SELECTED",
    "COLOR_SELECTED_WITH_DATAPOOL",
    "DPI",
    "LOCK",
    "PAIR",
    "SET_COLORS",
    "SET_LABELS",
    "SET_LINESTYLES",
    "SET_ORDER",
    "SQUARE",
    "WIDE",
    "clean_axes",
    "figure",
    "message",
    "png",
]

LOCK = threading.Lock()

COLOR_INPUT = "#1f77b4"  # blue: all input (embedded) samples
COLOR_SELECTED = "#ff7f0e"  # orange: selected samples
COLOR_RANDOM = "#7f7f7f"  # grey: the random baseline of the selection's size
COLOR_DATAPOOL = "#2ca02c"  # green: preselected datapool samples
COLOR_SELECTED_WITH_DATAPOOL = "#9467bd"  # purple: selected + preselected datapool
COLOR_REMOVED = "#d62728"  # red: removed by the selection (example pairs)

#: Set name (the report's wire name) -> colour, used by every plot.
SET_COLORS: dict[str, str] = {
    "input": COLOR_INPUT,
    "selected": COLOR_SELECTED,
    "random": COLOR_RANDOM,
    "preselectedDatapool": COLOR_DATAPOOL,
    "selectedWithDatapool": COLOR_SELECTED_WITH_DATAPOOL,
}
#: Set name -> legend label.
SET_LABELS: dict[str, str] = {
    "input": "input",
    "selected": "selected",
    "random": "random baseline",
    "preselectedDatapool": "preselected datapool",
    "selectedWithDatapool": "selected + datapool",
}
#: Line style of a set's outline (the random baseline is dashed, everything else solid).
SET_LINESTYLES: dict[str, str] = {"random": "--"}
SET_ORDER: tuple[SetName, ...] = SET_NAMES

_PNG_METADATA: dict[str, str | None] = {"Software": None}  # no version string: stable bytes
DPI = 120
WIDE = (7.0, 3.6)
SQUARE = (5.2, 5.0)
PAIR = (7.0, 3.2)


def figure(size: tuple[float, float]) -> Figure:
    """A figure with its own Agg canvas and the constrained layout."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (white background, no version stamp)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", metadata=_PNG_METADATA)
    return buf.getvalue()


def clean_axes(ax: Any) -> None:
    """No top and right spines."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def message(ax: Any, text: str) -> None:
    """A grey message in the middle of empty axes."""
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10,
        color="0.35",
        wrap=True,
    )
    ax.set_xticks([])
    ax.set_yticks([])
