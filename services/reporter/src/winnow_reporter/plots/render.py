"""Every plot of a report as PNG bytes, keyed by file name."""

from __future__ import annotations

from collections.abc import Mapping

from winnow_reporter.plots.categories import categorical_plot, prediction_categories_plot
from winnow_reporter.plots.examples import plot_filter_decision
from winnow_reporter.plots.histograms import distance_plot, share_histogram
from winnow_reporter.plots.names import PlotNames, plot_names
from winnow_reporter.plots.scatter import scatter_plot
from winnow_reporter.plots.videos import video_timeline_plot
from winnow_reporter.report.model import CategoricalDistributionPerSet, Report, SetName

__all__ = ["render_plots"]

_RUN_SETS: tuple[SetName, ...] = ("input", "selected", "random")


def _distance_plots(report: Report, names: PlotNames) -> dict[str, bytes]:
    embedding = report.dataset_analysis.embedding_information
    nn = embedding.distance_to_nearest_neighbor_in_set
    return {
        names.distance_before: distance_plot(nn, "input", "Before selection: input samples"),
        names.distance_after: distance_plot(
            nn,
            "selected",
            "After selection: selected samples",
            overlays=("random", "selectedWithDatapool"),
        ),
        names.distance_to_cover: share_histogram(
            embedding.distance_to_cover_input,
            ("selected", "random", "selectedWithDatapool"),
            "Distance from each input sample to the nearest member of the set",
            "distance to the nearest set member (smaller = better covered)",
        ),
    }


def _metadata_plots(report: Report, names: PlotNames) -> dict[str, bytes]:
    metadata = report.dataset_analysis.metadata_information
    plots: dict[str, bytes] = {}
    for group, key, name in names.metadata:
        dist = metadata.get(group, key)
        if isinstance(dist, CategoricalDistributionPerSet):
            plots[name] = categorical_plot(dist, f"Metadata {key}")
        else:
            plots[name] = share_histogram(dist, _RUN_SETS, f"Metadata {key}", key)
    return plots


def _prediction_plots(report: Report, names: PlotNames) -> dict[str, bytes]:
    plots: dict[str, bytes] = {}
    for task, (categories, scores) in names.predictions.items():
        info = report.prediction_task_information[task]
        plots[categories] = prediction_categories_plot(task, info)
        for score, name in scores.items():
            plots[name] = share_histogram(
                info.active_learning_score_distributions[score],
                _RUN_SETS,
                f"{task}: {score}",
                f"{score} score",
            )
    return plots


def render_plots(report: Report, thumbnails: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every plot of ``report`` as PNG bytes, keyed by file name (see :func:`plot_names`).

    ``thumbnails`` maps the example pairs' file names to image bytes; missing ones are drawn
    as placeholders. Output is byte-identical for the same input.
    """
    names = plot_names(report)
    plots = _distance_plots(report, names)
    for view in names.scatter:
        plots[view.overlay] = scatter_plot(view, overlay=True)
        plots[view.no_overlay] = scatter_plot(view, overlay=False)
    pairs = report.general_information.selected_and_removed_image_examples
    for i, name in names.filter_decisions:
        plots[name] = plot_filter_decision(pairs[i], thumbnails, number=i + 1)
    plots |= _metadata_plots(report, names)
    plots |= _prediction_plots(report, names)
    videos = report.general_information.dataset_information.video_information
    if names.video_timeline is not None and videos is not None:
        plots[names.video_timeline], _ = video_timeline_plot(videos)
    return plots
