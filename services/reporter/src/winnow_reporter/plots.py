"""Report plots rendered to PNG bytes.

``render_plots_v2`` draws every plot of the full report from a report_v2 document (file
names as in Lightly's ``plots/`` folder).
Uses the object-oriented matplotlib API (``Figure`` + ``FigureCanvasAgg``) only: no pyplot,
no global backend switch, so it is safe to call from worker threads. A module lock
serialises rendering anyway, because matplotlib's font and text caches are shared.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

__all__ = [
    "COLOR_DATAPOOL",
    "COLOR_INPUT",
    "COLOR_RANDOM",
    "COLOR_REMOVED",
    "COLOR_SELECTED",
    "COLOR_SELECTED_WITH_DATAPOOL",
    "NOT_AVAILABLE_TEXT",
    "PLOT_DISTANCE_AFTER",
    "PLOT_DISTANCE_BEFORE",
    "PLOT_DISTANCE_TO_COVER",
    "PLOT_SCATTER_PCA",
    "PLOT_SCATTER_PCA_NO_OVERLAY",
    "SET_COLORS",
    "SET_LABELS",
    "SET_LINESTYLES",
    "PlotNames",
    "ScatterView",
    "plot_filter_decision",
    "plot_names_v2",
    "render_plots_v2",
    "safe_name",
]

COLOR_INPUT = "#1f77b4"  # blue: all input (embedded) samples
COLOR_SELECTED = "#ff7f0e"  # orange: selected samples

PLOT_DISTANCE_BEFORE = "distance_distr_before.png"
PLOT_DISTANCE_AFTER = "distance_distr_after.png"

_LOCK = threading.Lock()


# ==========================================================================================
# report_v2 plots
# ==========================================================================================

COLOR_RANDOM = "#7f7f7f"  # grey: the random baseline of the selection's size
COLOR_DATAPOOL = "#2ca02c"  # green: preselected datapool samples
COLOR_SELECTED_WITH_DATAPOOL = "#9467bd"  # purple: selected + preselected datapool
COLOR_REMOVED = "#d62728"  # red: removed by the selection (example pairs)

#: Set name (report_v2 key) -> colour, used by every v2 plot.
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
SET_ORDER = ("input", "selected", "random", "preselectedDatapool", "selectedWithDatapool")

PLOT_DISTANCE_TO_COVER = "distance_to_cover.png"
PLOT_SCATTER_PCA = "scatter_pca.png"
PLOT_SCATTER_PCA_NO_OVERLAY = "scatter_pca_no_overlay.png"
#: Lightly numbers the example pairs' plots 0, 11, 22, ...
FILTER_DECISION_STEP = 11
NOT_AVAILABLE_TEXT = "image not available"

_PNG_METADATA: dict[str, str | None] = {"Software": None}  # no version string: stable bytes
_V2_DPI = 120
_WIDE = (7.0, 3.6)
_SQUARE = (5.2, 5.0)
_PAIR = (7.0, 3.2)
_MAX_BAR_CATEGORIES = 30
_MAX_THUMB_PX = 512
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


# --------------------------------------------------------------------------------------
# file names
# --------------------------------------------------------------------------------------


def safe_name(key: str, max_len: int = 80) -> str:
    """``key`` reduced to ``[A-Za-z0-9._-]`` for a file name (``_`` for anything else)."""
    cleaned = _SAFE_NAME.sub("_", str(key)).strip("._")[:max_len]
    return cleaned or "key"


@dataclass
class ScatterView:
    """One 2-D view: ``key`` is ``"pca"`` or the UMAP ``k`` (as in the report)."""

    key: str
    title: str
    data: dict[str, Any]
    overlay: str
    no_overlay: str


@dataclass
class PlotNames:
    """The file names of every v2 plot of one report, in report order.

    The PDF and :func:`render_plots_v2` both use this, so a sanitised name that collides
    with another one gets the same ``_2`` suffix in both.
    """

    distance_before: str = PLOT_DISTANCE_BEFORE
    distance_after: str = PLOT_DISTANCE_AFTER
    distance_to_cover: str = PLOT_DISTANCE_TO_COVER
    scatter: list[ScatterView] = field(default_factory=list)
    #: (index into selectedAndRemovedImageExamples, file name)
    filter_decisions: list[tuple[int, str]] = field(default_factory=list)
    #: (group: lightlyNumeric | customNumeric | customCategorical, key, file name)
    metadata: list[tuple[str, str, str]] = field(default_factory=list)
    #: task -> ("categories" file name, {score: file name})
    predictions: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


def _k_order(k: str) -> tuple[int, str]:
    return (int(k), k) if str(k).isdigit() else (1 << 30, str(k))


def plot_names_v2(report: Mapping[str, Any]) -> PlotNames:
    """Every plot file name :func:`render_plots_v2` writes for ``report``."""
    names = PlotNames()
    taken = {names.distance_before, names.distance_after, names.distance_to_cover}

    def unique(stem: str) -> str:
        name, n = f"{stem}.png", 2
        while name in taken:
            name, n = f"{stem}_{n}.png", n + 1
        taken.add(name)
        return name

    general = report.get("generalInformation") or {}
    analysis = report.get("datasetAnalysis") or {}
    scatter = (analysis.get("embeddingInformation") or {}).get("scatterPlotData") or {}
    if scatter.get("pcaEmbeddingData"):
        taken |= {PLOT_SCATTER_PCA, PLOT_SCATTER_PCA_NO_OVERLAY}
        names.scatter.append(
            ScatterView(
                "pca",
                "PCA",
                scatter["pcaEmbeddingData"],
                PLOT_SCATTER_PCA,
                PLOT_SCATTER_PCA_NO_OVERLAY,
            )
        )
    for k, data in sorted(
        (scatter.get("umapEmbeddingData") or {}).items(), key=lambda kv: _k_order(kv[0])
    ):
        stem = f"scatter_umap_k_{safe_name(k)}"
        names.scatter.append(
            ScatterView(str(k), f"UMAP (k = {k})", data, unique(stem), unique(f"{stem}_no_overlay"))
        )
    for i, _ in enumerate(general.get("selectedAndRemovedImageExamples") or []):
        names.filter_decisions.append((i, unique(f"filter_decision_{FILTER_DECISION_STEP * i}")))
    metadata = analysis.get("metadataInformation") or {}
    for group in ("lightlyNumeric", "customNumeric", "customCategorical"):
        for key in metadata.get(group) or {}:
            names.metadata.append((group, key, unique(f"metadata_{safe_name(key)}")))
    for task, info in (report.get("predictionTaskInformation") or {}).items():
        stem = f"predictions_{safe_name(task)}"
        categories = unique(f"{stem}_categories")
        scores = {
            score: unique(f"{stem}_{safe_name(score)}")
            for score in (info.get("activeLearningScoreDistributions") or {})
        }
        names.predictions[task] = (categories, scores)
    return names


# --------------------------------------------------------------------------------------
# drawing helpers
# --------------------------------------------------------------------------------------


def _figure(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size, dpi=_V2_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_V2_DPI, facecolor="white", metadata=_PNG_METADATA)
    return buf.getvalue()


def _clean_axes(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _message(ax: Any, text: str) -> None:
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


def _ndps_sets(ndps: Mapping[str, Any], wanted: Sequence[str]) -> list[str]:
    return [s for s in wanted if isinstance(ndps.get(s), Mapping)]


def _counts(ndps: Mapping[str, Any], set_name: str) -> np.ndarray:
    return np.asarray(ndps[set_name].get("counts") or [], dtype=np.float64)


def _edges(ndps: Mapping[str, Any], n_bins: int) -> np.ndarray:
    bounds = list(ndps.get("range") or [])
    lo, hi = (float(bounds[0]), float(bounds[1])) if len(bounds) == 2 else (0.0, 1.0)
    if not hi > lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, n_bins + 1)


def _fmt_metric(value: Any) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    return f"{v:,.1f}" if abs(v) >= 1000 else f"{v:.3f}"


def _set_label(ndps: Mapping[str, Any], set_name: str) -> str:
    entry = ndps[set_name]
    n = int(sum(entry.get("counts") or []))
    median = (entry.get("metrics") or {}).get("median")
    label = f"{SET_LABELS.get(set_name, set_name)} (n={n:,}"
    if median is not None:
        label += f", median {_fmt_metric(median)}"
    return label + ")"


def _distance_plot(
    ndps: Mapping[str, Any],
    main: str,
    title: str,
    overlays: Sequence[str] = (),
) -> bytes:
    """Bar histogram of ``ndps[main]`` (log-scale y) with step outlines of ``overlays``."""
    with _LOCK:
        fig = _figure(_WIDE)
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("distance to the nearest neighbour in the same set")
        ax.set_ylabel("number of samples")
        counts = _counts(ndps, main) if main in ndps else np.zeros(0)
        if counts.size == 0 or not counts.any():
            _message(ax, "not enough samples for nearest-neighbour distances")
        else:
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
            for name in _ndps_sets(ndps, overlays):
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
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.yaxis.set_minor_locator(NullLocator())  # no minor ticks: faster, cleaner
            span = math.log10(peak / 0.8) if peak > 0.8 else 1.0
            ax.set_ylim(bottom=0.8, top=peak * 10 ** (0.45 * span + 0.4))
            ax.grid(axis="y", which="major", alpha=0.3)
            ax.legend(loc="upper right", fontsize=8, frameon=True)
        _clean_axes(ax)
        return _png(fig)


def _share_histogram(
    ndps: Mapping[str, Any], sets: Sequence[str], title: str, xlabel: str
) -> bytes:
    """Overlaid step histograms of several sets, each normalised to its set size."""
    with _LOCK:
        fig = _figure(_WIDE)
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("share of the set")
        drawn = 0
        top = 0.0
        edges = None
        for name in _ndps_sets(ndps, sets):
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
                top = max(top, float(share.max()))
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
            _message(ax, "no values")
        else:
            ax.set_xlim(edges[0], edges[-1])
            ax.set_ylim(0, top * 1.4)  # headroom for the legend
            ax.grid(axis="y", alpha=0.3)
            ax.legend(loc="upper right", fontsize=8, frameon=True)
        _clean_axes(ax)
        return _png(fig)


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
    _clean_axes(ax)


def _shares(cdps: Mapping[str, Any]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Per set, each category's share of the set; categories ordered by input count."""
    counts = {
        s: dict(cdps[s].get("counts") or {}) for s in SET_ORDER if isinstance(cdps.get(s), Mapping)
    }
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


def _categorical_plot(cdps: Mapping[str, Any], title: str) -> bytes:
    with _LOCK:
        shares, categories = _shares(cdps)
        fig = _figure((max(_WIDE[0], 0.28 * len(categories) + 3), _WIDE[1]))
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=11)
        if not categories:
            _message(ax, "no values")
            _clean_axes(ax)
        else:
            _grouped_bars(ax, shares, categories, "share of the set")
        return _png(fig)


def _prediction_categories_plot(task: str, info: Mapping[str, Any]) -> bytes:
    cdps = info.get("categoryDistribution") or {}
    per_sample = info.get("categoryToCountsPerSample") or {}
    with _LOCK:
        shares, categories = _shares(cdps)
        fig = _figure((7.0, 6.4) if per_sample else _WIDE)
        axes = fig.subplots(2, 1) if per_sample else [fig.add_subplot()]
        axes[0].set_title(f"{task}: objects per category", fontsize=11)
        if categories:
            _grouped_bars(axes[0], shares, categories, "share of all objects")
        else:
            _message(axes[0], "no predictions")
        if per_sample:
            cats = [c for c in categories if c in per_sample] or list(per_sample)
            cats = cats[:_MAX_BAR_CATEGORIES]
            means = {
                s: {
                    c: (per_sample[c].get(s, {}).get("metrics") or {}).get("mean") or 0.0
                    for c in cats
                }
                for s in SET_ORDER
                if any(isinstance(per_sample[c].get(s), Mapping) for c in cats)
            }
            axes[1].set_title("mean objects per sample", fontsize=11)
            _grouped_bars(axes[1], means, cats, "objects per sample")
        return _png(fig)


def _scatter_plot(view: ScatterView, overlay: bool) -> bytes:
    data = view.data
    with _LOCK:
        fig = _figure(_SQUARE)
        ax = fig.add_subplot()
        suffix = "input and selected samples" if overlay else "input samples"
        ax.set_title(f"{view.title}: {suffix}", fontsize=11)
        points = np.asarray(data.get("input2dEmbeddings") or [], dtype=np.float64).reshape(-1, 2)
        selected = np.asarray(
            data.get("selectedExcludingDatapool2dEmbeddings") or [], dtype=np.float64
        ).reshape(-1, 2)
        if points.shape[0] == 0:
            _message(ax, "no points")
        else:
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
            for n, example in enumerate(data.get("exampleImages") or [], start=1):
                loc = list(example.get("location") or [])
                if len(loc) != 2:
                    continue
                ax.scatter(
                    [loc[0]], [loc[1]], s=40, facecolors="none", edgecolors="black", linewidths=1
                )
                name = str(example.get("filename", "")).rsplit("/", 1)[-1]
                if len(name) > 24:
                    name = name[:21] + "..."
                ax.annotate(
                    f"{n}: {name}",
                    (loc[0], loc[1]),
                    xytext=(4, 4),
                    textcoords="offset points",
                    fontsize=6.5,
                    color="0.15",
                )
            ax.legend(loc="best", fontsize=8, markerscale=2, frameon=True)
            ax.set_xticks([])
            ax.set_yticks([])
        return _png(fig)


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


def plot_filter_decision(
    pair: Mapping[str, Any], thumbnails: Mapping[str, bytes], number: int | None = None
) -> bytes:
    """A selected image and its nearest removed neighbour side by side, with the distance.

    An image missing from ``thumbnails`` (or unreadable) is drawn as a grey placeholder box
    saying "image not available".
    """
    selected = str(pair.get("selectedImage", ""))
    removed = str(pair.get("removedImage", ""))
    distance = pair.get("distance")
    images = [_thumbnail_array(thumbnails.get(selected)), _thumbnail_array(thumbnails.get(removed))]
    # a placeholder takes the other image's shape (4:3 when neither is there)
    shapes = [img.shape[:2] for img in images if img is not None]
    ph, pw = shapes[0] if shapes else (3, 4)
    with _LOCK:
        fig = Figure(figsize=_PAIR, dpi=_V2_DPI)  # fixed boxes: no layout engine surprises
        FigureCanvasAgg(fig)
        head = f"Example {number}: " if number is not None else ""
        dist = "n/a" if distance is None else f"{float(distance):.4f}"
        fig.text(
            0.5,
            0.97,
            f"{head}distance between the embeddings {dist}",
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
            if img is None:
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
        return _png(fig)


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------


def render_plots_v2(report: dict[str, Any], thumbnails: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every report_v2 plot as PNG bytes, keyed by file name (see :func:`plot_names_v2`).

    ``thumbnails`` maps the example pairs' file names to image bytes; missing ones are drawn
    as placeholders. Output is byte-identical for the same input.
    """
    names = plot_names_v2(report)
    general = report.get("generalInformation") or {}
    analysis = report.get("datasetAnalysis") or {}
    embedding = analysis.get("embeddingInformation") or {}
    nn = embedding.get("distanceToNearestNeighborInSet") or {}
    cover = embedding.get("distanceToCoverInput") or {}
    plots: dict[str, bytes] = {
        names.distance_before: _distance_plot(nn, "input", "Before selection: input samples"),
        names.distance_after: _distance_plot(
            nn,
            "selected",
            "After selection: selected samples",
            overlays=("random", "selectedWithDatapool"),
        ),
        names.distance_to_cover: _share_histogram(
            cover,
            ("selected", "random", "selectedWithDatapool"),
            "Distance from each input sample to the nearest member of the set",
            "distance to the nearest set member (smaller = better covered)",
        ),
    }
    for view in names.scatter:
        plots[view.overlay] = _scatter_plot(view, overlay=True)
        plots[view.no_overlay] = _scatter_plot(view, overlay=False)
    pairs = general.get("selectedAndRemovedImageExamples") or []
    for i, name in names.filter_decisions:
        plots[name] = plot_filter_decision(pairs[i], thumbnails, number=i + 1)
    metadata = analysis.get("metadataInformation") or {}
    for group, key, name in names.metadata:
        dist = metadata[group][key]
        if group == "customCategorical":
            plots[name] = _categorical_plot(dist, f"Metadata {key}")
        else:
            plots[name] = _share_histogram(
                dist, ("input", "selected", "random"), f"Metadata {key}", key
            )
    tasks = report.get("predictionTaskInformation") or {}
    for task, (categories, scores) in names.predictions.items():
        info = tasks[task]
        plots[categories] = _prediction_categories_plot(task, info)
        distributions = info.get("activeLearningScoreDistributions") or {}
        for score, name in scores.items():
            plots[name] = _share_histogram(
                distributions[score],
                ("input", "selected", "random"),
                f"{task}: {score}",
                f"{score} score",
            )
    return plots
