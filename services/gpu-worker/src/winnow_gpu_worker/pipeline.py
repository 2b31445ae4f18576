"""The worker's pipeline, the one code path of the Celery task and the ``winnow-worker`` CLI.

A declared list of stages (:data:`STAGES`), each a run state, a pair of functions over the run
context and the outputs it commits under deterministic keys:

LOADING_DATASET (listing, videos expanded into frames, datapool snapshot) ->
CHECKING_CORRUPTNESS (corrupt files and videos, exact duplicates, ``lightly.*`` metadata) ->
INITIALIZING_OBJECT_CROPS (object level only: the samples become crops) -> TRAINING (optional
SimCLR; the model) -> EMBEDDING (in shards, or a user embeddings CSV) -> LOADING_METADATA /
LOADING_PREDICTION / SAMPLING (the selection engine, or whole sequences of frames) ->
SAVING_RESULTS (the Lightly output folder, datapool update,
``dump_dataset``).

With a persistent :class:`~winnow_gpu_worker.stages.ledger.StageLedger` (server runs) every
completed stage leaves a checkpoint, and a retried attempt restores what earlier attempts
finished instead of computing it again. No Celery and no database here: the host passes
stores, a state callback, ``hooks``, the ledger and a ``guard`` called at every safe point.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.stages.hooks import PipelineHooks
from winnow_gpu_worker.stages.ledger import NoLedger, StageLedger, content_hash
from winnow_gpu_worker.stages.work import (
    FanOut,
    FanOutRequested,
    PipelineResult,
    RunWork,
    StateCallback,
)
from winnow_gpu_worker.steps import (
    checking,
    cropping,
    embedding,
    loading,
    sampling,
    saving,
    training,
)
from winnow_gpu_worker.steps.base import CheckpointMissing, Stage, run_stage

__all__ = [
    "STAGES",
    "CheckpointMissing",
    "FanOutRequested",
    "PipelineResult",
    "Stage",
    "run_embedding_shard",
    "run_pipeline",
]

log = logging.getLogger(__name__)

STAGES: tuple[Stage, ...] = (
    Stage(
        "listing",
        RunState.LOADING_DATASET,
        loading.compute,
        loading.restore,
        "the input file list and a snapshot of the datapool",
    ),
    Stage(
        "checks",
        RunState.CHECKING_CORRUPTNESS,
        checking.compute,
        checking.restore,
        "corrupt files, exact duplicates and lightly.* metadata",
    ),
    Stage(
        "crops",
        RunState.INITIALIZING_OBJECT_CROPS,
        cropping.compute,
        cropping.restore,
        "the object crops of the task's predicted boxes (object-level runs)",
        enabled=cropping.is_object_level,
    ),
    Stage(
        "training",
        RunState.TRAINING,
        training.compute,
        training.restore,
        "the trained checkpoint (.lightly/runs/<run>/checkpoints/)",
        enabled=training.uses_model,
    ),
    Stage(
        "embedding",
        RunState.EMBEDDING,
        embedding.compute,
        embedding.restore,
        "embeddings, one checkpoint per shard",
        # Each shard is a checkpoint of its own; the stage as a whole is put back together.
        checkpointed=False,
    ),
    Stage(
        "selection",
        RunState.SAMPLING,
        sampling.compute,
        sampling.restore,
        "the selected filenames and data/selection.json's content",
    ),
    Stage(
        "outputs",
        RunState.SAVING_RESULTS,
        saving.compute,
        saving.restore,
        "the output folder (data/, embeddings, filename lists), the datapool, dumped files",
    ),
)


def _no_guard() -> None:
    return None


def _new_work(
    cfg: WorkerConfigV4,
    input_store: DatasourceStore,
    lightly_store: DatasourceStore,
    keys: RunKeys,
    settings: WorkerSettings,
    on_state: StateCallback,
    output_store: DatasourceStore | None,
    hooks: PipelineHooks | None,
    ledger: StageLedger | None,
    guard: Callable[[], None] | None,
) -> RunWork:
    if cfg.selection is None:
        raise PipelineError("the config has no selection")
    work = RunWork(
        cfg=cfg,
        input_store=input_store,
        lightly_store=lightly_store,
        out=output_store or lightly_store,
        keys=keys,
        settings=settings,
        on_state=on_state,
        hooks=hooks or PipelineHooks(),
        ledger=ledger or NoLedger(),
        guard=guard or _no_guard,
        entries=sampling.selection_entries(cfg),
    )
    # The default model is the worker's setting, not the config's: it is part of every stage's
    # inputs, so an attempt (or a shard task) on a worker with another default never restores
    # embeddings of a different model.
    work.upstream = content_hash(
        "config",
        cfg.model_dump(mode="json", by_alias=True),
        input_store.describe(),
        settings.default_model,
    )
    return work


def run_pipeline(
    cfg: WorkerConfigV4,
    input_store: DatasourceStore,
    lightly_store: DatasourceStore,
    keys: RunKeys,
    settings: WorkerSettings,
    on_state: StateCallback,
    *,
    output_store: DatasourceStore | None = None,
    hooks: PipelineHooks | None = None,
    ledger: StageLedger | None = None,
    guard: Callable[[], None] | None = None,
    worker: str = "",
    fan_out: FanOut | None = None,
) -> PipelineResult:
    """Run every stage and write the outputs under ``keys`` in ``output_store``.

    ``lightly_store`` is the LIGHTLY datasource: user inputs under ``.lightly/`` (relevant
    filenames, embeddings, metadata, predictions, checkpoints) and the datapool state.
    ``output_store`` defaults to it (server runs); the CLI writes into its output directory.
    ``ledger`` keeps stage checkpoints (default: none); ``guard`` raises when the attempt must
    stop (lease lost, shutdown) and is called at every progress report. ``worker`` names who
    computes (recorded with each embedding shard); ``fan_out`` is the host's offer to spread
    EMBEDDING's missing shards over other workers (it raises ``FanOutRequested`` to take it).
    """
    work = _new_work(
        cfg,
        input_store,
        lightly_store,
        keys,
        settings,
        on_state,
        output_store,
        hooks,
        ledger,
        guard,
    )
    work.worker, work.fan_out = worker, fan_out
    try:
        for stage in STAGES:
            run_stage(work, stage)
            if stage.name == "embedding":
                _tell_embeddings(work)
    finally:
        if work.video_cache is not None:
            work.video_cache.close()
    if work.result.resumed:
        log.info("resumed from earlier attempts: %s", "; ".join(work.result.resumed))
    return work.result


def _tell_embeddings(work: RunWork) -> None:
    """Hand the run's embeddings to the host's ``embeddings_ready`` hook, if it has one."""
    ready = work.hooks.embeddings_ready
    if ready is None:
        return
    try:
        ready(work.result.embeddings)
    except Exception:  # the host's extra (an early start of report work) never fails the run
        log.warning("the embeddings_ready hook failed", exc_info=True)


def run_embedding_shard(
    cfg: WorkerConfigV4,
    input_store: DatasourceStore,
    lightly_store: DatasourceStore,
    keys: RunKeys,
    settings: WorkerSettings,
    on_state: StateCallback,
    *,
    shard: int,
    ledger: StageLedger,
    worker: str,
    hooks: PipelineHooks | None = None,
    guard: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """One shard of a fanned-out EMBEDDING (the body of a ``gpu.embed_shard`` task).

    The stages before EMBEDDING are restored from the run's checkpoints (raises
    ``CheckpointMissing`` when one is not there: only the run's attempt computes stages);
    then shard ``shard`` is embedded and committed to ``ledger`` unless it already is.
    Returns what happened (see :func:`~winnow_gpu_worker.steps.embedding.embed_one_shard`).
    """
    work = _new_work(
        cfg, input_store, lightly_store, keys, settings, on_state, None, hooks, ledger, guard
    )
    work.worker = worker
    try:
        for stage in STAGES:
            if stage.name == "embedding":
                return embedding.embed_one_shard(work, shard)
            run_stage(work, stage, restore_only=True)
    finally:
        if work.video_cache is not None:
            work.video_cache.close()
    raise AssertionError("the pipeline has no embedding stage")
