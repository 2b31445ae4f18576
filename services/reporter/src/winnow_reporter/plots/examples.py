"""The selection examples: a selected image next to its nearest removed neighbour."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from winnow_reporter.plots.style import COLOR_REMOVED, COLOR_SELECTED, DPI, LOCK, PAIR, png
from winnow_reporter.report.model import ExamplePair

__all__ = ["NOT_AVAILABLE_TEXT", "plot_filter_decision"]

NOT_AVAILABLE_TEXT = "image not available"
_MAX_THUMB_PX = 512


def _thumbnail_array(data: bytes | None) -> np.ndarray | None:
    """Decoded RGB pixels of a thumbnail, or ``None`` when missing or unreadable."""
    if not data:
        return None
    try:
        from PIL import Image as PILImage  # Pillow comes with matplotlib

        with PILImage.open(io.BytesIO(data)) as img:
            img.draft("RGB", (_MAX_THUMB_PX, _MAX_THUMB_PX))
            rgb = img.convert("RGB")
            rgb.thumbnail((_MAX_THUMB_PX, _MAX_THUMB_PX))
            return np.asarray(rgb)
    except Exception:  # a broken thumbnail becomes the placeholder, never an error
        return None


def _short(name: str, n: int = 44) -> str:
    return name if len(name) <= n else "..." + name[-(n - 3) :]


def _image_box(ax: Any, img: np.ndarray | None, placeholder: tuple[int, int], color: str) -> None:
    """One image in a box framed in ``color``; a grey placeholder when there is none."""
    if img is None:
        ph, pw = placeholder
        ax.imshow(np.full((ph, pw, 3), 0.93))
        ax.text(
            0.5,
            0.5,
            NOT_AVAILABLE_TEXT,
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="0.35",
        )
    else:
        ax.imshow(img, interpolation="antialiased")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(2.5)


def plot_filter_decision(
    pair: ExamplePair, thumbnails: Mapping[str, bytes], number: int | None = None
) -> bytes:
    """A selected image and its nearest removed neighbour side by side, with the distance.

    An image missing from ``thumbnails`` (or unreadable) is drawn as a grey placeholder box
    saying "image not available".
    """
    selected, removed = pair.selected_image, pair.removed_image
    images = [_thumbnail_array(thumbnails.get(selected)), _thumbnail_array(thumbnails.get(removed))]
    # a placeholder takes the other image's shape (4:3 when neither is there)
    shapes = [img.shape[:2] for img in images if img is not None]
    placeholder = shapes[0] if shapes else (3, 4)
    with LOCK:
        fig = Figure(figsize=PAIR, dpi=DPI)  # fixed boxes: no layout engine surprises
        FigureCanvasAgg(fig)
        head = f"Example {number}: " if number is not None else ""
        fig.text(
            0.5,
            0.97,
            f"{head}distance between the embeddings {pair.distance:.4f}",
            ha="center",
            va="top",
            fontsize=11,
        )
        for x0, img, name, kind, color in (
            (0.03, images[0], selected, "selected (kept)", COLOR_SELECTED),
            (0.53, images[1], removed, "removed (nearest neighbour)", COLOR_REMOVED),
        ):
            ax = fig.add_axes((x0, 0.12, 0.44, 0.70))
            fig.text(x0 + 0.22, 0.87, kind, ha="center", va="center", fontsize=10, color=color)
            fig.text(x0 + 0.22, 0.06, _short(name), ha="center", va="center", fontsize=8)
            _image_box(ax, img, placeholder, color)
        return png(fig)
