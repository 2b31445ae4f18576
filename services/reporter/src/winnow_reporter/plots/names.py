"""The file names of a report's plots (as in Lightly's ``plots/`` folder), in report order.

The PDF and :func:`winnow_reporter.plots.render_plots` both use :func:`plot_names`, so a
sanitised name that collides with another one gets the same ``_2`` suffix in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from winnow_reporter.report.model import MetadataGroup, Report, ScatterData

__all__ = [
    "FILTER_DECISION_STEP",
    "PLOT_DISTANCE_AFTER",
    "PLOT_DISTANCE_BEFORE",
    "PLOT_DISTANCE_TO_COVER",
    "PLOT_SCATTER_PCA",
    "PLOT_SCATTER_PCA_NO_OVERLAY",
    "PLOT_VIDEO_TIMELINE",
    "PlotNames",
    "ScatterView",
    "plot_names",
    "safe_name",
]

PLOT_DISTANCE_BEFORE = "distance_distr_before.png"
PLOT_DISTANCE_AFTER = "distance_distr_after.png"
PLOT_DISTANCE_TO_COVER = "distance_to_cover.png"
PLOT_SCATTER_PCA = "scatter_pca.png"
PLOT_SCATTER_PCA_NO_OVERLAY = "scatter_pca_no_overlay.png"
#: runs with videos only
PLOT_VIDEO_TIMELINE = "video_sampling_timeline.png"
#: Lightly numbers the example pairs' plots 0, 11, 22, ...
FILTER_DECISION_STEP = 11

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(key: str, max_len: int = 80) -> str:
    """``key`` reduced to ``[A-Za-z0-9._-]`` for a file name (``_`` for anything else)."""
    cleaned = _SAFE_NAME.sub("_", str(key)).strip("._")[:max_len]
    return cleaned or "key"


@dataclass
class ScatterView:
    """One 2-D view: ``key`` is ``"pca"`` or the UMAP ``k`` (as in the report)."""

    key: str
    title: str
    data: ScatterData
    overlay: str
    no_overlay: str


@dataclass
class PlotNames:
    """The file names of every plot of one report, in report order."""

    distance_before: str = PLOT_DISTANCE_BEFORE
    distance_after: str = PLOT_DISTANCE_AFTER
    distance_to_cover: str = PLOT_DISTANCE_TO_COVER
    scatter: list[ScatterView] = field(default_factory=list)
    #: (index into the example pairs, file name)
    filter_decisions: list[tuple[int, str]] = field(default_factory=list)
    #: (group, metadata key, file name)
    metadata: list[tuple[MetadataGroup, str, str]] = field(default_factory=list)
    #: task -> ("categories" file name, {score: file name})
    predictions: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    #: the video sampling timeline (``None``: a run without videos)
    video_timeline: str | None = None


class _Unique:
    """Hands out file names, adding ``_2``, ``_3``, ... to a stem already taken."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken

    def __call__(self, stem: str) -> str:
        name, n = f"{stem}.png", 2
        while name in self.taken:
            name, n = f"{stem}_{n}.png", n + 1
        self.taken.add(name)
        return name


def _scatter_views(report: Report, names: PlotNames, unique: _Unique) -> None:
    scatter = report.dataset_analysis.embedding_information.scatter_plot_data
    if scatter.pca_embedding_data is not None:
        unique.taken |= {PLOT_SCATTER_PCA, PLOT_SCATTER_PCA_NO_OVERLAY}
        names.scatter.append(
            ScatterView(
                "pca",
                "PCA",
                scatter.pca_embedding_data,
                PLOT_SCATTER_PCA,
                PLOT_SCATTER_PCA_NO_OVERLAY,
            )
        )
    # the model only allows digit keys (UMAP's k)
    for k, data in sorted(scatter.umap_embedding_data.items(), key=lambda kv: (int(kv[0]), kv[0])):
        stem = f"scatter_umap_k_{safe_name(k)}"
        names.scatter.append(
            ScatterView(str(k), f"UMAP (k = {k})", data, unique(stem), unique(f"{stem}_no_overlay"))
        )


def plot_names(report: Report) -> PlotNames:
    """Every plot file name :func:`~winnow_reporter.plots.render_plots` writes for ``report``."""
    names = PlotNames()
    unique = _Unique({names.distance_before, names.distance_after, names.distance_to_cover})
    if report.general_information.dataset_information.video_information is not None:
        names.video_timeline = PLOT_VIDEO_TIMELINE
        unique.taken.add(PLOT_VIDEO_TIMELINE)
    _scatter_views(report, names, unique)
    pairs = report.general_information.selected_and_removed_image_examples
    for i, _ in enumerate(pairs):
        names.filter_decisions.append((i, unique(f"filter_decision_{FILTER_DECISION_STEP * i}")))
    for group, entries in report.dataset_analysis.metadata_information.groups():
        for key in entries:
            names.metadata.append((group, key, unique(f"metadata_{safe_name(key)}")))
    for task, info in report.prediction_task_information.items():
        stem = f"predictions_{safe_name(task)}"
        categories = unique(f"{stem}_categories")
        scores = {
            score: unique(f"{stem}_{safe_name(score)}")
            for score in info.active_learning_score_distributions
        }
        names.predictions[task] = (categories, scores)
    return names
