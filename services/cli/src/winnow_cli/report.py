"""The end of a run: the report rendered in-process by the reporter library, then a summary.

``winnow_cli.run`` imports this module only when a run starts (it loads the reporter).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import LocalStore, RunKeys
from winnow_reporter.render import config_summary, render_report

if TYPE_CHECKING:
    from winnow_gpu_worker.pipeline import PipelineResult


def render_standalone_report(
    output: LocalStore,
    keys: RunKeys,
    config: WorkerConfigV4,
    result: PipelineResult,
    input_dir: Path,
    started_ms: int,
) -> None:
    """report.pdf, report.json, report_v2.json and plots/ in ``output``, as a server run has."""
    render_report(
        output,
        keys,
        {
            "run_id": "standalone",
            "dataset_id": str(input_dir),
            "dataset_name": input_dir.name,
            "started_at_ms": started_ms,
            "ended_at_ms": int(time.time() * 1000),
            "model_trained": result.model_trained,
            "model_description": result.model_description,
            "config_summary": config_summary(config),
        },
        LocalStore(input_dir).read,
    )


def print_summary(console: Console, result: PipelineResult, output_dir: Path) -> None:
    """What was selected and removed, and where the results are."""
    what = "samples" if result.videos else "images"
    videos = f", {len(result.corrupt_videos)} corrupt videos" if result.videos else ""
    console.print(
        f"Selected {len(result.selected)} of {result.n_input} {what} "
        f"({len(result.corrupt)} corrupt{videos}, {len(result.duplicates)} exact duplicates "
        f"removed); stopped: {result.stop_reason}.",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"Results in {output_dir} (report.pdf, filenames/, data/)",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
