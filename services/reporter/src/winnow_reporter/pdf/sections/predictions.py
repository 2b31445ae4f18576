"""Predictions: per task, objects per category and the active-learning score distributions."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, Spacer

from winnow_reporter.pdf.format import esc, fmt_int, fmt_number
from winnow_reporter.pdf.sections.metadata import CATEGORICAL_METRICS, RUN_SETS
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.styles import CONTENT_W
from winnow_reporter.pdf.tables import grid_table
from winnow_reporter.plots import PlotNames
from winnow_reporter.report.model import PredictionTask, Report

__all__ = ["predictions_section"]


def _category_table(s: Story, info: PredictionTask) -> None:
    cdps = info.category_distribution
    ids = {str(v): str(k) for k, v in info.category_id_to_name.items()}
    by_set = cdps.by_set()
    rows: list[list[Flowable | str]] = [
        [
            Paragraph(esc(c), s.st["cell"]),
            ids.get(c, ""),
            *(fmt_int((d.counts.get(c) if (d := by_set.get(x)) else None) or 0) for x in RUN_SETS),
        ]
        for c in cdps.input.counts
    ]
    for metric, title in CATEGORICAL_METRICS:
        rows.append([title, "", *(fmt_number(cdps.metric(x, metric)) for x in RUN_SETS)])
    s.add(
        grid_table(
            ["Category", "ID", "Input", "Selected", "Random"],
            rows,
            [5.4 * cm, 1.6 * cm, *([(CONTENT_W - 7.0 * cm) / 3] * 3)],
            align_right_cols=(2, 3, 4),
        )
    )
    s.add(Spacer(1, 6))


def _task(s: Story, task: str, info: PredictionTask, plots: tuple[str, dict[str, str]]) -> None:
    categories_plot, score_plots = plots
    s.h3(f"Task {task} ({info.task_type or 'unknown task type'})")
    _category_table(s, info)
    s.figure(
        categories_plot,
        f"{task}: share of objects per category and mean objects per sample.",
        width=CONTENT_W * 0.8,
    )
    scores = info.active_learning_score_distributions
    for score, name in score_plots.items():
        s.figure(
            name,
            f"{task}: distribution of the {score} score (median input "
            f"{fmt_number(scores[score].metric('input', 'median'))}, selected "
            f"{fmt_number(scores[score].metric('selected', 'median'))}).",
            width=CONTENT_W * 0.8,
        )


def predictions_section(s: Story, report: Report, names: PlotNames) -> None:
    """One subsection per prediction task."""
    s.h2("Predictions")
    if not names.predictions:
        s.note("No predictions in this report (see Notes).")
        return
    for task, plots in names.predictions.items():
        _task(s, task, report.prediction_task_information[task], plots)
