"""The report as a PDF (reportlab platypus), read from the typed :class:`Report`.

:func:`render_pdf` renders a cover page with a table of contents, then the sections of
:data:`SECTIONS` (one module each in ``sections/``; runs with videos add :data:`VIDEOS_SECTION`
after the dataset statistics), with "Page X of Y" in the footer. It is
pure (report + PNG plots in, PDF bytes out) and deterministic for the same input. Modules:
``styles`` (page and paragraph styles), ``format`` (numbers and text), ``tables``, ``story``
(flowables and figures), ``document`` (pages, footer, table of contents) and ``render``.
"""

from __future__ import annotations

from winnow_reporter.pdf.format import fmt_distance, fmt_int, fmt_number
from winnow_reporter.pdf.render import render_pdf
from winnow_reporter.pdf.wording import (
    REPORT_TITLE,
    SECTIONS,
    TOC_TITLE,
    UNTRAINED_TEXT,
    VIDEOS_SECTION,
)

__all__ = [
    "REPORT_TITLE",
    "SECTIONS",
    "TOC_TITLE",
    "UNTRAINED_TEXT",
    "VIDEOS_SECTION",
    "fmt_distance",
    "fmt_int",
    "fmt_number",
    "render_pdf",
]
