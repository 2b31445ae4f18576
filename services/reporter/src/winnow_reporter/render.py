"""Rendering a report from a run folder: the part of the reporter the standalone CLI needs.

No database, Celery or lease code is imported here (:mod:`winnow_reporter.service` adds those
for server runs), so ``winnow-worker`` starts without loading them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from winnow_common.config import reporter_settings
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_common.storage.keys import crop_image_key, frame_image_key
from winnow_reporter.pdf import render_pdf
from winnow_reporter.plots import render_plots
from winnow_reporter.report import (
    RunSummary,
    build_report,
    load_run_outputs,
    report_json,
    summary_of,
    thumbnails_for,
)
from winnow_reporter.report.analysis_sections import prefetch_scatter

__all__ = ["config_summary", "prefetch_projections", "render_report"]


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


def prefetch_projections(embeddings: np.ndarray) -> bool:
    """Start the report's 2-D projections of a run's embeddings before the report is built.

    Where a standalone run has its projection process (:mod:`.analysis.projection_process`),
    they are computed there while the run selects and saves; ``render_report`` takes the
    result when its embeddings are these. False (nothing started) anywhere else.
    """
    return prefetch_scatter(embeddings, reporter_settings())


def render_report(
    store: DatasourceStore,
    keys: RunKeys,
    run_info: dict[str, Any],
    read_input: Callable[[str], bytes] | None = None,
) -> RunSummary:
    """Read a run's outputs; write plots/, report.pdf, report.json and report_v2.json.

    ``read_input`` reads the run's input images (for the example thumbnails); without it the
    report says the images were not reachable. The Celery task and the standalone worker CLI
    both call this. Every key is deterministic, so a re-run replaces the files. Returns the
    counts of ``report.json``.
    """
    # The run folder (a million-row embeddings CSV at scale) is parsed once, for one report.
    report = build_report(load_run_outputs(store, keys), run_info, reporter_settings())
    thumbnails = thumbnails_for(report, _sample_images(store, read_input))
    plots = render_plots(report, thumbnails)
    for name, png in plots.items():
        store.write(keys.plot(name), png, "image/png")
    store.write(keys.report_pdf, render_pdf(report, plots), "application/pdf")
    store.write(
        keys.report_json,
        json.dumps(report_json(report), indent=2, sort_keys=True).encode(),
        "application/json",
    )
    store.write(keys.report_v2_json, report.to_json().encode(), "application/json")
    return summary_of(report)


def _sample_images(
    store: DatasourceStore, read_input: Callable[[str], bytes] | None
) -> Callable[[str], bytes] | None:
    """Reads a sample's image: a selected video frame or crop from where the worker stored it
    (frames and crops have no input file), anything else from the input."""

    def read(name: str) -> bytes:
        for key in (frame_image_key(name), crop_image_key(name)):
            try:
                return store.read(key)
            except Exception:  # not stored there: the next place, and last the input
                continue
        if read_input is None:
            raise FileNotFoundError(f"{name}: the input images are not reachable")
        return read_input(name)

    return read
