"""The two table shapes of the PDF: key/value facts and a header-and-rows grid."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from winnow_reporter.pdf.styles import ACCENT, CONTENT_W, GRID, HEADER_BG, ZEBRA

__all__ = ["grid_table", "kv_table"]


def kv_table(rows: list[tuple[str, str]], st: dict[str, ParagraphStyle], key_w: float) -> Table:
    """Two-column key/value table; values are already-escaped paragraph markup."""
    data = [[Paragraph(escape(k), st["cell_bold"]), Paragraph(v, st["cell"])] for k, v in rows]
    table = Table(data, colWidths=[key_w, CONTENT_W - key_w], hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(TableStyle(style))
    return table


def grid_table(
    header: list[str],
    rows: list[list[Flowable | str]],
    col_widths: list[float],
    *,
    align_right_cols: tuple[int, ...] = (),
) -> Table:
    """A table with a bold header row, zebra rows and right-aligned number columns."""
    table = Table([header, *rows], colWidths=col_widths, hAlign="LEFT", repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTNAME", (0, 1), (-1, -1), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for col in align_right_cols:
        style.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    for r in range(1, len(rows) + 1):
        if r % 2 == 0:
            style.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
    table.setStyle(TableStyle(style))
    return table
