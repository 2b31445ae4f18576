"""Selection examples: selected images next to their nearest removed neighbours."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, Spacer

from winnow_reporter.pdf.format import esc, fmt_distance
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.styles import CONTENT_W
from winnow_reporter.pdf.tables import grid_table
from winnow_reporter.plots import PlotNames
from winnow_reporter.report.model import Report

__all__ = ["examples_section"]


def examples_section(s: Story, report: Report, names: PlotNames) -> None:
    """A table of the example pairs, then each pair's plot."""
    pairs = report.general_information.selected_and_removed_image_examples
    s.h2("Selection examples")
    if not pairs:
        s.note("No selected/removed example pairs in this report (see Notes).")
        return
    s.p(
        "Each example shows a selected image next to its nearest neighbour among the removed "
        "images, with the distance between their embeddings. Small distances mean the removed "
        "image was redundant given the selected one.",
    )
    rows: list[list[Flowable | str]] = [
        [
            str(i + 1),
            Paragraph(esc(p.selected_image), s.st["small"]),
            Paragraph(esc(p.removed_image), s.st["small"]),
            fmt_distance(p.distance),
        ]
        for i, p in enumerate(pairs)
    ]
    s.add(Spacer(1, 4))
    s.add(
        grid_table(
            ["#", "Selected (kept)", "Removed", "Distance"],
            rows,
            [1.0 * cm, (CONTENT_W - 3.6 * cm) / 2, (CONTENT_W - 3.6 * cm) / 2, 2.6 * cm],
            align_right_cols=(3,),
        )
    )
    s.add(Spacer(1, 8))
    for i, name in names.filter_decisions:
        p = pairs[i]
        s.figure(
            name,
            f"Example {i + 1}: {p.selected_image} (selected) and "
            f"{p.removed_image} (removed), distance {fmt_distance(p.distance)}.",
            width=CONTENT_W * 0.72,
        )
