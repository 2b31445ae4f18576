"""Read a run's output folder: what the worker wrote, parsed once for the whole report.

Everything the report shows is computed from this folder (embeddings, filename lists,
``data/selection.json``, ``data/metadata.jsonl``, ``data/predictions.json``,
``config/config.json``, and for runs with videos ``data/videos.json`` and
``data/sequence_information.json``), so the server and the standalone CLI build the same report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.errors import StorageError
from winnow_common.run_metadata import flatten, is_number, metadata_records
from winnow_common.storage import DatasourceStore, RunKeys

__all__ = ["DEFAULT_EXAMPLE_IMAGES", "RunOutputs", "is_number", "load_run_outputs"]

DEFAULT_EXAMPLE_IMAGES = 6


@dataclass
class RunOutputs:
    """What the worker left in a run folder, parsed."""

    filenames: list[str]
    embeddings: np.ndarray
    selected: list[str]
    corrupt: dict[str, str]
    duplicates: dict[str, str]
    selection_info: dict[str, Any] = field(default_factory=dict)
    # Column-wise, aligned with ``filenames`` (per-sample dicts would cost ~1 KB per sample).
    lightly_metadata: dict[str, np.ndarray] = field(default_factory=dict)
    custom_metadata: dict[str, list[Any]] = field(default_factory=dict)
    predictions: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    datapool_filenames: list[str] = field(default_factory=list)
    datapool_embeddings: np.ndarray | None = None
    #: ``data/videos.json``'s ``videos`` (``None``: a run without videos)
    videos: list[dict[str, Any]] | None = None
    #: ``data/sequence_information.json`` (``None``: not a sequence run)
    sequence_information: list[dict[str, Any]] | None = None
    #: ``corrupt_videos`` of the corruptness check: ``{video: reason}``
    corrupt_videos: dict[str, str] = field(default_factory=dict)

    @property
    def n_example_images(self) -> int:
        docker = self.config.get("docker") or {}
        value = docker.get("nExampleImages", docker.get("n_example_images"))
        return DEFAULT_EXAMPLE_IMAGES if value is None else int(value)


def _optional(store: DatasourceStore, key: str) -> bytes | None:
    try:
        return store.read(key)
    except (StorageError, FileNotFoundError, OSError):
        return None


def _lines(data: bytes | None) -> list[str]:
    return [line for line in (data or b"").decode().splitlines() if line]


def load_run_outputs(store: DatasourceStore, keys: RunKeys) -> RunOutputs:
    """Parse the run folder under ``keys``; optional files may be missing (older runs)."""
    filenames, embeddings, _ = read_embeddings_csv(store.read(keys.embeddings_csv))
    corruptness = json.loads(store.read(keys.corruptness_info))
    outputs = RunOutputs(
        filenames=filenames,
        embeddings=np.asarray(embeddings, dtype=np.float32),
        selected=_lines(store.read(keys.filenames("selected"))),
        corrupt=corruptness["corrupt_samples"],
        duplicates=json.loads(store.read(keys.exact_duplicates)),
        corrupt_videos=dict(corruptness.get("corrupt_videos") or {}),
    )
    for key, attr in (
        (keys.selection_info, "selection_info"),
        (keys.predictions, "predictions"),
        (keys.config, "config"),
    ):
        raw = _optional(store, key)
        if raw:
            setattr(outputs, attr, json.loads(raw))
    _load_metadata(outputs, _optional(store, keys.metadata))
    raw_videos = _optional(store, keys.videos)
    if raw_videos:
        outputs.videos = list(json.loads(raw_videos).get("videos") or [])
        raw_sequences = _optional(store, keys.sequence_information)
        if raw_sequences:
            outputs.sequence_information = list(json.loads(raw_sequences))
    n_pool = int(outputs.selection_info.get("n_preselected_datapool") or 0)
    raw_pool = _optional(store, keys.selected_embeddings_with_datapool_csv) if n_pool else None
    if raw_pool:
        names, rows, _ = read_embeddings_csv(raw_pool)
        outputs.datapool_filenames = names[:n_pool]
        outputs.datapool_embeddings = np.asarray(rows[:n_pool], dtype=np.float32)
    return outputs


def _load_metadata(outputs: RunOutputs, raw: bytes | None) -> None:
    """Parse ``data/metadata.jsonl`` into columns: numeric ``lightly.*`` keys, custom paths."""
    n = len(outputs.filenames)
    lightly: dict[str, np.ndarray] = {}
    custom: dict[str, list[Any]] = {}
    for i, record in metadata_records(raw, outputs.filenames):
        for key, value in (record.get("lightly") or {}).items():
            if is_number(value):
                if key not in lightly:
                    lightly[key] = np.full(n, np.nan)
                lightly[key][i] = value
        for path, value in flatten(record.get("custom") or {}).items():
            if path not in custom:
                custom[path] = [None] * n
            custom[path][i] = value
    outputs.lightly_metadata = lightly
    outputs.custom_metadata = custom
