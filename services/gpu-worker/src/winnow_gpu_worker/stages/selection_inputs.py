"""LOADING_METADATA / LOADING_PREDICTION: turn each selection config entry into arrays.

Every input is resolved for the same ``filenames`` (the run's clean samples, in order), so row
``i`` of every array belongs to ``filenames[i]``. Metadata and predictions are read from the
LIGHTLY datasource (``.lightly/metadata/``, ``.lightly/predictions/<task>/``) once per task.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from winnow_common.enums import RunState, SelectionInputType, SelectionStrategyType
from winnow_common.errors import PipelineError
from winnow_common.schemas.worker_config import SelectionEntry
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.ml.custom_metadata import (
    MetadataSchemaEntry,
    load_custom_metadata,
    load_metadata_schema,
    metadata_values,
)
from winnow_gpu_worker.ml.metadata import LIGHTLY_KEY_PREFIX, lightly_metadata_values
from winnow_gpu_worker.ml.predictions import (
    TaskPredictions,
    category_count,
    class_distribution,
    load_predictions,
)
from winnow_gpu_worker.ml.scores import compute_scores
from winnow_gpu_worker.ml.selection import ResolvedStrategy, encode_categories, random_values

_I = SelectionInputType
_S = SelectionStrategyType

StateCallback = Callable[[RunState, str], None]


def needs_custom_metadata(entries: Sequence[SelectionEntry]) -> bool:
    """Whether a METADATA entry reads a user key (not a worker-computed ``lightly.*`` one)."""
    return any(
        e.input.type is _I.METADATA and not (e.input.key or "").startswith(LIGHTLY_KEY_PREFIX)
        for e in entries
    )


def prediction_tasks(entries: Sequence[SelectionEntry]) -> list[str]:
    """The prediction tasks SCORES and PREDICTIONS entries read, in first-use order."""
    tasks: list[str] = []
    for e in entries:
        task = e.input.task
        if e.input.type in (_I.SCORES, _I.PREDICTIONS) and task and task not in tasks:
            tasks.append(task)
    return tasks


@dataclass
class SelectionSources:
    """What the entries are resolved from."""

    filenames: list[str]
    embeddings: np.ndarray
    lightly_metadata: Mapping[str, Mapping[str, Any]]
    lightly_store: DatasourceStore
    query_embeddings: Mapping[int, np.ndarray] = field(default_factory=dict)
    custom_metadata: dict[str, dict[str, Any]] | None = None
    metadata_schema: list[MetadataSchemaEntry] = field(default_factory=list)
    predictions: dict[str, TaskPredictions] = field(default_factory=dict)
    # Frame name -> video: frames inherit their video's custom metadata record.
    videos: Mapping[str, str] = field(default_factory=dict)

    def load(self, entries: Sequence[SelectionEntry], on_state: StateCallback) -> None:
        """Read the custom metadata and predictions the entries need (once each)."""
        store = self.lightly_store
        if needs_custom_metadata(entries):
            on_state(RunState.LOADING_METADATA, "Loading custom metadata from .lightly/metadata/")
            try:
                self.metadata_schema = load_metadata_schema(store.list_files, store.read)
                self.custom_metadata = load_custom_metadata(
                    store.list_files, store.read, self.filenames, videos=self.videos
                )
            except ValueError as exc:
                raise PipelineError(f"custom metadata: {exc}") from exc
            on_state(
                RunState.LOADING_METADATA,
                f"Loaded custom metadata of {len(self.custom_metadata)} of "
                f"{len(self.filenames)} samples",
            )
        for task in prediction_tasks(entries):
            on_state(RunState.LOADING_PREDICTION, f"Loading predictions of task {task!r}")
            try:
                preds = load_predictions(store.list_files, store.read, task, self.filenames)
            except ValueError as exc:
                raise PipelineError(f"predictions of task {task!r}: {exc}") from exc
            self.predictions[task] = preds


def _numeric(values: np.ndarray | list[str | None], where: str, key: str) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values
    raise PipelineError(
        f"{where}: metadata {key!r} is categorical; THRESHOLD and WEIGHTS need numbers"
    )


def _categories(values: np.ndarray | list[str | None]) -> list[str | None]:
    if not isinstance(values, np.ndarray):
        return values
    # Numeric metadata used for BALANCE: each distinct number is a class ("3", "2.5").
    return [
        None if math.isnan(v) else (str(int(v)) if float(v).is_integer() else repr(float(v)))
        for v in values.tolist()
    ]


def _metadata(
    entry: SelectionEntry, sources: SelectionSources, where: str
) -> tuple[np.ndarray, list[str] | None]:
    key = entry.input.key or ""
    balance = entry.strategy.type is _S.BALANCE
    if key.startswith(LIGHTLY_KEY_PREFIX):
        try:
            values: np.ndarray | list[str | None] = lightly_metadata_values(
                sources.lightly_metadata, key, sources.filenames
            )
        except ValueError as exc:
            raise PipelineError(f"{where}: {exc}") from exc
    else:
        values = metadata_values(
            sources.custom_metadata or {}, key, sources.filenames, sources.metadata_schema
        )
    if balance:
        one_hot, names = encode_categories(_categories(values))
        return one_hot, names
    return _numeric(values, where, key), None


def _task(sources: SelectionSources, task: str | None) -> TaskPredictions:
    assert task is not None  # the config validation requires it
    return sources.predictions[task]


def resolve_entry(index: int, entry: SelectionEntry, sources: SelectionSources) -> ResolvedStrategy:
    """The arrays one config entry selects on."""
    where = f"selection.strategies[{index}]"
    inp = entry.input
    n = len(sources.filenames)
    if inp.type is _I.EMBEDDINGS:
        return ResolvedStrategy(
            entry, sources.embeddings, query=sources.query_embeddings.get(index)
        )
    if inp.type is _I.RANDOM:
        return ResolvedStrategy(entry, random_values(n, inp.random_seed))
    if inp.type is _I.METADATA:
        values, names = _metadata(entry, sources, where)
        return ResolvedStrategy(entry, values, class_names=names)
    preds = _task(sources, inp.task)
    try:
        if inp.type is _I.SCORES:
            assert inp.score is not None
            return ResolvedStrategy(entry, compute_scores(preds, inp.score, sources.filenames))
        if inp.name == "CLASS_DISTRIBUTION":
            return ResolvedStrategy(
                entry,
                class_distribution(preds, sources.filenames),
                class_names=preds.schema.category_names,
            )
        counts = category_count(preds, sources.filenames, inp.categories)
    except ValueError as exc:
        raise PipelineError(f"{where}: {exc}") from exc
    return ResolvedStrategy(entry, counts.astype(np.float64))


def resolve_strategies(
    entries: Sequence[SelectionEntry], sources: SelectionSources
) -> list[ResolvedStrategy]:
    """``resolve_entry`` for every entry, in config order."""
    return [resolve_entry(i, e, sources) for i, e in enumerate(entries)]
