"""The worker's pipeline, the one code path of the Celery task and the ``winnow-worker`` CLI.

LOADING_DATASET (listing, relevant files, datapool) -> CHECKING_CORRUPTNESS (corrupt files,
exact duplicates, ``lightly.*`` metadata) -> TRAINING (optional SimCLR) -> EMBEDDING (or a
user embeddings CSV) -> LOADING_METADATA / LOADING_PREDICTION -> SAMPLING (the selection
engine) -> SAVING_RESULTS (the Lightly output folder, datapool update, ``dump_dataset``).

No Celery and no database here: the host passes stores, a state callback and ``hooks``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from winnow_common.config import WorkerSettings
from winnow_common.enums import RunState, SelectionInputType, SelectionStrategyType
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import SelectionEntry, WorkerConfigV4
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.ml.duplicates import find_exact_duplicates
from winnow_gpu_worker.ml.embed import EmbeddingResult, embed_images, l2_normalize
from winnow_gpu_worker.ml.select import resolve_sample_count
from winnow_gpu_worker.ml.selection import SelectionResult, select
from winnow_gpu_worker.stages.checks import check_files
from winnow_gpu_worker.stages.datapool import Datapool, load_datapool, update_datapool
from winnow_gpu_worker.stages.hooks import PipelineHooks
from winnow_gpu_worker.stages.listing import list_input_images
from winnow_gpu_worker.stages.model import ModelChoice, choose_model, read_checkpoint
from winnow_gpu_worker.stages.outputs import (
    dump_selected,
    write_embeddings,
    write_filename_lists,
    write_json,
)
from winnow_gpu_worker.stages.report_inputs import (
    custom_metadata_for_report,
    predictions_for_report,
    write_predictions,
)
from winnow_gpu_worker.stages.selection_inputs import SelectionSources, resolve_strategies
from winnow_gpu_worker.stages.user_embeddings import load_user_embeddings

log = logging.getLogger(__name__)

StateCallback = Callable[[RunState, str], None]

_PROGRESS_EVERY = 0.1


@dataclass
class PipelineResult:
    """What a run found and chose; filenames are relative to the INPUT datasource root.

    ``filenames``/``embeddings`` are this run's clean samples (candidates for selection);
    ``selected`` excludes samples preselected by the datapool. ``checkpoint_key`` is set when
    the run trained a model (the key of its checkpoint in the output store).
    """

    n_input: int
    corrupt: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)
    filenames: list[str] = field(default_factory=list)
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    selected: list[str] = field(default_factory=list)
    model_trained: bool = False
    model_description: str = ""
    checkpoint_key: str | None = None
    n_skipped_by_datapool: int = 0
    datapool_filenames: list[str] = field(default_factory=list)
    stop_reason: str = ""
    selection_info: dict[str, Any] = field(default_factory=dict)
    dumped_keys: list[str] = field(default_factory=list)

    @property
    def removed(self) -> list[str]:
        """Clean samples the selection did not keep."""
        chosen = set(self.selected)
        return [f for f in self.filenames if f not in chosen]


class _Progress:
    """Reports ``done/total`` through the state callback about every 10 %."""

    def __init__(self, state: RunState, verb: str, total: int, on_state: StateCallback) -> None:
        self.state, self.verb, self.total, self.on_state = state, verb, total, on_state
        self.step = max(1, int(total * _PROGRESS_EVERY))
        self.next_report = self.step

    def __call__(self, done: int, total: int | None = None, extra: str = "") -> None:
        if done >= self.next_report or done == self.total:
            self.next_report = done + self.step
            suffix = f", {extra}" if extra else ""
            self.on_state(self.state, f"{self.verb} {done}/{self.total}{suffix}")


def _workers(value: int | None, default: int) -> int:
    """``num_processes``/``num_threads``: -1 means one per CPU core, None the default."""
    if value is None:
        return default
    return os.cpu_count() or 1 if value == -1 else value


def _entries(cfg: WorkerConfigV4) -> list[SelectionEntry]:
    """The selection entries, with the legacy ``stopping_condition.min_distance`` applied."""
    assert cfg.selection is not None
    min_distance = cfg.docker.stopping_condition and cfg.docker.stopping_condition.min_distance
    entries = list(cfg.selection.strategies)
    if min_distance is None:
        return entries
    out = []
    for entry in entries:
        strategy = entry.strategy
        if (
            strategy.type is SelectionStrategyType.DIVERSITY
            and strategy.stopping_condition_minimum_distance is None
        ):
            strategy = strategy.model_copy(
                update={"stopping_condition_minimum_distance": min_distance}
            )
            entry = entry.model_copy(update={"strategy": strategy})
        out.append(entry)
    return out


def _list(
    cfg: WorkerConfigV4,
    input_store: DatasourceStore,
    lightly_store: DatasourceStore,
    on_state: StateCallback,
) -> tuple[list[str], Datapool | None, int]:
    docker = cfg.docker
    datapool = load_datapool(lightly_store) if docker.use_datapool else None
    on_state(RunState.LOADING_DATASET, f"Listing images in {input_store.describe()}")
    names, skipped = list_input_images(cfg, input_store, lightly_store, datapool)
    if datapool is not None:
        on_state(
            RunState.LOADING_DATASET,
            f"Datapool: {len(datapool)} samples selected by earlier runs, "
            f"{skipped} files already processed are skipped",
        )
    if not names:
        where = input_store.describe()
        if skipped:
            raise PipelineError(
                f"no new image files in {where}: all {skipped} were processed by earlier runs "
                "(set datasource.processAll to process them again)"
            )
        raise PipelineError(f"no image files found in {where}")
    on_state(RunState.LOADING_DATASET, f"Found {len(names)} images in {input_store.describe()}")
    return names, datapool, skipped


def _embed(
    cfg: WorkerConfigV4,
    names: list[str],
    read: Callable[[str], bytes],
    choice: ModelChoice,
    settings: WorkerSettings,
    progress: Callable[[int, int], None] | None,
) -> EmbeddingResult:
    loader, collate = cfg.lightly.loader, cfg.lightly.collate
    return embed_images(
        names,
        read,
        choice.model,
        input_size=collate.input_size if collate and collate.input_size else settings.input_size,
        batch_size=loader.batch_size if loader and loader.batch_size else settings.batch_size,
        num_workers=_workers(cfg.docker.num_processes, settings.num_loader_workers),
        device=settings.device,
        progress=progress,
    )


def _query_sets(
    entries: list[SelectionEntry],
    hooks: PipelineHooks,
    embed_query: Callable[[list[str], Callable[[str], bytes]], np.ndarray],
    on_state: StateCallback,
) -> dict[int, np.ndarray]:
    """Embeddings of every SIMILARITY entry's query set (``datasetId`` + ``tagName``)."""
    out: dict[int, np.ndarray] = {}
    for i, entry in enumerate(entries):
        inp = entry.input
        if entry.strategy.type is not SelectionStrategyType.SIMILARITY:
            continue
        if inp.type is not SelectionInputType.EMBEDDINGS or not inp.dataset_id or not inp.tag_name:
            raise PipelineError(f"selection.strategies[{i}]: SIMILARITY needs datasetId/tagName")
        query = hooks.tag_query_set(inp.dataset_id, inp.tag_name)
        if not query.filenames:
            raise PipelineError(
                f"selection.strategies[{i}]: the query set {query.description} is empty"
            )
        on_state(
            RunState.EMBEDDING,
            f"Embedding the SIMILARITY query set {query.description} "
            f"({len(query.filenames)} files)",
        )
        out[i] = embed_query(query.filenames, query.read)
    return out


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
) -> PipelineResult:
    """Run every stage and write the outputs under ``keys`` in ``output_store``.

    ``lightly_store`` is the LIGHTLY datasource: user inputs under ``.lightly/`` (relevant
    filenames, embeddings, metadata, predictions, checkpoints) and the datapool state.
    ``output_store`` defaults to it (server runs); the CLI writes into its output directory.
    """
    if cfg.selection is None:
        raise PipelineError("the config has no selection")
    docker = cfg.docker
    out = output_store or lightly_store
    hooks = hooks or PipelineHooks()
    entries = _entries(cfg)

    names, datapool, skipped = _list(cfg, input_store, lightly_store, on_state)
    result = PipelineResult(n_input=len(names), n_skipped_by_datapool=skipped)

    on_state(RunState.CHECKING_CORRUPTNESS, f"Checking {len(names)} files")
    checked = check_files(
        input_store,
        names,
        check_corruptness=docker.enable_corruptness_check,
        hash_content=docker.remove_exact_duplicates,
        threads=_workers(docker.num_threads, 8) if docker.num_threads else None,
        progress=_Progress(RunState.CHECKING_CORRUPTNESS, "Checked", len(names), on_state),
    )
    result.corrupt = dict(checked.corrupt)
    if docker.remove_exact_duplicates:
        result.duplicates = find_exact_duplicates(checked.hashes)
    clean = [n for n in names if n not in result.corrupt and n not in result.duplicates]
    on_state(
        RunState.CHECKING_CORRUPTNESS,
        f"{len(result.corrupt)} corrupt and {len(result.duplicates)} exact duplicate files "
        f"removed; {len(clean)} remain",
    )
    if not clean:
        raise PipelineError("no usable images left after the corruptness check")

    choice: ModelChoice | None = None
    if docker.embeddings:
        on_state(
            RunState.EMBEDDING,
            f"Reading the embeddings of {len(clean)} files from {docker.embeddings}",
        )
        filenames, embeddings = load_user_embeddings(lightly_store, docker.embeddings, clean)
        result.model_description = f"user-provided embeddings ({docker.embeddings})"
        result.model_trained = True
    else:
        checkpoint, source = read_checkpoint(cfg, lightly_store, hooks)
        if docker.enable_training:
            on_state(RunState.TRAINING, f"Training SimCLR on {len(clean)} images")
        choice = choose_model(
            cfg,
            checkpoint,
            source,
            train_on=clean,
            read=input_store.read,
            device=settings.device,
            on_epoch=lambda epoch, total, loss: on_state(
                RunState.TRAINING, f"Epoch {epoch}/{total}, loss {loss:.4f}"
            ),
        )
        if choice.training is not None:
            epoch = choice.training.best_epoch or choice.training.epochs
            result.checkpoint_key = keys.checkpoint(epoch)
            out.write(result.checkpoint_key, choice.training.checkpoint_bytes)
            on_state(RunState.TRAINING, f"Saved the checkpoint {result.checkpoint_key}")
        result.model_trained, result.model_description = choice.trained, choice.description
        on_state(RunState.EMBEDDING, f"Embedding {len(clean)} images with {choice.description}")
        embedded = _embed(
            cfg,
            clean,
            input_store.read,
            choice,
            settings,
            _Progress(RunState.EMBEDDING, "Embedded", len(clean), on_state),
        )
        # Files that passed the check but fail to decode (check disabled) count as corrupt.
        result.corrupt.update(embedded.failed)
        filenames, embeddings = embedded.filenames, embedded.embeddings
    if not filenames:
        raise PipelineError("no usable images left after embedding")
    result.filenames = filenames
    normalize = l2_normalize if docker.normalize_embeddings else (lambda x: x)
    result.embeddings = normalize(embeddings)

    def embed_query(query_names: list[str], read: Callable[[str], bytes]) -> np.ndarray:
        if choice is None:
            # User embeddings: the query samples must have rows in the same CSV.
            assert docker.embeddings is not None
            return normalize(load_user_embeddings(lightly_store, docker.embeddings, query_names)[1])
        embedded_query = _embed(cfg, query_names, read, choice, settings, None)
        if not embedded_query.filenames:
            raise PipelineError("no file of the SIMILARITY query set could be decoded")
        return normalize(embedded_query.embeddings)

    sources = SelectionSources(
        filenames=result.filenames,
        embeddings=result.embeddings,
        lightly_metadata=checked.metadata,
        lightly_store=lightly_store,
        query_embeddings=_query_sets(entries, hooks, embed_query, on_state),
    )
    sources.load(entries, on_state)
    resolved = resolve_strategies(entries, sources)

    preselected = None
    if datapool is not None and len(datapool):
        if datapool.embeddings.shape[1] != result.embeddings.shape[1]:
            raise PipelineError(
                f"the datapool's embeddings have {datapool.embeddings.shape[1]} dimensions, this "
                f"run's {result.embeddings.shape[1]}: use the same model for every datapool run "
                "or set datasource.processAll"
            )
        preselected = normalize(datapool.embeddings)
        result.datapool_filenames = list(datapool.filenames)

    n = resolve_sample_count(
        len(result.filenames), cfg.selection.n_samples, cfg.selection.proportion_samples
    )
    kinds = ", ".join(f"{e.strategy.type.value} on {e.input.type.value}" for e in entries)
    on_state(RunState.SAMPLING, f"Selecting up to {n} of {len(result.filenames)} samples ({kinds})")
    try:
        selection = select(
            resolved,
            n,
            preselected=preselected,
            progress=_Progress(RunState.SAMPLING, "Selected", n, on_state),
        )
    except ValueError as exc:
        raise PipelineError(f"selection: {exc}") from exc
    result.selected = [result.filenames[i] for i in selection.indices]
    result.stop_reason = selection.stop_reason
    on_state(
        RunState.SAMPLING,
        f"Selected {len(result.selected)} samples; stopped: {selection.stop_reason}",
    )
    result.selection_info = selection_info(result, selection, choice)

    on_state(RunState.SAVING_RESULTS, f"Saving results to {out.describe()}")
    custom = custom_metadata_for_report(lightly_store, result.filenames, sources.custom_metadata)
    save_outputs(result, cfg, out, keys, checked.metadata, custom)
    write_predictions(
        out, keys, predictions_for_report(lightly_store, result.filenames, sources.predictions)
    )
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[name] for name in result.selected]
    if datapool is not None:
        with_pool = [preselected] if preselected is not None else []
        write_embeddings(
            out,
            keys.selected_embeddings_with_datapool_csv,
            result.datapool_filenames + result.selected,
            np.concatenate([*with_pool, result.embeddings[selected_rows]]),
        )
    if docker.dump_dataset:
        on_state(RunState.SAVING_RESULTS, f"Copying {len(result.selected)} selected files")
        try:
            result.dumped_keys = dump_selected(
                input_store.read,
                out,
                keys,
                result.selected,
                docker.output_image_format,
                docker.output_image_size,
            )
        except ValueError as exc:
            raise PipelineError(f"dump_dataset: {exc}") from exc
    if datapool is not None and (
        docker.datasource is None or docker.datasource.enable_datapool_update
    ):
        update_datapool(lightly_store, datapool, names, result.selected, embeddings[selected_rows])
        on_state(RunState.SAVING_RESULTS, "Updated the datapool")
    return result


def selection_info(
    result: PipelineResult, selection: SelectionResult, choice: ModelChoice | None
) -> dict[str, Any]:
    """``data/selection.json``: counts, stop reason, per-strategy summaries, model facts."""
    info: dict[str, Any] = {
        "n_input": result.n_input,
        "n_skipped_by_datapool": result.n_skipped_by_datapool,
        "n_corrupt": len(result.corrupt),
        "n_duplicate": len(result.duplicates),
        "n_candidates": selection.n_candidates,
        "n_selected": len(result.selected),
        "n_preselected_datapool": len(result.datapool_filenames),
        "n_selected_with_datapool": len(result.selected) + len(result.datapool_filenames),
        "stop_reason": selection.stop_reason,
        "stop_code": selection.stop_code.value,
        "stop_strategy": selection.stop_strategy,
        "strategies": [
            {
                "index": s.index,
                "strategy": s.kind.value,
                "input": s.input_type.value,
                "strength": s.strength,
                "summary": _jsonable(s.summary),
            }
            for s in selection.strategies
        ],
        "model": {"trained": result.model_trained, "description": result.model_description},
    }
    if choice is not None and choice.training is not None:
        t = choice.training
        info["training"] = {
            "epochs": t.epochs,
            "best_epoch": t.best_epoch,
            "final_loss": t.final_loss,
            "loss_history": t.history,
            "device": t.device,
            "checkpoint": result.checkpoint_key,
            "seconds": round(t.seconds, 2),
        }
    return info


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def save_outputs(
    result: PipelineResult,
    cfg: WorkerConfigV4,
    store: DatasourceStore,
    keys: RunKeys,
    metadata: dict[str, dict[str, Any]],
    custom_metadata: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write the Lightly-style output folder for the run (the reporter adds plots and reports).

    ``data/metadata.jsonl`` has one line per sample: ``{"filename", "lightly": {...}}`` plus
    ``"custom": {...}`` when the sample has custom metadata.
    """
    index = {name: i for i, name in enumerate(result.filenames)}
    selected_rows = [index[n] for n in result.selected]
    store.write(
        keys.config,
        json.dumps(cfg.model_dump(mode="json", by_alias=True), indent=2).encode(),
        "application/json",
    )
    write_embeddings(store, keys.embeddings_csv, result.filenames, result.embeddings)
    write_embeddings(
        store, keys.selected_embeddings_csv, result.selected, result.embeddings[selected_rows]
    )
    write_filename_lists(
        store,
        keys,
        {
            "corrupt": sorted(result.corrupt),
            "duplicate": sorted(result.duplicates),
            "removed": result.removed,
            "selected": result.selected,
        },
    )
    write_json(store, keys.corruptness_info, {"corrupt_samples": result.corrupt})
    write_json(store, keys.exact_duplicates, result.duplicates)
    write_json(store, keys.selection_info, result.selection_info)
    custom = custom_metadata or {}
    lines = []
    for name in result.filenames:
        record: dict[str, Any] = {"filename": name, "lightly": _jsonable(metadata.get(name, {}))}
        if name in custom:
            record["custom"] = _jsonable(custom[name])
        lines.append(json.dumps(record, sort_keys=True))
    store.write(keys.metadata, ("\n".join(lines) + "\n" if lines else "").encode(), "text/plain")
