"""Every plot of a report as PNG bytes, keyed by file name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from winnow_reporter import forking
from winnow_reporter.plots.categories import categorical_plot, prediction_categories_plot
from winnow_reporter.plots.examples import plot_filter_decision
from winnow_reporter.plots.histograms import distance_plot, share_histogram
from winnow_reporter.plots.names import PlotNames, plot_names
from winnow_reporter.plots.scatter import scatter_plot
from winnow_reporter.plots.videos import video_timeline_plot
from winnow_reporter.report.model import CategoricalDistributionPerSet, Report, SetName

__all__ = ["render_plots"]

_RUN_SETS: tuple[SetName, ...] = ("input", "selected", "random")


# A plot to draw: its file name and the call that returns its PNG bytes.
_Job = tuple[str, Callable[[], bytes]]


def _distance_plots(report: Report, names: PlotNames) -> list[_Job]:
    embedding = report.dataset_analysis.embedding_information
    nn = embedding.distance_to_nearest_neighbor_in_set
    return [
        (
            names.distance_before,
            partial(distance_plot, nn, "input", "Before selection: input samples"),
        ),
        (
            names.distance_after,
            partial(
                distance_plot,
                nn,
                "selected",
                "After selection: selected samples",
                overlays=("random", "selectedWithDatapool"),
            ),
        ),
        (
            names.distance_to_cover,
            partial(
                share_histogram,
                embedding.distance_to_cover_input,
                ("selected", "random", "selectedWithDatapool"),
                "Distance from each input sample to the nearest member of the set",
                "distance to the nearest set member (smaller = better covered)",
            ),
        ),
    ]


def _metadata_plots(report: Report, names: PlotNames) -> list[_Job]:
    metadata = report.dataset_analysis.metadata_information
    jobs: list[_Job] = []
    for group, key, name in names.metadata:
        dist = metadata.get(group, key)
        if isinstance(dist, CategoricalDistributionPerSet):
            jobs.append((name, partial(categorical_plot, dist, f"Metadata {key}")))
        else:
            jobs.append((name, partial(share_histogram, dist, _RUN_SETS, f"Metadata {key}", key)))
    return jobs


def _prediction_plots(report: Report, names: PlotNames) -> list[_Job]:
    jobs: list[_Job] = []
    for task, (categories, scores) in names.predictions.items():
        info = report.prediction_task_information[task]
        jobs.append((categories, partial(prediction_categories_plot, task, info)))
        for score, name in scores.items():
            distribution = info.active_learning_score_distributions[score]
            title, label = f"{task}: {score}", f"{score} score"
            jobs.append((name, partial(share_histogram, distribution, _RUN_SETS, title, label)))
    return jobs


def _timeline(report: Report) -> bytes:
    videos = report.general_information.dataset_information.video_information
    assert videos is not None
    return video_timeline_plot(videos)[0]


def _jobs(report: Report, thumbnails: Mapping[str, bytes]) -> list[_Job]:
    """Every plot of ``report``, in the order of the returned dict."""
    names = plot_names(report)
    jobs = _distance_plots(report, names)
    for view in names.scatter:
        jobs.append((view.overlay, partial(scatter_plot, view, overlay=True)))
        jobs.append((view.no_overlay, partial(scatter_plot, view, overlay=False)))
    pairs = report.general_information.selected_and_removed_image_examples
    for i, name in names.filter_decisions:
        jobs.append((name, partial(plot_filter_decision, pairs[i], thumbnails, number=i + 1)))
    jobs += _metadata_plots(report, names)
    jobs += _prediction_plots(report, names)
    videos = report.general_information.dataset_information.video_information
    if names.video_timeline is not None and videos is not None:
        jobs.append((names.video_timeline, partial(_timeline, report)))
    return jobs


def render_plots(
    report: Report, thumbnails: Mapping[str, bytes], *, processes: bool = True
) -> dict[str, bytes]:
    """Every plot of ``report`` as PNG bytes, keyed by file name (see :func:`plot_names`).

    ``thumbnails`` maps the example pairs' file names to image bytes; missing ones are drawn
    as placeholders. Output is byte-identical for the same input. With ``processes`` the
    plots are drawn in forked worker processes where that is useful and safe
    (:func:`winnow_reporter.forking.worker_count`), the same bytes as drawn here.
    """
    jobs = _jobs(report, thumbnails)
    draws = [draw for _, draw in jobs]
    workers = forking.worker_count(len(jobs), processes)
    pngs = forking.map_forked(draws, workers) if workers > 1 else [draw() for draw in draws]
    return {name: png for (name, _), png in zip(jobs, pngs, strict=True)}
