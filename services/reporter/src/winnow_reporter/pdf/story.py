"""The story of the PDF: flowables in order, numbered figures, the plots by file name."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Table, TableStyle

from winnow_reporter.pdf.format import esc
from winnow_reporter.pdf.styles import CONTENT_W, styles

__all__ = ["Story"]


class Story:
    """Collects flowables; numbers figures; knows the plots."""

    def __init__(self, plots: Mapping[str, bytes]) -> None:
        self.st = styles()
        self.plots = plots
        self.items: list[Flowable] = []
        self.figure_no = 0

    def add(self, *flowables: Flowable) -> None:
        """Append flowables as they are."""
        self.items.extend(flowables)

    def p(self, markup: str, style: str = "body") -> None:
        """A paragraph of (already escaped) markup."""
        self.items.append(Paragraph(markup, self.st[style]))

    def h2(self, text: str) -> None:
        """A section heading (listed in the table of contents)."""
        self.items.append(Paragraph(escape(text), self.st["h2"]))

    def h3(self, text: str) -> None:
        """A subsection heading (listed in the table of contents)."""
        self.items.append(Paragraph(esc(text), self.st["h3"]))

    def note(self, text: str) -> None:
        """A muted, italic one-liner (what is not in the report, and why)."""
        self.items.append(Paragraph(f"<i>{escape(text)}</i>", self.st["note"]))

    def _image(self, name: str, width: float) -> Flowable | None:
        png = self.plots.get(name)
        if not png:
            return None
        try:
            w_px, h_px = ImageReader(io.BytesIO(png)).getSize()
        except Exception:  # a broken PNG must not fail the report
            return None
        return Image(io.BytesIO(png), width=width, height=width * h_px / w_px)

    def _caption(self, text: str) -> Paragraph:
        self.figure_no += 1
        return Paragraph(f"Figure {self.figure_no}: {escape(text)}", self.st["caption"])

    def figure(
        self,
        name: str,
        caption: str,
        width: float = CONTENT_W * 0.9,
        lead: Sequence[Flowable] = (),
    ) -> None:
        """A plot with its caption (kept together, with ``lead`` flowables before it)."""
        img = self._image(name, width)
        if img is None:
            self.add(*lead)
            self.note(f"Plot {name} not available.")
            return
        self.add(KeepTogether([*lead, img, self._caption(caption)]))

    def figure_pair(
        self, names: tuple[str, str], caption: str, lead: Sequence[Flowable] = ()
    ) -> None:
        """Two plots side by side with one caption."""
        cell_w = CONTENT_W / 2 - 4
        imgs = [self._image(n, cell_w - 4) for n in names]
        if all(i is None for i in imgs):
            self.add(*lead)
            self.note(f"Plots {names[0]} and {names[1]} not available.")
            return
        cells = [
            i if i is not None else Paragraph("<i>not available</i>", self.st["note"]) for i in imgs
        ]
        table = Table([cells], colWidths=[cell_w, cell_w], hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        self.add(KeepTogether([*lead, table, self._caption(caption)]))
