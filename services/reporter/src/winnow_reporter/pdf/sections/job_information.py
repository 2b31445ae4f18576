"""Job information: the run and its model, the selection's strategies, the configuration."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph

from winnow_reporter.pdf.format import esc, fmt_config_value, fmt_int, fmt_seconds, fmt_time
from winnow_reporter.pdf.story import Story
from winnow_reporter.pdf.styles import CONTENT_W
from winnow_reporter.pdf.tables import grid_table, kv_table
from winnow_reporter.pdf.wording import UNTRAINED_TEXT
from winnow_reporter.report.model import GeneralInformation, Report

__all__ = ["job_section"]

_UNTRAINED_WARNING = (
    "<b>The embedding model was not trained.</b> Its weights are random, so the "
    "embeddings (and every distance, scatter plot and diversity decision below) reflect "
    "low-level image statistics such as colour and brightness rather than semantic "
    "content. Treat the selection as a rough de-duplication, not a semantic one."
)


def _run_facts(s: Story, general: GeneralInformation) -> None:
    run = general.run_information
    ds = general.dataset_information
    model = general.model_information
    dataset = esc(ds.dataset_name)
    dataset = f"{dataset} ({esc(ds.dataset_id)})" if dataset else esc(ds.dataset_id)
    rows = [
        ("Run ID", esc(run.run_id)),
        ("Dataset", dataset),
        ("Started", fmt_time(run.start_timestamp)),
        ("Ended", fmt_time(run.end_timestamp)),
        ("Total processing time", escape(fmt_seconds(run.total_processing_time_s))),
        ("Processed files", fmt_int(ds.dataset_sizes.n_input)),
        ("Worker version", esc(general.worker_information.build_version or "n/a")),
        (
            "Embedding model",
            "<b>trained</b>" if model.trained else f"<b>{escape(UNTRAINED_TEXT)}</b>",
        ),
    ]
    if model.description:
        rows.append(("Model description", esc(model.description)))
    s.add(kv_table(rows, s.st, key_w=4.6 * cm))
    if not model.trained:
        s.p(_UNTRAINED_WARNING, "warn")


def _selection(s: Story, general: GeneralInformation) -> None:
    selection = general.selection_information
    s.h3("Selection")
    if selection.stop_reason:
        s.p(f"Stop reason: {esc(selection.stop_reason)}.")
    if selection.strategies:
        rows: list[list[Flowable | str]] = [
            [
                Paragraph(esc(x.strategy), s.st["cell"]),
                Paragraph(esc(x.input), s.st["cell"]),
                f"{float(x.strength):g}",
            ]
            for x in selection.strategies
        ]
        s.add(
            grid_table(
                ["Strategy", "Input", "Strength"],
                rows,
                [4.5 * cm, CONTENT_W - 7.0 * cm, 2.5 * cm],
                align_right_cols=(2,),
            )
        )
    elif not selection.stop_reason:
        s.note("No selection details recorded.")


def job_section(s: Story, report: Report) -> None:
    """Run facts (with a warning for an untrained model), selection, configuration."""
    general = report.general_information
    s.h2("Job information")
    _run_facts(s, general)
    _selection(s, general)
    s.h3("Configuration summary")
    if general.config_summary:
        cfg = [(str(k), esc(fmt_config_value(v))) for k, v in general.config_summary.items()]
        s.add(kv_table(cfg, s.st, key_w=6.0 * cm))
    else:
        s.note("No configuration recorded.")
