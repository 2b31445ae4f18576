"""The PDF document: A4 pages with a "Page X of Y" footer, a table of contents and an outline.

Deterministic for the same story (reportlab ``invariant`` mode, no "generated at" stamp).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from winnow_reporter.pdf.styles import (
    GRID,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE,
    SECTION_STYLE,
    SUBSECTION_STYLE,
)

__all__ = ["build_pdf"]

_TOC_LEVELS = {SECTION_STYLE: 0, SUBSECTION_STYLE: 1}


class _TocDocTemplate(BaseDocTemplate):
    """Registers h2/h3 headings with the table of contents and the PDF outline, and knows
    the page count for the "Page X of Y" footer.

    ``multiBuild`` lays the story out until the TOC is stable; a pass is only accepted once
    its footers used the page count of that same layout (so the count is never stale).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heading_no = 0
        self.total_pages: int | None = None  # of the previous pass; None in the first

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, Paragraph):
            return
        level = _TOC_LEVELS.get(flowable.style.name)
        if level is None:
            return
        text = flowable.getPlainText()
        self._heading_no += 1
        key = f"h{self._heading_no}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, text, self.page, key))

    def handle_documentBegin(self) -> None:
        self._heading_no = 0  # the same keys in every multiBuild pass
        super().handle_documentBegin()

    def _allSatisfied(self) -> bool:
        toc_ok = bool(super()._allSatisfied())
        pages_ok = self.total_pages == self.page
        self.total_pages = self.page
        return toc_ok and pages_ok


def _footer(left: str) -> Callable[[Canvas, _TocDocTemplate], None]:
    def draw(canvas: Canvas, doc: _TocDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColor(MUTED)
        y = MARGIN_BOTTOM / 2
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, y + 11, PAGE[0] - MARGIN_X, y + 11)
        canvas.drawString(MARGIN_X, y, left)
        page = f"Page {doc.page}"
        if doc.total_pages is not None:
            page += f" of {doc.total_pages}"
        canvas.drawRightString(PAGE[0] - MARGIN_X, y, page)
        canvas.restoreState()

    return draw


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write the PDF's streams Flate-compressed only, without ASCII85 on top.

    reportlab ASCII85-encodes every stream by default, and without its optional C accelerator
    (``rl_accel``, not installed) that encoder is pure Python: about a third of the time a
    report's PDF took, nearly all of it on the plot images. Binary streams are what other PDF
    writers produce; the pages are the same and the file is about a fifth smaller.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def build_pdf(story: list[Flowable], *, title: str, subject: str, footer: str) -> bytes:
    """Lay ``story`` out on A4 pages (``footer`` left in every footer) and return the PDF."""
    buf = io.BytesIO()
    doc = _TocDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author="Winnow",
        subject=subject,
        invariant=True,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_footer(footer))])
    with _binary_streams():
        doc.multiBuild(story)
    return buf.getvalue()
