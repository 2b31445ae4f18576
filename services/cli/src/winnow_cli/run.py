"""One standalone run: check the directories, run the pipeline, render the report."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from winnow_cli.args import UsageError, parse_overrides
from winnow_cli.progress import ConsoleProgress, log_to, progress_bars
from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState
from winnow_common.errors import WinnowError
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import LocalStore, RunKeys

if TYPE_CHECKING:
    import numpy as np

    from winnow_gpu_worker.pipeline import PipelineResult


# Imported in the background with the model code: the report's, needed when the run ends.
_REPORT_MODULES = ("winnow_cli.report",)

# The stages that run while the model code is still being imported in the background.
_BEFORE_THE_MODEL = frozenset({RunState.LOADING_DATASET, RunState.CHECKING_CORRUPTNESS})


def _cpus() -> int:
    return os.cpu_count() or 1


def cli_settings(config: WorkerConfigV4) -> WorkerSettings:
    """``WORKER_*`` settings for a command line run on this machine.

    The environment is read fresh (not the cached server settings). Without
    ``WORKER_NUM_LOADER_WORKERS`` the images are decoded by one process per CPU core but one
    (at most 8); ``lightly.loader.num_workers`` overrides both (``docker.num_processes``, read
    by the pipeline, overrides everything).
    """
    settings = WorkerSettings()
    workers: int | None = None
    loader = config.lightly.loader
    if loader is not None and loader.num_workers is not None:
        workers = _cpus() if loader.num_workers == -1 else loader.num_workers
    elif not any(k.upper() == "WORKER_NUM_LOADER_WORKERS" for k in os.environ):
        workers = max(0, min(8, _cpus() - 1))
    if workers is not None:
        settings = settings.model_copy(update={"num_loader_workers": workers})
    return settings


class _InputStore(LocalStore):
    """The input directory without the output directory when that lies inside it."""

    def __init__(self, root: Path, exclude: str | None) -> None:
        super().__init__(root)
        self.exclude = exclude

    def list_files(self, prefix: str = "") -> list[str]:
        files = super().list_files(prefix)
        if not self.exclude:
            return files
        return [f for f in files if not f.startswith(self.exclude + "/")]


def _check_dirs(paths: dict[str, Path | None]) -> tuple[Path, Path, Path]:
    input_dir, output_dir = paths["input_dir"], paths["output_dir"]
    assert input_dir is not None and output_dir is not None
    shared_dir = paths["shared_dir"] or input_dir
    for key, path in (("input_dir", input_dir), ("shared_dir", shared_dir)):
        if not path.is_dir():
            raise UsageError(f"{key} {path} is not a directory")
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"output_dir {output_dir} is not a directory")
    input_dir, output_dir = input_dir.resolve(), output_dir.resolve()
    if output_dir == input_dir:
        raise UsageError("output_dir must not be input_dir (use a subfolder or another folder)")
    return input_dir, output_dir, shared_dir.resolve()


def run(argv: Sequence[str], console: Console | None = None) -> PipelineResult:
    """Run the pipeline and the report for the given overrides."""
    console = console or Console(stderr=True)
    paths, config = parse_overrides(argv)
    input_dir, output_dir, shared_dir = _check_dirs(paths)
    # The report's UMAP views are fitted in a process forked now, which imports umap-learn on
    # the core that the imports below leave idle (before any thread starts).
    from winnow_reporter.analysis import projection_process

    projection_process.start()
    try:
        return _run(console, config, input_dir, output_dir, shared_dir)
    finally:
        projection_process.stop()


def _run(
    console: Console,
    config: WorkerConfigV4,
    input_dir: Path,
    output_dir: Path,
    shared_dir: Path,
) -> PipelineResult:
    try:
        # Imported here so that --help and command line errors answer without loading the
        # worker; the pipeline itself imports without torch (see background_imports).
        from winnow_gpu_worker.background_imports import model_imports_in_background
        from winnow_gpu_worker.memlog import MemoryLog, compose
        from winnow_gpu_worker.pipeline import run_pipeline
        from winnow_gpu_worker.stages.checks import inspectors_forked_now
        from winnow_gpu_worker.stages.hooks import PipelineHooks
    except ImportError as exc:
        raise WinnowError(f"cannot load the worker: {exc}") from exc
    exclude = None
    if output_dir.is_relative_to(input_dir):
        exclude = output_dir.relative_to(input_dir).as_posix()
    output_dir.mkdir(parents=True, exist_ok=True)
    output = LocalStore(output_dir)
    keys = RunKeys("")
    started = int(time.time() * 1000)
    # memlog.txt: the process's memory per stage, as a server run's MEMLOG artifact.
    memlog = MemoryLog(f"1: winnow-worker, pid {os.getpid()}")
    memlog.set_sink(lambda text: output.write(keys.memlog, compose(None, 1, text).encode()))
    with ExitStack() as stack:
        # The check's decode processes fork first, then torch & co. are imported in a thread
        # while the run lists and checks its files (no fork may happen while it imports).
        stack.enter_context(inspectors_forked_now())
        # the reporter (matplotlib, reportlab) is only needed at the end: imported there too
        imports = stack.enter_context(model_imports_in_background(_REPORT_MODULES))
        stack.enter_context(log_to(console))
        progress = stack.enter_context(progress_bars(console))
        on_state = ConsoleProgress(progress)

        def on_state_and_memory(state: RunState, message: str) -> None:
            if state not in _BEFORE_THE_MODEL:
                imports.wait()  # later stages may fork (loader processes, report plots)
            memlog.stage(state.value)
            on_state(state, message)

        memlog.start()
        try:
            result = run_pipeline(
                config,
                _InputStore(input_dir, exclude),
                LocalStore(shared_dir),
                keys,
                cli_settings(config),
                on_state_and_memory,
                output_store=output,
                # the report's projections start in the projection process as soon as the
                # embeddings exist, while the run selects and saves
                hooks=PipelineHooks(embeddings_ready=_prefetch_projections),
            )
        finally:
            memlog.stop("END")
        on_state(RunState.GENERATING_REPORT, "Rendering report.pdf, report.json and report_v2.json")
        from winnow_cli.report import print_summary, render_standalone_report

        render_standalone_report(output, keys, config, result, input_dir, started)
        on_state.finish()
    print_summary(console, result, output_dir)
    return result


def _prefetch_projections(embeddings: np.ndarray) -> None:
    """Start the report's 2-D projections of the run's embeddings (see ``PipelineHooks``)."""
    from winnow_reporter.render import prefetch_projections

    prefetch_projections(embeddings)
