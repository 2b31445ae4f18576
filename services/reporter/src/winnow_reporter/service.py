"""Reporter glue: read a run's outputs, render, store, register artifacts, complete the run."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import reporter_settings
from winnow_common.db.session import session_factory
from winnow_common.enums import ArtifactType, RunState
from winnow_common.ids import now_ms
from winnow_common.runs import (
    end_run,
    fail_run,
    get_run,
    load_run_context,
    register_artifact,
    set_run_state,
)
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_reporter.data import ReportData, build_report_data, report_json
from winnow_reporter.pdf import render_report_pdf_v2
from winnow_reporter.plots import render_plots_v2
from winnow_reporter.report_v2 import (
    RunOutputs,
    build_report_v2,
    load_run_outputs,
    thumbnails_for,
)

log = logging.getLogger(__name__)


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory()


def config_summary(cfg: WorkerConfigV4) -> dict[str, Any]:
    """The settings a reader of the report needs, flat and human-readable."""
    docker = cfg.docker
    summary: dict[str, Any] = {
        "corruptness check": "on" if docker.enable_corruptness_check else "off",
        "remove exact duplicates": "on" if docker.remove_exact_duplicates else "off",
        "normalize embeddings": "on" if docker.normalize_embeddings else "off",
    }
    if cfg.selection is not None:
        summary["n_samples"] = cfg.selection.n_samples
        summary["proportion_samples"] = cfg.selection.proportion_samples
        summary["strategies"] = ", ".join(
            f"{e.strategy.type} on {e.input.type}" for e in cfg.selection.strategies
        )
    if docker.checkpoint:
        summary["checkpoint"] = docker.checkpoint
    if docker.checkpoint_run_id:
        summary["checkpoint of run"] = docker.checkpoint_run_id
    if docker.enable_training:
        epochs = cfg.lightly.trainer.max_epochs if cfg.lightly.trainer else None
        summary["training"] = f"SimCLR, {epochs if epochs is not None else 100} epochs"
    if docker.embeddings:
        summary["embeddings"] = docker.embeddings
    if docker.relevant_filenames_file:
        summary["relevant filenames"] = docker.relevant_filenames_file
    if docker.use_datapool:
        summary["datapool"] = "on"
    if docker.dump_dataset:
        summary["dump dataset"] = "on"
    return {k: v for k, v in summary.items() if v is not None}


def report_data_from(outputs: RunOutputs, run_info: dict[str, Any]) -> ReportData:
    """The simple report (``report.json``) from an already parsed run folder."""
    return build_report_data(
        embeddings=outputs.embeddings,
        filenames=outputs.filenames,
        selected=outputs.selected,
        corrupt=outputs.corrupt,
        duplicates=outputs.duplicates,
        n_input=len(outputs.filenames) + len(outputs.corrupt) + len(outputs.duplicates),
        run_info=run_info,
    )


def render_report(
    store: DatasourceStore,
    keys: RunKeys,
    run_info: dict[str, Any],
    read_input: Callable[[str], bytes] | None = None,
) -> ReportData:
    """Read a run's outputs; write plots/, report.pdf, report.json and report_v2.json.

    ``read_input`` reads the run's input images (for the example thumbnails); without it the
    report says the images were not reachable. The Celery task and the standalone worker CLI
    both call this. Every key is deterministic, so a re-run replaces the files.
    """
    # The run folder (a million-row embeddings CSV at scale) is parsed once for both reports.
    outputs = load_run_outputs(store, keys)
    data = report_data_from(outputs, run_info)
    report = build_report_v2(outputs, run_info, reporter_settings())
    thumbnails = thumbnails_for(report, read_input)
    plots = render_plots_v2(report, thumbnails)
    for name, png in plots.items():
        store.write(keys.plot(name), png, "image/png")
    store.write(keys.report_pdf, render_report_pdf_v2(report, plots), "application/pdf")
    store.write(
        keys.report_json,
        json.dumps(report_json(data), indent=2, sort_keys=True).encode(),
        "application/json",
    )
    store.write(
        keys.report_v2_json,
        json.dumps(report, indent=2, sort_keys=True).encode(),
        "application/json",
    )
    return data


def render_run_report(run_id: str) -> None:
    """Render and store the report of a run that finished its worker stage, then complete it."""
    with _sessions().begin() as session:
        run = get_run(session, run_id)
        if run.state != RunState.GENERATING_REPORT.value:
            log.warning("run %s is %s, not GENERATING_REPORT; skipping", run_id, run.state)
            return
        ctx = load_run_context(session, run_id)
        set_run_state(session, run_id, RunState.GENERATING_REPORT, "Rendering the report")
    run_info = {
        "run_id": ctx.run_id,
        "dataset_id": ctx.dataset_id,
        "dataset_name": ctx.dataset_name,
        "started_at_ms": run.processing_started_at,
        "ended_at_ms": now_ms(),
        "model_trained": bool(run.model_trained),
        "model_description": run.model_description or "",
        "config_summary": config_summary(ctx.config),
    }
    keys = RunKeys.for_run(run_id)
    try:
        data = render_report(ctx.lightly_store, keys, run_info, ctx.input_store.read)
        with _sessions().begin() as session:
            register_artifact(
                session, run_id, ArtifactType.REPORT_PDF, "report.pdf", keys.report_pdf
            )
            register_artifact(
                session, run_id, ArtifactType.REPORT_JSON, "report.json", keys.report_json
            )
            register_artifact(
                session,
                run_id,
                ArtifactType.REPORT_V2_JSON,
                "report_v2.json",
                keys.report_v2_json,
            )
            end_run(
                session,
                run_id,
                RunState.COMPLETED,
                f"Run completed: {data.n_selected} of {data.n_input} samples selected.",
            )
    except Exception as exc:
        log.exception("report of run %s failed", run_id)
        with _sessions().begin() as session:
            fail_run(session, run_id, exc)
