"""Metadata: how the selection's metadata compares with the input's and the random baseline's."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, Spacer

from winnow_reporter.pdf.format import esc, fmt_number
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.styles import CONTENT_W
from winnow_reporter.pdf.tables import grid_table
from winnow_reporter.plots import PlotNames
from winnow_reporter.report.model import (
    CategoricalDistributionPerSet,
    MetadataGroup,
    MetadataInformation,
    Report,
    SetName,
)

__all__ = ["CATEGORICAL_METRICS", "RUN_SETS", "metadata_section"]

#: The sets of this run, as table columns.
RUN_SETS: tuple[SetName, ...] = ("input", "selected", "random")
#: (metric attribute, row title) of a categorical distribution.
CATEGORICAL_METRICS = (
    ("normalized_entropy", "normalised entropy"),
    ("gini_imbalance", "Gini imbalance"),
)
_KINDS: dict[MetadataGroup, str] = {
    "lightlyNumeric": "computed by the worker",
    "customNumeric": "custom, numeric",
    "customCategorical": "custom, categorical",
}


def _metric_rows(
    s: Story, metadata: MetadataInformation, names: PlotNames
) -> list[list[Flowable | str]]:
    rows: list[list[Flowable | str]] = []
    for group, key, _ in names.metadata:
        dist = metadata.get(group, key)
        label: Flowable | str = Paragraph(esc(key), s.st["small"])
        metrics = (
            CATEGORICAL_METRICS
            if isinstance(dist, CategoricalDistributionPerSet)
            else (("mean", "mean"), ("median", "median"))
        )
        for metric, title in metrics:
            rows.append([label, title, *(fmt_number(dist.metric(x, metric)) for x in RUN_SETS)])
            label = ""
    return rows


def metadata_section(s: Story, report: Report, names: PlotNames) -> None:
    """A table of each metadata key's metrics per set, then its plot."""
    metadata = report.dataset_analysis.metadata_information
    s.h2("Metadata")
    if not names.metadata:
        s.note("No metadata in this report (see Notes).")
        return
    s.p(
        "Distributions of the metadata over the input, the selected samples and the random "
        "baseline, each normalised to its set size: a selection that follows the input "
        "closely keeps the data's composition; deviations show what the selection favours."
    )
    s.add(Spacer(1, 4))
    s.add(
        grid_table(
            ["Metadata", "Metric", "Input", "Selected", "Random"],
            _metric_rows(s, metadata, names),
            [5.0 * cm, 3.4 * cm, *([(CONTENT_W - 8.4 * cm) / 3] * 3)],
            align_right_cols=(2, 3, 4),
        )
    )
    s.add(Spacer(1, 6))
    for group, key, name in names.metadata:
        s.figure(name, f"Metadata {key} ({_KINDS[group]}).", width=CONTENT_W * 0.8)
