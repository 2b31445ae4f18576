"""The complete report PDF from a :class:`Report` and its plots."""

from __future__ import annotations

from collections.abc import Mapping

from winnow_reporter.pdf.document import build_pdf
from winnow_reporter.pdf.sections.annotation_savings import savings_section
from winnow_reporter.pdf.sections.cover import cover_page
from winnow_reporter.pdf.sections.dataset_statistics import statistics_section
from winnow_reporter.pdf.sections.embedding_analysis import embedding_section
from winnow_reporter.pdf.sections.job_information import job_section
from winnow_reporter.pdf.sections.metadata import metadata_section
from winnow_reporter.pdf.sections.notes import notes_section
from winnow_reporter.pdf.sections.predictions import predictions_section
from winnow_reporter.pdf.sections.selection_examples import examples_section
from winnow_reporter.pdf.sections.videos import videos_section
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.wording import REPORT_TITLE
from winnow_reporter.plots import plot_names
from winnow_reporter.report.model import Report

__all__ = ["render_pdf"]


def render_pdf(report: Report, plots: Mapping[str, bytes]) -> bytes:
    """The complete report as PDF bytes, from a report and its plots.

    ``plots`` maps the file names of :func:`winnow_reporter.plots.plot_names` to PNG bytes
    (a missing plot becomes a one-line note). Sections without data (no metadata, no
    predictions, no example pairs, no UMAP views) become a one-line note, never an error.
    Deterministic for the same input.
    """
    names = plot_names(report)
    s = Story(plots)
    cover_page(s, report)
    job_section(s, report)
    savings_section(s, report)
    statistics_section(s, report)
    videos_section(s, report, names)  # runs with videos only
    embedding_section(s, report, names)
    examples_section(s, report, names)
    metadata_section(s, report, names)
    predictions_section(s, report, names)
    notes_section(s, report)

    general = report.general_information
    run_id = general.run_information.run_id
    ds = general.dataset_information
    left = f"{REPORT_TITLE} - run {run_id}"
    if len(left) > 90:
        left = left[:87] + "..."
    return build_pdf(
        s.items,
        title=f"{REPORT_TITLE} - {ds.dataset_name or ds.dataset_id or ''}",
        subject=f"Curation run {run_id}",
        footer=left,
    )
