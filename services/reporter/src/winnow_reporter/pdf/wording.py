"""Fixed texts of the PDF that tests and readers look for."""

from __future__ import annotations

__all__ = ["REPORT_TITLE", "SECTIONS", "TOC_TITLE", "UNTRAINED_TEXT"]

REPORT_TITLE = "Winnow curation report"
TOC_TITLE = "Table of contents"
UNTRAINED_TEXT = "UNTRAINED (randomly initialised weights)"
#: Section headings of the report, in order (the TOC lists them).
SECTIONS = (
    "Job information",
    "Annotation savings",
    "Dataset statistics",
    "Embedding analysis",
    "Selection examples",
    "Metadata",
    "Predictions",
    "Notes",
)
