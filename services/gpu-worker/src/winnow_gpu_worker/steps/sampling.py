"""LOADING_METADATA / LOADING_PREDICTION / SAMPLING: resolve the strategies and select."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from winnow_common.enums import RunState, SelectionInputType, SelectionStrategyType
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import SelectionEntry, WorkerConfigV4
from winnow_gpu_worker.ml.normalize import l2_normalize
from winnow_gpu_worker.ml.selection import SelectionResult, resolve_sample_count, select
from winnow_gpu_worker.stages.selection_inputs import SelectionSources, resolve_strategies
from winnow_gpu_worker.stages.sequences import (
    sequence_count,
    sequence_embeddings,
    sequence_information,
    split_sequences,
)
from winnow_gpu_worker.stages.user_embeddings import load_user_embeddings
from winnow_gpu_worker.stages.work import PipelineResult, RunWork
from winnow_gpu_worker.steps.base import StageOutput
from winnow_gpu_worker.steps.embedding import embed_files

_STATE = RunState.SAMPLING


def selection_entries(cfg: WorkerConfigV4) -> list[SelectionEntry]:
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


def _normalize(work: RunWork, rows: np.ndarray) -> np.ndarray:
    return l2_normalize(rows) if work.cfg.docker.normalize_embeddings else rows


def _embed_query(work: RunWork, names: list[str], read: Callable[[str], bytes]) -> np.ndarray:
    docker = work.cfg.docker
    if work.choice is None:
        # User embeddings: the query samples must have rows in the same CSV.
        assert docker.embeddings is not None
        rows = load_user_embeddings(work.lightly_store, docker.embeddings, names)[1]
        return _normalize(work, rows)
    embedded = embed_files(work, names, read, None)
    if not embedded.filenames:
        raise PipelineError("no file of the SIMILARITY query set could be decoded")
    return _normalize(work, embedded.embeddings)


def _query_sets(work: RunWork) -> dict[int, np.ndarray]:
    """Embeddings of every SIMILARITY entry's query set (``datasetId`` + ``tagName``)."""
    out: dict[int, np.ndarray] = {}
    for i, entry in enumerate(work.entries):
        inp = entry.input
        if entry.strategy.type is not SelectionStrategyType.SIMILARITY:
            continue
        if inp.type is not SelectionInputType.EMBEDDINGS or not inp.dataset_id or not inp.tag_name:
            raise PipelineError(f"selection.strategies[{i}]: SIMILARITY needs datasetId/tagName")
        query = work.hooks.tag_query_set(inp.dataset_id, inp.tag_name)
        if not query.filenames:
            raise PipelineError(
                f"selection.strategies[{i}]: the query set {query.description} is empty"
            )
        work.state(
            RunState.EMBEDDING,
            f"Embedding the SIMILARITY query set {query.description} "
            f"({len(query.filenames)} files)",
        )
        out[i] = _embed_query(work, query.filenames, query.read)
    return out


def _preselected(work: RunWork) -> np.ndarray | None:
    datapool, result = work.datapool, work.result
    if datapool is None or not len(datapool):
        return None
    if datapool.embeddings.shape[1] != result.embeddings.shape[1]:
        raise PipelineError(
            f"the datapool's embeddings have {datapool.embeddings.shape[1]} dimensions, this "
            f"run's {result.embeddings.shape[1]}: use the same model for every datapool run "
            "or set datasource.processAll"
        )
    return _normalize(work, datapool.embeddings)


def _datapool_filenames(work: RunWork) -> list[str]:
    """The samples earlier runs selected (counted as preselected by DIVERSITY)."""
    return list(work.datapool.filenames) if work.datapool is not None else []


def _sources(work: RunWork, filenames: list[str], embeddings: np.ndarray) -> SelectionSources:
    return SelectionSources(
        filenames=filenames,
        embeddings=embeddings,
        lightly_metadata=work.metadata,
        lightly_store=work.lightly_store,
        query_embeddings=_query_sets(work),
        videos={name: frame.video for name, frame in work.result.frames.items()},
    )


def _run_engine(work: RunWork, sources: SelectionSources, n: int, what: str) -> SelectionResult:
    sources.load(work.entries, work.state)
    resolved = resolve_strategies(work.entries, sources)
    work.custom_metadata, work.predictions = sources.custom_metadata, dict(sources.predictions)
    kinds = ", ".join(f"{e.strategy.type.value} on {e.input.type.value}" for e in work.entries)
    work.state(_STATE, f"Selecting up to {n} of {len(sources.filenames)} {what} ({kinds})")
    try:
        return select(
            resolved,
            n,
            preselected=_preselected(work),
            progress=work.progress(_STATE, "Selected", n),
        )
    except ValueError as exc:
        raise PipelineError(f"selection: {exc}") from exc


def _select_sequences(work: RunWork, n_frames: int) -> tuple[list[str], SelectionResult, Any]:
    """Pick whole sequences of consecutive frames (``selectedSequenceLength`` > 1)."""
    result, length = work.result, work.cfg.docker.selected_sequence_length
    for i, entry in enumerate(work.entries):
        if entry.input.type not in (SelectionInputType.EMBEDDINGS, SelectionInputType.RANDOM):
            raise PipelineError(
                f"selection.strategies[{i}].input.type: {entry.input.type.value} is not "
                "supported with selectedSequenceLength > 1 (use EMBEDDINGS or RANDOM)"
            )
    sequences = split_sequences(result.filenames, result.frames, length)
    if not sequences:
        raise PipelineError(
            f"selectedSequenceLength {length}: no video or folder has {length} consecutive "
            "usable frames"
        )
    rows = sequence_embeddings(result.embeddings, sequences, work.cfg.docker.normalize_embeddings)
    ids = [f"{s.source}#{s.rows[0]}" for s in sequences]
    n = sequence_count(n_frames, length)
    selection = _run_engine(work, _sources(work, ids, rows), n, f"sequences of {length} frames")
    picked = [sequences[i] for i in selection.indices]
    selected = [name for seq in picked for name in seq.names]
    return selected, selection, sequence_information(picked, result.frames, result.videos)


def compute(work: RunWork) -> StageOutput:
    """Resolve every strategy's input and run the selection engine."""
    cfg, result = work.cfg, work.result
    assert cfg.selection is not None
    n = resolve_sample_count(
        len(result.filenames), cfg.selection.n_samples, cfg.selection.proportion_samples
    )
    sequences = None
    if cfg.docker.selected_sequence_length > 1:
        selected, selection, sequences = _select_sequences(work, n)
    else:
        what = "object crops" if result.object_task is not None else "samples"
        sources = _sources(work, result.filenames, result.embeddings)
        selection = _run_engine(work, sources, n, what)
        selected = [result.filenames[i] for i in selection.indices]
    datapool_names = _datapool_filenames(work)
    info = selection_info(result, selected, datapool_names, selection, work.training_info)
    return StageOutput(
        {
            "selected": selected,
            "stop_reason": selection.stop_reason,
            "selection_info": info,
            "sequences": sequences,
        }
    )


def restore(work: RunWork, output: StageOutput) -> None:
    """The selection into the result."""
    result = work.result
    result.selected = list(output.info["selected"])
    result.stop_reason = str(output.info["stop_reason"])
    result.selection_info = dict(output.info["selection_info"])
    result.datapool_filenames = _datapool_filenames(work)
    result.sequence_information = output.info.get("sequences")
    what = "samples"
    if result.sequence_information is not None:
        what = f"frames in {len(result.sequence_information)} sequences"
    work.state(_STATE, f"Selected {len(result.selected)} {what}; stopped: {result.stop_reason}")


def selection_info(
    result: PipelineResult,
    selected: list[str],
    datapool_filenames: list[str],
    selection: SelectionResult,
    training: dict[str, Any] | None,
) -> dict[str, Any]:
    """``data/selection.json``: counts, stop reason, per-strategy summaries, model facts."""
    info: dict[str, Any] = {
        "n_input": result.n_input,
        "n_skipped_by_datapool": result.n_skipped_by_datapool,
        "n_corrupt": len(result.corrupt),
        "n_duplicate": len(result.duplicates),
        "n_candidates": selection.n_candidates,
        "n_selected": len(selected),
        "n_preselected_datapool": len(datapool_filenames),
        "n_selected_with_datapool": len(selected) + len(datapool_filenames),
        "stop_reason": selection.stop_reason,
        "stop_code": selection.stop_code.value,
        "stop_strategy": selection.stop_strategy,
        "strategies": [
            {
                "index": s.index,
                "strategy": s.kind.value,
                "input": s.input_type.value,
                "strength": s.strength,
                "summary": jsonable(s.summary),
            }
            for s in selection.strategies
        ],
        "model": {"trained": result.model_trained, "description": result.model_description},
    }
    if training is not None:
        info["training"] = dict(training)
    return info


def jsonable(value: Any) -> Any:
    """``value`` with numpy types as Python ones and non-finite floats as ``None``."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
