"""SAVING_RESULTS: what the reporter needs from ``.lightly/`` inputs, written into the run folder.

The reporter never reads the LIGHTLY datasource's user inputs itself (nor imports this package):
the worker writes per-sample custom metadata into ``data/metadata.jsonl`` and a per-sample
digest of every prediction task into ``data/predictions.json``. Both are optional for the
report: an unreadable input is logged and left out, it never fails a finished selection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from winnow_common.storage import DatasourceStore, RunKeys
from winnow_gpu_worker.ml.custom_metadata import METADATA_DIR, load_custom_metadata
from winnow_gpu_worker.ml.predictions import TaskPredictions, load_predictions, load_tasks
from winnow_gpu_worker.ml.scores import available_scores, compute_scores

log = logging.getLogger(__name__)


def custom_metadata_for_report(
    store: DatasourceStore,
    filenames: Sequence[str],
    loaded: dict[str, dict[str, Any]] | None,
    videos: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The custom metadata records of ``filenames`` (already loaded ones are reused);
    ``videos`` maps frame names to their video (frames inherit video-level records)."""
    if loaded is not None:
        return loaded
    if not store.list_files(METADATA_DIR.rstrip("/")):
        return {}
    try:
        return load_custom_metadata(store.list_files, store.read, filenames, videos=videos)
    except ValueError as exc:
        log.warning("custom metadata left out of the report: %s", exc)
        return {}


def _task_digest(preds: TaskPredictions, filenames: Sequence[str]) -> dict[str, Any]:
    names = {c.id: c.name for c in preds.schema.categories}
    scores = {
        score: compute_scores(preds, score, filenames)
        for score in available_scores(preds.task_type)
    }
    samples: dict[str, Any] = {}
    for i, filename in enumerate(filenames):
        samples[filename] = {
            "categories": [names[p.category_id] for p in preds.for_file(filename)],
            "scores": {s: float(np.round(v[i], 6)) for s, v in scores.items()},
        }
    return {
        "taskType": preds.task_type,
        "categoryIdToName": {str(k): v for k, v in names.items()},
        "samples": samples,
    }


def predictions_for_report(
    store: DatasourceStore,
    filenames: Sequence[str],
    loaded: dict[str, TaskPredictions],
) -> dict[str, Any]:
    """``{task: {taskType, categoryIdToName, samples: {filename: {categories, scores}}}}``."""
    try:
        tasks = load_tasks(store.list_files, store.read)
    except ValueError as exc:
        log.warning("predictions left out of the report: %s", exc)
        return {}
    out: dict[str, Any] = {}
    for task in tasks:
        try:
            preds = loaded.get(task) or load_predictions(
                store.list_files, store.read, task, filenames
            )
            out[task] = _task_digest(preds, filenames)
        except ValueError as exc:
            log.warning("predictions of task %r left out of the report: %s", task, exc)
    return out


def write_predictions(store: DatasourceStore, keys: RunKeys, digest: dict[str, Any]) -> None:
    """``data/predictions.json`` (always written; ``{}`` when there are no predictions)."""
    store.write(keys.predictions, json.dumps(digest, sort_keys=True).encode(), "application/json")
