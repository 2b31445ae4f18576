"""PDF rendering of a curation report with reportlab platypus.

``render_report_pdf`` is pure: ReportData + PNG plots in, PDF bytes out. The output is
deterministic for the same input (reportlab ``invariant`` mode, no "generated at" stamp).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from winnow_reporter.data import Histogram, ReportData
from winnow_reporter.plots import PLOT_DISTANCE_AFTER, PLOT_DISTANCE_BEFORE

__all__ = [
    "MAX_LISTED_FILES",
    "REPORT_TITLE",
    "UNTRAINED_TEXT",
    "render_report_pdf",
]

REPORT_TITLE = "Winnow curation report"
UNTRAINED_TEXT = "untrained (randomly initialised)"
MAX_LISTED_FILES = 50
_MAX_VALUE_CHARS = 300

_PAGE = A4
_MARGIN_X = 2.0 * cm
_MARGIN_TOP = 1.8 * cm
_MARGIN_BOTTOM = 2.0 * cm
_CONTENT_W = _PAGE[0] - 2 * _MARGIN_X

_ACCENT = colors.HexColor("#1f4e79")
_GRID = colors.HexColor("#c8ccd2")
_HEADER_BG = colors.HexColor("#e8edf3")
_ZEBRA = colors.HexColor("#f6f8fa")
_MUTED = colors.HexColor("#555b63")


def _styles() -> dict[str, ParagraphStyle]:
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
            textColor=_ACCENT,
            spaceAfter=4,
        ),
        "subtitle": ParagraphStyle(
            "WSubtitle", parent=body, fontSize=11, textColor=_MUTED, spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "WH2",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=14,
            leading=18,
            textColor=_ACCENT,
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
            textColor=_MUTED,
            alignment=TA_CENTER,
            spaceAfter=8,
        ),
    }


# --------------------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------------------


def _esc(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return escape(text)


def _fmt_time(ms: int | None) -> str:
    if ms is None:
        return "n/a"
    return datetime.fromtimestamp(ms / 1000.0, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 60:
        return f"{seconds:.1f} s"
    total = round(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    if h:
        return f"{h} h {m:02d} min {s:02d} s"
    return f"{m} min {s:02d} s"


def _fmt_config_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list, tuple)):
        try:
            return json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _pct(part: int, whole: int) -> str:
    if whole <= 0:
        return "n/a"
    share = 100.0 * part / whole
    if 0 < share < 0.1:
        return "<0.1%"
    return f"{share:.1f}%"


def _kv_table(rows: list[tuple[str, str]], st: dict[str, ParagraphStyle], key_w: float) -> Table:
    """Two-column key/value table; values are already-escaped paragraph markup."""
    data = [[Paragraph(escape(k), st["cell_bold"]), Paragraph(v, st["cell"])] for k, v in rows]
    table = Table(data, colWidths=[key_w, _CONTENT_W - key_w], hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(TableStyle(style))
    return table


def _grid_table(
    header: list[str],
    rows: list[list[Flowable | str]],
    col_widths: list[float],
    *,
    align_right_cols: tuple[int, ...] = (),
) -> Table:
    table = Table([header, *rows], colWidths=col_widths, hAlign="LEFT", repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTNAME", (0, 1), (-1, -1), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, _GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for col in align_right_cols:
        style.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    for r in range(1, len(rows) + 1):
        if r % 2 == 0:
            style.append(("BACKGROUND", (0, r), (-1, r), _ZEBRA))
    table.setStyle(TableStyle(style))
    return table


def _file_list(
    items: dict[str, str],
    header: tuple[str, str],
    st: dict[str, ParagraphStyle],
    max_listed: int,
) -> list[Flowable]:
    shown = list(items.items())[:max_listed]
    rows: list[list[Flowable | str]] = [
        [Paragraph(_esc(a), st["small"]), Paragraph(_esc(b), st["small"])] for a, b in shown
    ]
    out: list[Flowable] = [_grid_table(list(header), rows, [_CONTENT_W * 0.55, _CONTENT_W * 0.45])]
    rest = len(items) - len(shown)
    if rest > 0:
        out.append(Spacer(1, 3))
        out.append(Paragraph(f"... and {rest:,} more", st["body"]))
    return out


def _plot_block(png: bytes | None, caption: str, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not png:
        return [Paragraph("<i>Plot not available.</i>", st["body"]), Spacer(1, 6)]
    w_px, h_px = ImageReader(io.BytesIO(png)).getSize()
    width = _CONTENT_W * 0.92
    height = width * h_px / w_px
    img = Image(io.BytesIO(png), width=width, height=height)
    return [KeepTogether([img, Paragraph(caption, st["caption"])])]


def _hist_caption(label: str, h: Histogram) -> str:
    if h.is_empty:
        return f"{label}: fewer than two samples, no pairwise distances."
    text = f"{label}: {h.n_pairs:,} pairs"
    if h.sampled:
        text += f" from a random sample of {h.n_points:,} of {h.n_points_total:,} samples"
    else:
        text += f" between {h.n_points:,} samples"
    if h.median is not None:
        text += f"; median distance {h.median:.3f}"
    return escape(text) + "."


# --------------------------------------------------------------------------------------
# document
# --------------------------------------------------------------------------------------


def _footer(run_id: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Page callback drawing the footer: report/run on the left, "Page N" on the right."""
    left = f"{REPORT_TITLE} - run {run_id}"
    if len(left) > 90:
        left = left[:87] + "..."

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColor(_MUTED)
        y = _MARGIN_BOTTOM / 2
        canvas.setStrokeColor(_GRID)
        canvas.setLineWidth(0.4)
        canvas.line(_MARGIN_X, y + 11, _PAGE[0] - _MARGIN_X, y + 11)
        canvas.drawString(_MARGIN_X, y, left)
        canvas.drawRightString(_PAGE[0] - _MARGIN_X, y, f"Page {doc.page}")
        canvas.restoreState()

    return draw


_READING_AID = (
    "How to read these plots: each histogram counts pairs of samples by the Euclidean "
    "distance between their embeddings (log-scaled y axis), before selection over all "
    "clean input samples and after selection over the selected samples, on the same bins. "
    "A roughly symmetric histogram is preferred. A heavy tail at low distances means the "
    "data contains dense regions of near-identical samples; a heavy tail at high distances "
    "means there is a dense region of samples outside the main cluster. A good selection "
    "typically shifts mass away from the smallest distances."
)


def render_report_pdf(
    data: ReportData, plots: dict[str, bytes], *, max_listed: int = MAX_LISTED_FILES
) -> bytes:
    """Render the curation report as PDF bytes.

    ``plots`` maps file names to PNG bytes; ``distance_distr_before.png`` and
    ``distance_distr_after.png`` are used (a missing one is replaced by a note).
    Corrupt and duplicate file lists are truncated to ``max_listed`` rows.
    """
    st = _styles()
    story: list[Flowable] = []

    # title -----------------------------------------------------------------------------
    story.append(Paragraph(REPORT_TITLE, st["title"]))
    subtitle = data.dataset_name or data.dataset_id
    story.append(Paragraph(f"Dataset {_esc(subtitle)} - run {_esc(data.run_id)}", st["subtitle"]))

    # job information -------------------------------------------------------------------
    story.append(Paragraph("Job information", st["h2"]))
    dataset = _esc(data.dataset_name) if data.dataset_name else ""
    dataset = f"{dataset} ({_esc(data.dataset_id)})" if dataset else _esc(data.dataset_id)
    model = "<b>trained</b>" if data.model_trained else f"<b>{UNTRAINED_TEXT}</b>"
    job_rows = [
        ("Run ID", _esc(data.run_id)),
        ("Dataset", dataset),
        ("Started", _fmt_time(data.started_at_ms)),
        ("Processing ended", _fmt_time(data.ended_at_ms)),
        ("Total processing time", _fmt_duration(data.total_processing_time_s)),
        ("Embedding model", model),
    ]
    if data.model_description:
        job_rows.append(("Model description", _esc(data.model_description)))
    story.append(_kv_table(job_rows, st, key_w=4.6 * cm))

    story.append(Paragraph("Configuration summary", st["h3"]))
    if data.config_summary:
        cfg_rows = [(str(k), _esc(_fmt_config_value(v))) for k, v in data.config_summary.items()]
        story.append(_kv_table(cfg_rows, st, key_w=6.0 * cm))
    else:
        story.append(Paragraph("No configuration recorded.", st["body"]))

    # dataset statistics -----------------------------------------------------------------
    story.append(Paragraph("Dataset statistics", st["h2"]))
    n_in = data.n_input
    count_rows: list[list[Flowable | str]] = [
        ["Input samples", f"{data.n_input}", _pct(data.n_input, n_in)],
        ["Corrupt", f"{data.n_corrupt}", _pct(data.n_corrupt, n_in)],
        ["Exact duplicates", f"{data.n_duplicate}", _pct(data.n_duplicate, n_in)],
        ["Removed by selection", f"{data.n_removed}", _pct(data.n_removed, n_in)],
        ["Selected", f"{data.n_selected}", _pct(data.n_selected, n_in)],
    ]
    story.append(
        _grid_table(
            ["Samples", "Count", "Share of input"],
            count_rows,
            [6.5 * cm, 3.0 * cm, 3.5 * cm],
            align_right_cols=(1, 2),
        )
    )
    story.append(Spacer(1, 4))
    story.append(
        Paragraph(
            "Corrupt files and exact duplicates are removed before embedding; "
            "&quot;Removed by selection&quot; counts the remaining clean samples that the "
            "diversity selection did not keep.",
            st["small"],
        )
    )

    # distances --------------------------------------------------------------------------
    # heading, reading aid and the first plot stay together so the heading never ends
    # up alone at the bottom of a page
    story.append(
        KeepTogether(
            [
                Paragraph("Pairwise distance before and after selection", st["h2"]),
                Paragraph(escape(_READING_AID), st["body"]),
                Spacer(1, 6),
                *_plot_block(
                    plots.get(PLOT_DISTANCE_BEFORE),
                    _hist_caption("Before selection", data.distance_before),
                    st,
                ),
            ]
        )
    )
    story.extend(
        _plot_block(
            plots.get(PLOT_DISTANCE_AFTER),
            _hist_caption("After selection", data.distance_after),
            st,
        )
    )

    # file lists -------------------------------------------------------------------------
    story.append(Paragraph("Corrupt files", st["h2"]))
    if data.corrupt_files:
        story.extend(_file_list(data.corrupt_files, ("File", "Reason"), st, max_listed))
    else:
        story.append(Paragraph("No corrupt files were found.", st["body"]))

    story.append(Paragraph("Exact duplicates", st["h2"]))
    if data.duplicate_files:
        story.extend(
            _file_list(data.duplicate_files, ("Duplicate (removed)", "Kept copy"), st, max_listed)
        )
    else:
        story.append(Paragraph("No exact duplicates were found.", st["body"]))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=_PAGE,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=f"{REPORT_TITLE} - {data.dataset_name or data.dataset_id}",
        author="Winnow",
        subject=f"Curation run {data.run_id}",
        invariant=True,
    )
    footer = _footer(data.run_id)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
