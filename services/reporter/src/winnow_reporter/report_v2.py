"""report_v2.json: read a run's output folder and assemble the full report document.

The shape is documented in ``services/reporter/REPORT_V2.md`` and fixed by
``report_v2.schema.json``. Everything is computed from the run folder the worker wrote
(embeddings, filename lists, ``data/selection.json``, ``data/metadata.jsonl``,
``data/predictions.json``, ``config/config.json``), so the server and the standalone CLI build
the same report. Every sample and the random baseline are seeded: re-running gives the same
document. Pairwise statistics use seeded samples of each set and blockwise distances; nothing
is N x N.
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from winnow_common import __version__
from winnow_common.config import ReporterSettings
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.errors import StorageError
from winnow_common.storage import DatasourceStore, RunKeys
from winnow_reporter.analysis.distributions import (
    categorical_distribution,
    numeric_distribution,
    random_baseline,
)
from winnow_reporter.analysis.embedding import (
    cover_distances,
    example_pairs,
    nearest_neighbor_distances,
    project_2d,
)
from winnow_reporter.analysis.savings import annotation_savings

log = logging.getLogger(__name__)

DEFAULT_EXAMPLE_IMAGES = 6
# Custom categorical metadata with more distinct values is not a useful bar chart.
MAX_CATEGORIES = 50
# Example points marked in the scatter plots.
SCATTER_EXAMPLES = 6


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
    outputs = RunOutputs(
        filenames=filenames,
        embeddings=np.asarray(embeddings, dtype=np.float32),
        selected=_lines(store.read(keys.filenames("selected"))),
        corrupt=json.loads(store.read(keys.corruptness_info))["corrupt_samples"],
        duplicates=json.loads(store.read(keys.exact_duplicates)),
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
    n_pool = int(outputs.selection_info.get("n_preselected_datapool") or 0)
    raw_pool = _optional(store, keys.selected_embeddings_with_datapool_csv) if n_pool else None
    if raw_pool:
        names, rows, _ = read_embeddings_csv(raw_pool)
        outputs.datapool_filenames = names[:n_pool]
        outputs.datapool_embeddings = np.asarray(rows[:n_pool], dtype=np.float32)
    return outputs


def _load_metadata(outputs: RunOutputs, raw: bytes | None) -> None:
    """Parse ``data/metadata.jsonl`` into columns: numeric ``lightly.*`` keys, custom paths."""
    if not raw:
        return
    index = {name: i for i, name in enumerate(outputs.filenames)}
    n = len(outputs.filenames)
    lightly: dict[str, np.ndarray] = {}
    custom: dict[str, list[Any]] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        i = index.get(record.get("filename"))
        if i is None:
            continue
        for key, value in (record.get("lightly") or {}).items():
            if _is_number(value):
                if key not in lightly:
                    lightly[key] = np.full(n, np.nan)
                lightly[key][i] = value
        for path, value in _flatten(record.get("custom") or {}).items():
            if path not in custom:
                custom[path] = [None] * n
            custom[path][i] = value
    outputs.lightly_metadata = lightly
    outputs.custom_metadata = custom


# ---------------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------------


@dataclass
class _Sets:
    """Row indices of each set into the analysis matrix (run samples, then datapool rows)."""

    input: np.ndarray
    selected: np.ndarray
    random: np.ndarray
    datapool: np.ndarray | None = None

    def run_sets(self) -> dict[str, np.ndarray]:
        return {"input": self.input, "selected": self.selected, "random": self.random}


def _sizes(outputs: RunOutputs, n_selected: int) -> dict[str, int]:
    info = outputs.selection_info
    n_clean = len(outputs.filenames)
    n_pool = len(outputs.datapool_filenames)
    return {
        "nInput": int(
            info.get("n_input", n_clean + len(outputs.corrupt) + len(outputs.duplicates))
        ),
        "nCorrupt": len(outputs.corrupt),
        "nDuplicate": len(outputs.duplicates),
        "nRemoved": n_clean - n_selected,
        "nSelected": n_selected,
        "nPreselectedDatapool": n_pool,
        "nSelectedWithDatapool": n_selected + n_pool,
    }


def _embedding_section(
    outputs: RunOutputs, sets: _Sets, settings: ReporterSettings, notes: list[str]
) -> dict[str, Any]:
    x = outputs.embeddings
    if sets.datapool is not None and outputs.datapool_embeddings is not None:
        x = np.concatenate([x, outputs.datapool_embeddings])
    seed, q = settings.random_seed, settings.analysis_points
    nn_sets = sets.run_sets()
    cover_sets = {"selected": sets.selected, "random": sets.random}
    if sets.datapool is not None:
        with_pool = np.concatenate([sets.selected, sets.datapool])
        nn_sets |= {"preselectedDatapool": sets.datapool, "selectedWithDatapool": with_pool}
        cover_sets["selectedWithDatapool"] = with_pool
    nn = {
        name: nearest_neighbor_distances(x, members, max_queries=q, seed=seed)
        for name, members in nn_sets.items()
    }
    # Coverage is measured over this run's input samples only.
    cover = {
        name: cover_distances(x[: len(outputs.filenames)], members, max_queries=q, seed=seed)
        if name != "selectedWithDatapool"
        else _cover_with_pool(x, len(outputs.filenames), members, q, seed)
        for name, members in cover_sets.items()
    }
    return {
        "distanceToNearestNeighborInSet": numeric_distribution(nn),
        "distanceToCoverInput": numeric_distribution(cover),
        "scatterPlotData": _scatter(outputs, sets, settings, notes),
    }


def _cover_with_pool(
    x: np.ndarray, n_run: int, members: np.ndarray, max_queries: int, seed: int
) -> np.ndarray:
    """Distances of (a seeded sample of) this run's input samples to the nearest member.

    ``members`` may include datapool rows (beyond ``n_run``), which are never queries.
    """
    return cover_distances(
        x, members, max_queries=max_queries, seed=seed, query_rows=np.arange(n_run)
    )


def _scatter(
    outputs: RunOutputs, sets: _Sets, settings: ReporterSettings, notes: list[str]
) -> dict[str, Any]:
    projection = project_2d(
        outputs.embeddings, max_points=settings.scatter_points, seed=settings.random_seed
    )
    notes.extend(projection.notes)
    selected = np.zeros(len(outputs.filenames), dtype=bool)
    selected[sets.selected] = True
    sampled = projection.indices
    rng = np.random.default_rng(settings.random_seed)
    example_rows = np.sort(
        rng.choice(len(sampled), size=min(SCATTER_EXAMPLES, len(sampled)), replace=False)
    )

    def view(points: np.ndarray) -> dict[str, Any]:
        pts = np.round(np.asarray(points, dtype=np.float64), 5)
        return {
            "input2dEmbeddings": pts.tolist(),
            "selectedExcludingDatapool2dEmbeddings": pts[selected[sampled]].tolist(),
            "exampleImages": [
                {"location": pts[r].tolist(), "filename": outputs.filenames[int(sampled[r])]}
                for r in example_rows
            ],
        }

    return {
        "nPoints": len(sampled),
        "nTotal": len(outputs.filenames),
        "pcaEmbeddingData": view(projection.pca),
        "umapEmbeddingData": {str(k): view(v) for k, v in sorted(projection.umap.items())},
    }


def _examples(outputs: RunOutputs, sets: _Sets, seed: int) -> list[dict[str, Any]]:
    removed_mask = np.ones(len(outputs.filenames), dtype=bool)
    removed_mask[sets.selected] = False
    pairs = example_pairs(
        outputs.embeddings,
        sets.selected,
        np.flatnonzero(removed_mask),
        outputs.n_example_images,
        seed=seed,
    )
    return [
        {
            "selectedImage": outputs.filenames[s],
            "removedImage": outputs.filenames[r],
            "distance": round(float(d), 6),
        }
        for s, r, d in pairs
    ]


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= _flatten(value, f"{path}.")
        elif not isinstance(value, list):
            out[path] = value
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _by_set(values: Sequence[Any], sets: _Sets) -> dict[str, list[Any]]:
    return {name: [values[i] for i in idx] for name, idx in sets.run_sets().items()}


def _numeric_by_set(values: Sequence[Any], sets: _Sets) -> dict[str, np.ndarray]:
    array = np.array([v if _is_number(v) else np.nan for v in values], dtype=np.float64)
    return {name: array[idx] for name, idx in sets.run_sets().items()}


def _metadata_section(outputs: RunOutputs, sets: _Sets, notes: list[str]) -> dict[str, Any]:
    section: dict[str, Any] = {"lightlyNumeric": {}, "customNumeric": {}, "customCategorical": {}}
    for key, column in sorted(outputs.lightly_metadata.items()):
        section["lightlyNumeric"][f"lightly.{key}"] = numeric_distribution(
            {name: column[idx] for name, idx in sets.run_sets().items()}
        )
    if not outputs.lightly_metadata:
        notes.append("No lightly.* metadata was computed for this run's samples.")
    if not outputs.custom_metadata:
        notes.append("No custom metadata (.lightly/metadata/) for this run's samples.")
    for path, values in sorted(outputs.custom_metadata.items()):
        present = [v for v in values if v is not None]
        if present and all(_is_number(v) for v in present):
            section["customNumeric"][path] = numeric_distribution(_numeric_by_set(values, sets))
            continue
        labels = [None if v is None else _category(v) for v in values]
        if len({label for label in labels if label is not None}) > MAX_CATEGORIES:
            notes.append(
                f"Custom metadata {path!r} has more than {MAX_CATEGORIES} distinct values; "
                "left out of the report."
            )
            continue
        section["customCategorical"][path] = categorical_distribution(_by_set(labels, sets))
    return section


def _category(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _predictions_section(outputs: RunOutputs, sets: _Sets, notes: list[str]) -> dict[str, Any]:
    if not outputs.predictions:
        notes.append("No predictions (.lightly/predictions/) for this run's samples.")
        return {}
    out: dict[str, Any] = {}
    for task, digest in sorted(outputs.predictions.items()):
        samples = digest.get("samples") or {}
        per_sample = [samples.get(name) or {} for name in outputs.filenames]
        names = [str(v) for _, v in sorted(digest["categoryIdToName"].items(), key=_id_order)]
        objects = [s.get("categories") or [] for s in per_sample]
        flat = {
            set_name: [c for i in idx for c in objects[i]]
            for set_name, idx in sets.run_sets().items()
        }
        counts = {
            name: numeric_distribution(
                _numeric_by_set([sum(1 for c in o if c == name) for o in objects], sets)
            )
            for name in names
        }
        score_names = sorted({k for s in per_sample for k in (s.get("scores") or {})})
        scores = {
            score: numeric_distribution(
                _numeric_by_set([(s.get("scores") or {}).get(score) for s in per_sample], sets),
                value_range=(0.0, 1.0),
            )
            for score in score_names
        }
        out[task] = {
            "taskType": digest.get("taskType", ""),
            "categoryIdToName": dict(digest["categoryIdToName"]),
            "categoryDistribution": categorical_distribution(flat, categories=names),
            "categoryToCountsPerSample": counts,
            "activeLearningScoreDistributions": scores,
        }
    return out


def _id_order(item: tuple[str, Any]) -> tuple[int, str]:
    key = item[0]
    return (int(key), key) if key.lstrip("-").isdigit() else (0, key)


def _selection(outputs: RunOutputs) -> dict[str, Any]:
    info = outputs.selection_info
    return {
        "stopReason": str(info.get("stop_reason") or ""),
        "strategies": [
            {
                "strategy": str(s.get("strategy")),
                "input": str(s.get("input")),
                "strength": float(s.get("strength", 1.0)),
            }
            for s in info.get("strategies") or []
        ],
    }


def build_report_v2(
    outputs: RunOutputs, run_info: Mapping[str, Any], settings: ReporterSettings
) -> dict[str, Any]:
    """The report_v2 document for one run (see REPORT_V2.md); deterministic for a seed."""
    index = {name: i for i, name in enumerate(outputs.filenames)}
    selected = np.array(sorted(index[n] for n in dict.fromkeys(outputs.selected)), dtype=np.int64)
    n = len(outputs.filenames)
    sets = _Sets(
        input=np.arange(n, dtype=np.int64),
        selected=selected,
        random=np.asarray(random_baseline(n, len(selected), settings.random_seed), dtype=np.int64),
    )
    if outputs.datapool_embeddings is not None and len(outputs.datapool_filenames):
        sets.datapool = np.arange(n, n + len(outputs.datapool_filenames), dtype=np.int64)
    notes: list[str] = []
    sizes = _sizes(outputs, len(selected))
    started, ended = run_info.get("started_at_ms"), run_info.get("ended_at_ms")
    examples = _examples(outputs, sets, settings.random_seed) if n else []
    if not examples:
        notes.append("No selected/removed example pairs: the selection kept or removed everything.")
    report = {
        "version": 2,
        "generalInformation": {
            "workerInformation": {"buildVersion": __version__, "buildTime": None},
            "runInformation": {
                "runId": str(run_info["run_id"]),
                "runUrl": None,
                "startTimestamp": started,
                "endTimestamp": ended,
                "totalProcessingTimeS": (
                    None if started is None or ended is None else (ended - started) / 1000.0
                ),
            },
            "datasetInformation": {
                "datasetId": str(run_info["dataset_id"]),
                "datasetName": str(run_info.get("dataset_name") or ""),
                "datasetUrl": None,
                "datasetSizes": sizes,
            },
            "modelInformation": {
                "trained": bool(run_info.get("model_trained", False)),
                "description": str(run_info.get("model_description") or ""),
            },
            "configSummary": dict(run_info.get("config_summary") or {}),
            "selectionInformation": _selection(outputs),
            "annotationSavings": annotation_savings(sizes["nRemoved"], settings),
            "selectedAndRemovedImageExamples": examples,
        },
        "datasetAnalysis": {
            "embeddingInformation": _embedding_section(outputs, sets, settings, notes),
            "metadataInformation": _metadata_section(outputs, sets, notes),
        },
        "predictionTaskInformation": _predictions_section(outputs, sets, notes),
        "notes": notes,
    }
    return report


def thumbnails_for(
    report: Mapping[str, Any],
    read: Callable[[str], bytes] | None,
    size: int = 256,
) -> dict[str, bytes]:
    """PNG thumbnails of the example pairs' images; unreadable ones are left out (and noted)."""
    general = report["generalInformation"]
    names = sorted(
        {p["selectedImage"] for p in general["selectedAndRemovedImageExamples"]}
        | {p["removedImage"] for p in general["selectedAndRemovedImageExamples"]}
    )
    out: dict[str, bytes] = {}
    if read is None:
        if names:
            report["notes"].append("The input images were not reachable: no thumbnails.")
        return out
    missing = []
    for name in names:
        try:
            with Image.open(io.BytesIO(read(name))) as img:
                img.draft("RGB", (size, size))
                thumb = ImageOps.exif_transpose(img).convert("RGB")
                thumb.thumbnail((size, size))
                buf = io.BytesIO()
                thumb.save(buf, format="PNG")
                out[name] = buf.getvalue()
        except Exception as exc:  # a thumbnail must never fail the report
            log.warning("no thumbnail for %s: %s", name, exc)
            missing.append(name)
    if missing:
        report["notes"].append(
            f"{len(missing)} example image(s) could not be read for thumbnails: "
            + ", ".join(missing[:5])
        )
    return out
