"""Fixed texts of the PDF that tests and readers look for."""

from __future__ import annotations

__all__ = ["REPORT_TITLE", "SECTIONS", "TOC_TITLE", "UNTRAINED_TEXT", "VIDEOS_SECTION"]

REPORT_TITLE = "Winnow curation report"
TOC_TITLE = "Table of contents"
UNTRAINED_TEXT = "UNTRAINED (randomly initialised weights)"
#: The heading of the section only runs with videos have (after "Dataset statistics").
VIDEOS_SECTION = "Videos"
#: Section headings of every report, in order (the TOC lists them).
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
