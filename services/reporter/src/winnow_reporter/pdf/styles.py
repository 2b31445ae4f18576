"""Page geometry, colours and paragraph styles of the report PDF."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm

__all__ = [
    "ACCENT",
    "CONTENT_W",
    "GRID",
    "HEADER_BG",
    "MARGIN_BOTTOM",
    "MARGIN_TOP",
    "MARGIN_X",
    "MUTED",
    "PAGE",
    "SECTION_STYLE",
    "SUBSECTION_STYLE",
    "ZEBRA",
    "styles",
]

PAGE = A4
MARGIN_X = 2.0 * cm
MARGIN_TOP = 1.8 * cm
MARGIN_BOTTOM = 2.0 * cm
CONTENT_W = PAGE[0] - 2 * MARGIN_X

ACCENT = colors.HexColor("#1f4e79")
GRID = colors.HexColor("#c8ccd2")
HEADER_BG = colors.HexColor("#e8edf3")
ZEBRA = colors.HexColor("#f6f8fa")
MUTED = colors.HexColor("#555b63")

#: Names of the heading styles the table of contents and the PDF outline list.
SECTION_STYLE = "WReportH2"
SUBSECTION_STYLE = "WReportH3"


def _base_styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "WBody", parent=base["BodyText"], fontName="Helvetica", fontSize=10.5, leading=14
    )
    return {
        "title": ParagraphStyle(
            "WTitle",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=20,
            leading=24,
            alignment=0,
            textColor=ACCENT,
            spaceAfter=4,
        ),
        "subtitle": ParagraphStyle(
            "WSubtitle", parent=body, fontSize=11, textColor=MUTED, spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "WH2",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=14,
            leading=18,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=6,
        ),
        "h3": ParagraphStyle(
            "WH3",
            parent=base["Heading3"],
            fontName="Helvetica-Bold",
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "body": body,
        "cell": ParagraphStyle("WCell", parent=body, fontSize=10, leading=12.5),
        "cell_bold": ParagraphStyle(
            "WCellBold", parent=body, fontName="Helvetica-Bold", fontSize=10, leading=12.5
        ),
        "small": ParagraphStyle("WSmall", parent=body, fontSize=9, leading=11.5),
        "caption": ParagraphStyle(
            "WCaption",
            parent=body,
            fontName="Helvetica-Oblique",
            fontSize=9,
            leading=11.5,
            textColor=MUTED,
            alignment=TA_CENTER,
            spaceAfter=8,
        ),
    }


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles by role (``title``, ``h2``, ``body``, ``cell``, ``note``, ...)."""
    st = _base_styles()
    # keepWithNext: a heading never ends a page alone
    st["h2"] = ParagraphStyle(
        SECTION_STYLE, parent=st["h2"], fontSize=15, leading=19, spaceBefore=16, keepWithNext=1
    )
    st["h3"] = ParagraphStyle(SUBSECTION_STYLE, parent=st["h3"], textColor=ACCENT, keepWithNext=1)
    st["title"] = ParagraphStyle(
        "WReportTitle", parent=st["title"], fontSize=26, leading=31, spaceBefore=40, spaceAfter=8
    )
    st["toc_title"] = ParagraphStyle(
        "WTocTitle", parent=st["h3"], fontSize=14, leading=18, spaceBefore=18, spaceAfter=8
    )
    st["note"] = ParagraphStyle("WNote", parent=st["body"], textColor=MUTED)
    st["warn"] = ParagraphStyle(
        "WWarn",
        parent=st["body"],
        textColor=colors.HexColor("#8a1c1c"),
        backColor=colors.HexColor("#fbeaea"),
        borderColor=colors.HexColor("#e3b4b4"),
        borderWidth=0.6,
        borderPadding=5,
        spaceBefore=12,
        spaceAfter=10,
    )
    st["bullet"] = ParagraphStyle("WBullet", parent=st["body"], leftIndent=12, bulletIndent=2)
    return st
