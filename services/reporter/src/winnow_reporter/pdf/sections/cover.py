"""The cover page: title, the run's key facts and the table of contents."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents

from winnow_reporter.pdf.format import esc, fmt_int, fmt_seconds, fmt_time
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.tables import kv_table
from winnow_reporter.pdf.wording import REPORT_TITLE, TOC_TITLE, UNTRAINED_TEXT
from winnow_reporter.report.model import ModelInformation, Report

__all__ = ["cover_page"]


def _table_of_contents() -> TableOfContents:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [
        ParagraphStyle(
            "WToc0",
            fontName="Helvetica-Bold",
            fontSize=11,
            leading=15,
            leftIndent=0,
            firstLineIndent=0,
            spaceBefore=3,
        ),
        ParagraphStyle(
            "WToc1",
            fontName="Helvetica",
            fontSize=9.5,
            leading=12,
            leftIndent=16,
            firstLineIndent=0,
        ),
    ]
    return toc


def _model_text(model: ModelInformation) -> str:
    """ "trained" plus which model (e.g. the pretrained default), or the untrained warning."""
    if not model.trained:
        return f"<b>{escape(UNTRAINED_TEXT)}</b>"
    return f"trained: {esc(model.description)}" if model.description else "trained"


def cover_page(s: Story, report: Report) -> None:
    """Title, run facts and the table of contents, then a page break."""
    general = report.general_information
    run = general.run_information
    ds = general.dataset_information
    sizes = ds.dataset_sizes
    s.p(escape(REPORT_TITLE), "title")
    name = ds.dataset_name or ds.dataset_id or ""
    s.p(f"Dataset {esc(name)} - run {esc(run.run_id)}", "subtitle")
    facts = [
        ("Run ID", esc(run.run_id)),
        ("Dataset", esc(name)),
        ("Started", fmt_time(run.start_timestamp)),
        ("Total processing time", escape(fmt_seconds(run.total_processing_time_s))),
        ("Selected", f"{fmt_int(sizes.n_selected)} of {fmt_int(sizes.n_input)} input files"),
        ("Embedding model", _model_text(general.model_information)),
        ("Worker version", esc(general.worker_information.build_version or "n/a")),
    ]
    s.add(kv_table(facts, s.st, key_w=4.6 * cm))
    s.add(Paragraph(TOC_TITLE, s.st["toc_title"]))
    s.add(_table_of_contents(), PageBreak())
