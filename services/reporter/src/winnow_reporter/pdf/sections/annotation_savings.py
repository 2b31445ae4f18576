"""Annotation savings: what labelling the images that were not selected would have cost."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Spacer

from winnow_reporter.pdf.format import fmt_int, fmt_number
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.tables import grid_table
from winnow_reporter.report.model import Report

__all__ = ["savings_section"]


def savings_section(s: Story, report: Report) -> None:
    """Cost and CO2 savings per task type, and how they are computed."""
    savings = report.general_information.annotation_savings
    s.h2("Annotation savings")
    if savings is None:
        s.note("No annotation savings in this report.")
        return
    tasks = (
        ("Image classification", savings.image_classification),
        ("Object detection", savings.object_detection),
        ("Semantic segmentation", savings.semantic_segmentation),
    )
    rows: list[list[Flowable | str]] = [
        [
            label,
            f"{float(task.cost_per_image):,.2f}",
            f"{float(task.seconds_per_image):,.0f}",
            f"{float(task.cost_savings):,.2f}",
            f"{float(task.co2_savings):,.3f}",
        ]
        for label, task in tasks
    ]
    s.add(
        grid_table(
            ["Task type", "USD / image", "s / image", "Cost savings (USD)", "CO2 savings (kg)"],
            rows,
            [4.4 * cm, 2.4 * cm, 2.0 * cm, 3.6 * cm, 3.4 * cm],
            align_right_cols=(1, 2, 3, 4),
        )
    )
    s.add(Spacer(1, 6))
    s.p(
        f"The savings are the cost of labelling the {fmt_int(savings.n_images_not_labelled)} "
        "images that were not selected: "
        "cost savings = images not labelled &times; price per image, and CO2 savings = images "
        "not labelled &times; annotator seconds per image / 3600 &times; "
        f"{escape(fmt_number(savings.co2_kg_per_hour))} kg CO2 per annotator hour.",
    )
