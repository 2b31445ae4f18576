"""PDF rendering of a curation report with reportlab platypus.

``render_report_pdf_v2`` renders the complete report from a report_v2 document (see
``REPORT_V2.md``) and the PNGs of ``render_plots_v2``: cover page with a table of contents,
then the sections of ``SECTIONS_V2``, "Page X of Y" in the footer. It is pure (dict + PNG
plots in, PDF bytes out) and deterministic for the same input (reportlab ``invariant`` mode, no
"generated at" stamp).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
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
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from winnow_reporter.plots import (
    PlotNames,
    plot_names_v2,
)

__all__ = [
    "REPORT_TITLE",
    "SECTIONS_V2",
    "TOC_TITLE",
    "UNTRAINED_TEXT_V2",
    "fmt_distance",
    "fmt_int",
    "fmt_number",
    "render_report_pdf_v2",
]

REPORT_TITLE = "Winnow curation report"
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


# --------------------------------------------------------------------------------------
# document
# --------------------------------------------------------------------------------------


# ==========================================================================================
# report_v2: the complete report
# ==========================================================================================

#: Section headings of the v2 report, in order (the TOC lists them).
SECTIONS_V2 = (
    "Job information",
    "Annotation savings",
    "Dataset statistics",
    "Embedding analysis",
    "Selection examples",
    "Metadata",
    "Predictions",
    "Notes",
)
TOC_TITLE = "Table of contents"
UNTRAINED_TEXT_V2 = "UNTRAINED (randomly initialised weights)"

_TASK_TYPES = (
    ("imageClassification", "Image classification"),
    ("objectDetection", "Object detection"),
    ("semanticSegmentation", "Semantic segmentation"),
)
_SET_HEADERS = {
    "input": "Input",
    "selected": "Selected",
    "random": "Random",
    "selectedWithDatapool": "With datapool",
}

_READING_AID_V2 = (
    "How to read the distance histograms: for every sample of a set they count the Euclidean "
    "distance between its embedding and the embedding of its nearest neighbour in the same "
    "set (log-scaled y axis; all sets share the same bins). A symmetric, bell-shaped histogram "
    "of pairwise or nearest-neighbour distances means the samples are spread evenly over the "
    "embedding space. A heavy tail at small distances means dense regions of near-identical "
    "samples (redundant data); a heavy tail at large distances means outliers or a dense "
    "region outside the main cluster. A good diversity selection moves mass away from the "
    "small distances: the selected samples' histogram should sit further right than the "
    "input's, and further right than the random baseline of the same size (dashed grey)."
)


def fmt_int(value: Any) -> str:
    """An integer with thousands separators (``1,234``), ``n/a`` for ``None``."""
    if value is None:
        return "n/a"
    return f"{int(value):,}"


def fmt_number(value: Any) -> str:
    """A measured value: 3 decimals below 1,000, else 1 decimal with separators."""
    if value is None:
        return "n/a"
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    return f"{v:,.1f}" if abs(v) >= 1000 else f"{v:.3f}"


def _fmt_seconds(seconds: Any) -> str:
    if seconds is None:
        return "n/a"
    text = f"{float(seconds):,.1f} s"
    if float(seconds) >= 60:
        text += f" ({_fmt_duration(float(seconds))})"
    return text


def _styles_v2() -> dict[str, ParagraphStyle]:
    st = _styles()
    # keepWithNext: a heading never ends a page alone
    st["h2"] = ParagraphStyle(
        "WV2H2", parent=st["h2"], fontSize=15, leading=19, spaceBefore=16, keepWithNext=1
    )
    st["h3"] = ParagraphStyle("WV2H3", parent=st["h3"], textColor=_ACCENT, keepWithNext=1)
    st["title"] = ParagraphStyle(
        "WV2Title", parent=st["title"], fontSize=26, leading=31, spaceBefore=40, spaceAfter=8
    )
    st["toc_title"] = ParagraphStyle(
        "WV2TocTitle", parent=st["h3"], fontSize=14, leading=18, spaceBefore=18, spaceAfter=8
    )
    st["note"] = ParagraphStyle("WV2Note", parent=st["body"], textColor=_MUTED)
    st["warn"] = ParagraphStyle(
        "WV2Warn",
        parent=st["body"],
        textColor=colors.HexColor("#8a1c1c"),
        backColor=colors.HexColor("#fbeaea"),
        borderColor=colors.HexColor("#e3b4b4"),
        borderWidth=0.6,
        borderPadding=5,
        spaceBefore=12,
        spaceAfter=10,
    )
    st["bullet"] = ParagraphStyle("WV2Bullet", parent=st["body"], leftIndent=12, bulletIndent=2)
    return st


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
        level = {"WV2H2": 0, "WV2H3": 1}.get(flowable.style.name)
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


def _footer_v2(left: str) -> Callable[[Canvas, _TocDocTemplate], None]:
    def draw(canvas: Canvas, doc: _TocDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColor(_MUTED)
        y = _MARGIN_BOTTOM / 2
        canvas.setStrokeColor(_GRID)
        canvas.setLineWidth(0.4)
        canvas.line(_MARGIN_X, y + 11, _PAGE[0] - _MARGIN_X, y + 11)
        canvas.drawString(_MARGIN_X, y, left)
        page = f"Page {doc.page}"
        if doc.total_pages is not None:
            page += f" of {doc.total_pages}"
        canvas.drawRightString(_PAGE[0] - _MARGIN_X, y, page)
        canvas.restoreState()

    return draw


class _Story:
    """Collects flowables; numbers figures; knows the plots."""

    def __init__(self, plots: Mapping[str, bytes]) -> None:
        self.st = _styles_v2()
        self.plots = plots
        self.items: list[Flowable] = []
        self.figure_no = 0

    def add(self, *flowables: Flowable) -> None:
        self.items.extend(flowables)

    def p(self, markup: str, style: str = "body") -> None:
        self.items.append(Paragraph(markup, self.st[style]))

    def h2(self, text: str) -> None:
        self.items.append(Paragraph(escape(text), self.st["h2"]))

    def h3(self, text: str) -> None:
        self.items.append(Paragraph(_esc(text), self.st["h3"]))

    def note(self, text: str) -> None:
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
        width: float = _CONTENT_W * 0.9,
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
        cell_w = _CONTENT_W / 2 - 4
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


def _get(mapping: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(mapping, Mapping):
            return None
        mapping = mapping.get(key)
    return mapping


def _metric(dist: Any, set_name: str, metric: str) -> Any:
    return _get(dist, set_name, "metrics", metric)


def _cover_page(s: _Story, report: Mapping[str, Any]) -> None:
    general = report.get("generalInformation") or {}
    run = general.get("runInformation") or {}
    ds = general.get("datasetInformation") or {}
    sizes = ds.get("datasetSizes") or {}
    model = general.get("modelInformation") or {}
    s.p(escape(REPORT_TITLE), "title")
    name = ds.get("datasetName") or ds.get("datasetId") or ""
    s.p(f"Dataset {_esc(name)} - run {_esc(run.get('runId', ''))}", "subtitle")
    facts = [
        ("Run ID", _esc(run.get("runId", ""))),
        ("Dataset", _esc(name)),
        ("Started", _fmt_time(run.get("startTimestamp"))),
        ("Total processing time", escape(_fmt_seconds(run.get("totalProcessingTimeS")))),
        (
            "Selected",
            f"{fmt_int(sizes.get('nSelected'))} of {fmt_int(sizes.get('nInput'))} input files",
        ),
        (
            "Embedding model",
            "trained" if model.get("trained") else f"<b>{escape(UNTRAINED_TEXT_V2)}</b>",
        ),
        (
            "Worker version",
            _esc(_get(general, "workerInformation", "buildVersion") or "n/a"),
        ),
    ]
    s.add(_kv_table(facts, s.st, key_w=4.6 * cm))
    s.add(Paragraph(TOC_TITLE, s.st["toc_title"]))
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [
        ParagraphStyle(
            "WV2Toc0",
            fontName="Helvetica-Bold",
            fontSize=11,
            leading=15,
            leftIndent=0,
            firstLineIndent=0,
            spaceBefore=3,
        ),
        ParagraphStyle(
            "WV2Toc1",
            fontName="Helvetica",
            fontSize=9.5,
            leading=12,
            leftIndent=16,
            firstLineIndent=0,
        ),
    ]
    s.add(toc, PageBreak())


def _job_section(s: _Story, report: Mapping[str, Any]) -> None:
    general = report.get("generalInformation") or {}
    run = general.get("runInformation") or {}
    ds = general.get("datasetInformation") or {}
    sizes = ds.get("datasetSizes") or {}
    model = general.get("modelInformation") or {}
    s.h2("Job information")
    dataset = _esc(ds.get("datasetName") or "")
    dataset = (
        f"{dataset} ({_esc(ds.get('datasetId', ''))})" if dataset else _esc(ds.get("datasetId", ""))
    )
    trained = bool(model.get("trained"))
    rows = [
        ("Run ID", _esc(run.get("runId", ""))),
        ("Dataset", dataset),
        ("Started", _fmt_time(run.get("startTimestamp"))),
        ("Ended", _fmt_time(run.get("endTimestamp"))),
        ("Total processing time", escape(_fmt_seconds(run.get("totalProcessingTimeS")))),
        ("Processed files", fmt_int(sizes.get("nInput"))),
        ("Worker version", _esc(_get(general, "workerInformation", "buildVersion") or "n/a")),
        ("Embedding model", "<b>trained</b>" if trained else f"<b>{escape(UNTRAINED_TEXT_V2)}</b>"),
    ]
    if model.get("description"):
        rows.append(("Model description", _esc(model["description"])))
    s.add(_kv_table(rows, s.st, key_w=4.6 * cm))
    if not trained:
        s.p(
            "<b>The embedding model was not trained.</b> Its weights are random, so the "
            "embeddings (and every distance, scatter plot and diversity decision below) reflect "
            "low-level image statistics such as colour and brightness rather than semantic "
            "content. Treat the selection as a rough de-duplication, not a semantic one.",
            "warn",
        )

    selection = general.get("selectionInformation") or {}
    strategies = selection.get("strategies") or []
    s.h3("Selection")
    if selection.get("stopReason"):
        s.p(f"Stop reason: {_esc(selection['stopReason'])}.")
    if strategies:
        rows_t: list[list[Flowable | str]] = [
            [
                Paragraph(_esc(x.get("strategy", "")), s.st["cell"]),
                Paragraph(_esc(x.get("input", "")), s.st["cell"]),
                f"{float(x.get('strength', 1.0)):g}",
            ]
            for x in strategies
        ]
        s.add(
            _grid_table(
                ["Strategy", "Input", "Strength"],
                rows_t,
                [4.5 * cm, _CONTENT_W - 7.0 * cm, 2.5 * cm],
                align_right_cols=(2,),
            )
        )
    elif not selection.get("stopReason"):
        s.note("No selection details recorded.")

    s.h3("Configuration summary")
    config = general.get("configSummary") or {}
    if config:
        cfg = [(str(k), _esc(_fmt_config_value(v))) for k, v in config.items()]
        s.add(_kv_table(cfg, s.st, key_w=6.0 * cm))
    else:
        s.note("No configuration recorded.")


def _savings_section(s: _Story, report: Mapping[str, Any]) -> None:
    savings = _get(report, "generalInformation", "annotationSavings") or {}
    s.h2("Annotation savings")
    tasks = [(k, label) for k, label in _TASK_TYPES if isinstance(savings.get(k), Mapping)]
    if not tasks:
        s.note("No annotation savings in this report.")
        return
    n = savings.get("nImagesNotLabelled")
    rows: list[list[Flowable | str]] = [
        [
            label,
            f"{float(savings[k].get('costPerImage', 0.0)):,.2f}",
            f"{float(savings[k].get('secondsPerImage', 0.0)):,.0f}",
            f"{float(savings[k].get('costSavings', 0.0)):,.2f}",
            f"{float(savings[k].get('co2Savings', 0.0)):,.3f}",
        ]
        for k, label in tasks
    ]
    s.add(
        _grid_table(
            ["Task type", "USD / image", "s / image", "Cost savings (USD)", "CO2 savings (kg)"],
            rows,
            [4.4 * cm, 2.4 * cm, 2.0 * cm, 3.6 * cm, 3.4 * cm],
            align_right_cols=(1, 2, 3, 4),
        )
    )
    s.add(Spacer(1, 6))
    co2 = savings.get("co2KgPerHour")
    s.p(
        f"The savings are the cost of labelling the {fmt_int(n)} images that were not selected: "
        "cost savings = images not labelled &times; price per image, and CO2 savings = images "
        "not labelled &times; annotator seconds per image / 3600 &times; "
        f"{escape(fmt_number(co2))} kg CO2 per annotator hour.",
    )


def _stats_section(s: _Story, report: Mapping[str, Any]) -> None:
    sizes = _get(report, "generalInformation", "datasetInformation", "datasetSizes") or {}
    emb = _get(report, "datasetAnalysis", "embeddingInformation") or {}
    nn = emb.get("distanceToNearestNeighborInSet") or {}
    cover = emb.get("distanceToCoverInput") or {}
    s.h2("Dataset statistics")
    n_in = int(sizes.get("nInput") or 0)
    n_clean = int(sizes.get("nRemoved") or 0) + int(sizes.get("nSelected") or 0)
    labels = [
        ("Input files", "nInput"),
        ("Corrupt", "nCorrupt"),
        ("Exact duplicates", "nDuplicate"),
        ("Removed by selection", "nRemoved"),
        ("Selected", "nSelected"),
        ("Preselected datapool", "nPreselectedDatapool"),
        ("Selected incl. datapool", "nSelectedWithDatapool"),
    ]
    rows: list[list[Flowable | str]] = []
    for label, key in labels:
        value = sizes.get(key)
        share = (
            _pct(int(value), n_in) if value is not None and key != "nSelectedWithDatapool" else ""
        )
        if key in ("nPreselectedDatapool", "nSelectedWithDatapool"):
            share = ""
        rows.append([label, fmt_int(value), share])
    s.add(
        _grid_table(
            ["Samples", "Count", "Share of input"],
            rows,
            [6.5 * cm, 3.0 * cm, 3.5 * cm],
            align_right_cols=(1, 2),
        )
    )
    s.add(Spacer(1, 4))
    s.p(
        f"Corrupt files and exact duplicates are removed before embedding, which leaves "
        f"{fmt_int(n_clean)} clean samples; the selection keeps "
        f"{fmt_int(sizes.get('nSelected'))} of them. Preselected datapool samples come from "
        "earlier runs on the same dataset and count towards the diversity of the selection.",
        "small",
    )

    s.h3("Before and after selection")
    sets = ["input", "selected", "random"]
    if isinstance(nn.get("selectedWithDatapool"), Mapping):
        sets.append("selectedWithDatapool")
    counts = {
        "input": n_clean,
        "selected": sizes.get("nSelected"),
        "random": sizes.get("nSelected"),
        "selectedWithDatapool": sizes.get("nSelectedWithDatapool"),
    }
    table_rows: list[list[Flowable | str]] = [["Samples", *(fmt_int(counts[x]) for x in sets)]]
    for label, metric in (("mean", "mean"), ("median", "median"), ("min", "min")):
        table_rows.append(
            [f"NN distance, {label}", *(fmt_number(_metric(nn, x, metric)) for x in sets)]
        )
    for label, metric in (("mean", "mean"), ("max", "max")):
        table_rows.append(
            [
                f"Distance to cover input, {label}",
                *("0.000" if x == "input" else fmt_number(_metric(cover, x, metric)) for x in sets),
            ]
        )
    col = (_CONTENT_W - 6.2 * cm) / len(sets)
    s.add(
        _grid_table(
            ["", *(_SET_HEADERS[x] for x in sets)],
            table_rows,
            [6.2 * cm, *([col] * len(sets))],
            align_right_cols=tuple(range(1, len(sets) + 1)),
        )
    )
    s.add(Spacer(1, 4))
    s.p(
        "NN distance: each member's distance to its nearest other member of the same set "
        "(larger = more diverse). Distance to cover input: each input sample's distance to the "
        "nearest member of the set (smaller = the set represents the input better). Random is a "
        "seeded uniform sample of the input of the selection's size.",
        "small",
    )


def _embedding_section(s: _Story, report: Mapping[str, Any], names: PlotNames) -> None:
    emb = _get(report, "datasetAnalysis", "embeddingInformation") or {}
    nn = emb.get("distanceToNearestNeighborInSet") or {}
    scatter = emb.get("scatterPlotData") or {}
    s.h2("Embedding analysis")
    s.h3("Nearest-neighbour distances")
    s.p(escape(_READING_AID_V2))
    s.add(Spacer(1, 4))

    def caption(label: str, set_name: str) -> str:
        return (
            f"{label}: distance to the nearest neighbour, median "
            f"{fmt_number(_metric(nn, set_name, 'median'))}, mean "
            f"{fmt_number(_metric(nn, set_name, 'mean'))}."
        )

    s.figure(names.distance_before, caption("Before selection (input)", "input"))
    s.figure(
        names.distance_after,
        caption("After selection (selected)", "selected")
        + f" Random baseline median {fmt_number(_metric(nn, 'random', 'median'))}.",
    )
    cover = emb.get("distanceToCoverInput") or {}
    s.figure(
        names.distance_to_cover,
        "Distance from each input sample to the nearest selected sample, median "
        f"{fmt_number(_metric(cover, 'selected', 'median'))} (random baseline "
        f"{fmt_number(_metric(cover, 'random', 'median'))}).",
        lead=[
            Paragraph("Coverage of the input", s.st["h3"]),
            Paragraph(
                "How well does the selection represent the input? For every input sample the "
                "plot shows the distance to the closest selected sample. Mass at small "
                "distances means every region of the input has a selected sample nearby; "
                "compare with the random baseline, which over-samples dense regions and leaves "
                "sparse ones uncovered.",
                s.st["body"],
            ),
            Spacer(1, 4),
        ],
    )

    s.h3("2-D views of the embeddings")
    n_points, n_total = scatter.get("nPoints"), scatter.get("nTotal")
    sample = (
        f"{fmt_int(n_points)} of {fmt_int(n_total)} samples (a seeded random sample)"
        if n_points is not None and n_total is not None and n_points < n_total
        else f"all {fmt_int(n_points)} samples"
    )
    s.p(
        f"PCA and UMAP projections of the embeddings of {escape(sample)}: each dot is a "
        "sample; the left plot marks the selected samples in orange, the right one shows the "
        "input alone. Circled points are example images with their file names. A good "
        "selection spreads over every cluster instead of piling up in one.",
    )
    s.add(Spacer(1, 4))
    if not names.scatter:
        s.note("No 2-D views in this report (see Notes).")
    for view in names.scatter:
        s.figure_pair(
            (view.overlay, view.no_overlay),
            f"{view.title}: with (left) and without (right) the selected samples.",
            lead=[Paragraph(escape(view.title), s.st["h3"])],
        )
    if not any(view.key != "pca" for view in names.scatter):
        s.note("No UMAP views in this report: too few samples or UMAP failed (see Notes).")


def _examples_section(s: _Story, report: Mapping[str, Any], names: PlotNames) -> None:
    pairs = _get(report, "generalInformation", "selectedAndRemovedImageExamples") or []
    s.h2("Selection examples")
    if not pairs:
        s.note("No selected/removed example pairs in this report (see Notes).")
        return
    s.p(
        "Each example shows a selected image next to its nearest neighbour among the removed "
        "images, with the distance between their embeddings. Small distances mean the removed "
        "image was redundant given the selected one.",
    )
    rows: list[list[Flowable | str]] = [
        [
            str(i + 1),
            Paragraph(_esc(p.get("selectedImage", "")), s.st["small"]),
            Paragraph(_esc(p.get("removedImage", "")), s.st["small"]),
            fmt_distance(p.get("distance")),
        ]
        for i, p in enumerate(pairs)
    ]
    s.add(Spacer(1, 4))
    s.add(
        _grid_table(
            ["#", "Selected (kept)", "Removed", "Distance"],
            rows,
            [1.0 * cm, (_CONTENT_W - 3.6 * cm) / 2, (_CONTENT_W - 3.6 * cm) / 2, 2.6 * cm],
            align_right_cols=(3,),
        )
    )
    s.add(Spacer(1, 8))
    for i, name in names.filter_decisions:
        p = pairs[i]
        s.figure(
            name,
            f"Example {i + 1}: {p.get('selectedImage', '')} (selected) and "
            f"{p.get('removedImage', '')} (removed), distance {fmt_distance(p.get('distance'))}.",
            width=_CONTENT_W * 0.72,
        )


def fmt_distance(value: Any) -> str:
    """An example pair's distance (4 decimals)."""
    return "n/a" if value is None else f"{float(value):.4f}"


def _metadata_section(s: _Story, report: Mapping[str, Any], names: PlotNames) -> None:
    metadata = _get(report, "datasetAnalysis", "metadataInformation") or {}
    s.h2("Metadata")
    if not names.metadata:
        s.note("No metadata in this report (see Notes).")
        return
    s.p(
        "Distributions of the metadata over the input, the selected samples and the random "
        "baseline, each normalised to its set size: a selection that follows the input "
        "closely keeps the data's composition; deviations show what the selection favours."
    )
    rows: list[list[Flowable | str]] = []
    for group, key, _ in names.metadata:
        dist = metadata[group][key]
        label = Paragraph(_esc(key), s.st["small"])
        if group == "customCategorical":
            for metric, title in (
                ("normalizedEntropy", "normalised entropy"),
                ("giniImbalance", "Gini imbalance"),
            ):
                rows.append(
                    [label, title, *(fmt_number(_metric(dist, x, metric)) for x in _MD_SETS)]
                )
                label = ""
        else:
            for metric in ("mean", "median"):
                rows.append(
                    [label, metric, *(fmt_number(_metric(dist, x, metric)) for x in _MD_SETS)]
                )
                label = ""
    s.add(Spacer(1, 4))
    s.add(
        _grid_table(
            ["Metadata", "Metric", "Input", "Selected", "Random"],
            rows,
            [5.0 * cm, 3.4 * cm, *([(_CONTENT_W - 8.4 * cm) / 3] * 3)],
            align_right_cols=(2, 3, 4),
        )
    )
    s.add(Spacer(1, 6))
    for group, key, name in names.metadata:
        kind = {
            "lightlyNumeric": "computed by the worker",
            "customNumeric": "custom, numeric",
            "customCategorical": "custom, categorical",
        }[group]
        s.figure(name, f"Metadata {key} ({kind}).", width=_CONTENT_W * 0.8)


_MD_SETS = ("input", "selected", "random")


def _predictions_section(s: _Story, report: Mapping[str, Any], names: PlotNames) -> None:
    tasks = report.get("predictionTaskInformation") or {}
    s.h2("Predictions")
    if not names.predictions:
        s.note("No predictions in this report (see Notes).")
        return
    for task, (categories_plot, score_plots) in names.predictions.items():
        info = tasks[task]
        task_type = info.get("taskType") or "unknown task type"
        s.h3(f"Task {task} ({task_type})")
        cdps = info.get("categoryDistribution") or {}
        ids = {str(v): str(k) for k, v in (info.get("categoryIdToName") or {}).items()}
        cats = list(_get(cdps, "input", "counts") or {})
        rows: list[list[Flowable | str]] = [
            [
                Paragraph(_esc(c), s.st["cell"]),
                ids.get(c, ""),
                *(fmt_int(_get(cdps, x, "counts", c) or 0) for x in _MD_SETS),
            ]
            for c in cats
        ]
        for metric, title in (
            ("normalizedEntropy", "normalised entropy"),
            ("giniImbalance", "Gini imbalance"),
        ):
            rows.append([title, "", *(fmt_number(_metric(cdps, x, metric)) for x in _MD_SETS)])
        if rows:
            s.add(
                _grid_table(
                    ["Category", "ID", "Input", "Selected", "Random"],
                    rows,
                    [5.4 * cm, 1.6 * cm, *([(_CONTENT_W - 7.0 * cm) / 3] * 3)],
                    align_right_cols=(2, 3, 4),
                )
            )
            s.add(Spacer(1, 6))
        s.figure(
            categories_plot,
            f"{task}: share of objects per category and mean objects per sample.",
            width=_CONTENT_W * 0.8,
        )
        scores = info.get("activeLearningScoreDistributions") or {}
        for score, name in score_plots.items():
            s.figure(
                name,
                f"{task}: distribution of the {score} score (median input "
                f"{fmt_number(_metric(scores.get(score), 'input', 'median'))}, selected "
                f"{fmt_number(_metric(scores.get(score), 'selected', 'median'))}).",
                width=_CONTENT_W * 0.8,
            )


def _notes_section(s: _Story, report: Mapping[str, Any]) -> None:
    s.h2("Notes")
    notes = [str(n) for n in report.get("notes") or []]
    if not notes:
        s.p("No notes: every section of the report was computed.")
        return
    for note in notes:
        s.add(Paragraph(_esc(note), s.st["bullet"], bulletText="\u2022"))


def render_report_pdf_v2(report: dict[str, Any], plots: Mapping[str, bytes]) -> bytes:
    """The complete report as PDF bytes, from a report_v2 document and its plots.

    ``plots`` maps the file names of :func:`winnow_reporter.plots.plot_names_v2` to PNG
    bytes (a missing plot becomes a one-line note). Sections without data (no metadata, no
    predictions, no example pairs, no UMAP views) become a one-line note, never an error.
    Deterministic for the same input.
    """
    names = plot_names_v2(report)
    s = _Story(plots)
    _cover_page(s, report)
    _job_section(s, report)
    _savings_section(s, report)
    _stats_section(s, report)
    _embedding_section(s, report, names)
    _examples_section(s, report, names)
    _metadata_section(s, report, names)
    _predictions_section(s, report, names)
    _notes_section(s, report)

    general = report.get("generalInformation") or {}
    run_id = str(_get(general, "runInformation", "runId") or "")
    ds = general.get("datasetInformation") or {}
    left = f"{REPORT_TITLE} - run {run_id}"
    if len(left) > 90:
        left = left[:87] + "..."
    buf = io.BytesIO()
    doc = _TocDocTemplate(
        buf,
        pagesize=_PAGE,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=f"{REPORT_TITLE} - {ds.get('datasetName') or ds.get('datasetId') or ''}",
        author="Winnow",
        subject=f"Curation run {run_id}",
        invariant=True,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_footer_v2(left))])
    doc.multiBuild(s.items)
    return buf.getvalue()
