"""The 2-D views (PCA, UMAP) of the embeddings, with or without the selection overlaid."""

from __future__ import annotations

from typing import Any

import numpy as np

from winnow_reporter.plots.names import ScatterView
from winnow_reporter.plots.style import (
    COLOR_INPUT,
    COLOR_SELECTED,
    LOCK,
    SQUARE,
    figure,
    message,
    png,
)
from winnow_reporter.report.model import ExampleImage

__all__ = ["scatter_plot"]


def _mark_examples(ax: Any, examples: list[ExampleImage]) -> None:
    """Circle the example images and label them with their file names."""
    for n, example in enumerate(examples, start=1):
        x, y = example.location
        ax.scatter([x], [y], s=40, facecolors="none", edgecolors="black", linewidths=1)
        name = example.filename.rsplit("/", 1)[-1]
        if len(name) > 24:
            name = name[:21] + "..."
        ax.annotate(
            f"{n}: {name}",
            (x, y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=6.5,
            color="0.15",
        )


def scatter_plot(view: ScatterView, overlay: bool) -> bytes:
    """Every sampled point of the view; with ``overlay`` the selected ones in orange."""
    data = view.data
    with LOCK:
        fig = figure(SQUARE)
        ax = fig.add_subplot()
        suffix = "input and selected samples" if overlay else "input samples"
        ax.set_title(f"{view.title}: {suffix}", fontsize=11)
        points = np.asarray(data.input_2d_embeddings, dtype=np.float64).reshape(-1, 2)
        selected = np.asarray(
            data.selected_excluding_datapool_2d_embeddings, dtype=np.float64
        ).reshape(-1, 2)
        if points.shape[0] == 0:
            message(ax, "no points")
            return png(fig)
        size = float(np.clip(4000.0 / points.shape[0], 1.0, 16.0))
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=size,
            color=COLOR_INPUT,
            alpha=0.45,
            linewidths=0,
            label=f"input ({points.shape[0]:,})",
        )
        if overlay and selected.shape[0]:
            ax.scatter(
                selected[:, 0],
                selected[:, 1],
                s=size * 1.8,
                color=COLOR_SELECTED,
                alpha=0.9,
                linewidths=0,
                label=f"selected ({selected.shape[0]:,})",
            )
        _mark_examples(ax, data.example_images)
        ax.legend(loc="best", fontsize=8, markerscale=2, frameon=True)
        ax.set_xticks([])
        ax.set_yticks([])
        return png(fig)
