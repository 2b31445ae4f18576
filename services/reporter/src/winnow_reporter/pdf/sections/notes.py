"""Notes: the parts of the report that were left out, and why."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from winnow_reporter.pdf.format import esc
from winnow_reporter.pdf.story import Story
from winnow_reporter.report.model import Report

__all__ = ["notes_section"]


def notes_section(s: Story, report: Report) -> None:
    """One bullet per note (or a line saying every section was computed)."""
    s.h2("Notes")
    if not report.notes:
        s.p("No notes: every section of the report was computed.")
        return
    for note in report.notes:
        s.add(Paragraph(esc(note), s.st["bullet"], bulletText="\u2022"))
