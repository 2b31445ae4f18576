"""Model predictions stored in a Lightly datasource (``.lightly/predictions/``).

Format (Lightly Worker docs, "Add Predictions to a Datasource", ``datasource_predictions.rst``
in ``lightly-ai/lightly`` before commit ``fc722bf0``), keys relative to the LIGHTLY datasource:

* ``.lightly/predictions/tasks.json``: a JSON list of task names; only listed tasks exist, and
  each name is the subfolder of that task.
* ``.lightly/predictions/<task>/schema.json``: ``{"task_type": "classification" |
  "object-detection" | "semantic-segmentation" | ..., "categories": [{"id": int, "name": str},
  ...]}`` (COCO categories). ``task_type`` is also accepted in the API's spelling
  (``OBJECT_DETECTION``) and normalised to the lower-case hyphenated form.
* ``.lightly/predictions/<task>/<input filename with its extension replaced by .json>``:
  ``{"file_name": "subdir/img.png", "predictions": [singleton, ...]}`` with COCO-results style
  singletons ``{"category_id": int, "bbox": [x, y, w, h] (pixels, object detection),
  "score": float, "probabilities": [p per category, in category-id order] (optional)}``;
  other keys (``segmentation`` RLE, ``keypoints``) are kept in :attr:`Prediction.extra`.

A file without a prediction file has no predictions (an empty list). Every loaded prediction is
validated against the schema, as the Lightly Worker does: an unknown ``category_id``, a
``probabilities`` vector of the wrong length or a malformed ``bbox`` raises ``ValueError``.
Class-distribution columns are the schema categories sorted by id.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from winnow_gpu_worker.ml.lightly_files import (
    ListFiles,
    ReadFile,
    listing,
    parse_json,
    read_json_files,
)

PREDICTIONS_DIR: Final[str] = ".lightly/predictions/"
TASKS_KEY: Final[str] = PREDICTIONS_DIR + "tasks.json"

CLASSIFICATION: Final[str] = "classification"
OBJECT_DETECTION: Final[str] = "object-detection"
#: Task types of the Lightly docs and the API's ``TaskType`` enum, in the docs' spelling.
TASK_TYPES: Final[tuple[str, ...]] = (
    CLASSIFICATION,
    OBJECT_DETECTION,
    "semantic-segmentation",
    "instance-segmentation",
    "keypoint-detection",
)

_KNOWN_KEYS = frozenset({"category_id", "score", "bbox", "probabilities"})


@dataclass(frozen=True)
class Category:
    """One category of a prediction schema."""

    id: int
    name: str


@dataclass(frozen=True)
class PredictionSchema:
    """A task's ``schema.json``: its type and categories (sorted by id)."""

    task_type: str
    categories: tuple[Category, ...]
    _index: Mapping[int, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.categories, key=lambda c: c.id))
        object.__setattr__(self, "categories", ordered)
        object.__setattr__(self, "_index", {c.id: i for i, c in enumerate(ordered)})

    @property
    def category_names(self) -> list[str]:
        """Category names in column order (ascending id)."""
        return [c.name for c in self.categories]

    @property
    def num_categories(self) -> int:
        """Number of categories (columns of :func:`class_distribution`)."""
        return len(self.categories)

    def column(self, category_id: int) -> int:
        """Column index of a category id; ``KeyError`` if the schema lacks it."""
        return self._index[category_id]


@dataclass(frozen=True)
class Prediction:
    """One prediction singleton (a class prediction or one detected object)."""

    category_id: int
    score: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    probabilities: tuple[float, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class TaskPredictions:
    """All loaded predictions of one task: ``by_file`` maps input filenames to predictions."""

    task: str
    schema: PredictionSchema
    by_file: Mapping[str, Sequence[Prediction]]

    @property
    def task_type(self) -> str:
        """The normalised task type (one of :data:`TASK_TYPES`)."""
        return self.schema.task_type

    def for_file(self, filename: str) -> Sequence[Prediction]:
        """The predictions of ``filename``; empty if it has no prediction file."""
        return self.by_file.get(filename, ())


def normalize_task_type(raw: Any) -> str:
    """``"OBJECT_DETECTION"`` / ``"object-detection"`` -> ``"object-detection"``."""
    text = str(raw).strip().lower().replace("_", "-") if isinstance(raw, str) else ""
    if text not in TASK_TYPES:
        raise ValueError(f"unknown task_type {raw!r}; expected one of {', '.join(TASK_TYPES)}")
    return text


def prediction_key(task: str, filename: str) -> str:
    """The prediction-file key of an input file for ``task``."""
    return f"{PREDICTIONS_DIR}{task}/{posixpath.splitext(filename)[0]}.json"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_prediction_schema(raw: Any, where: str = "schema.json") -> PredictionSchema:
    """Validate a parsed ``schema.json``; ``ValueError`` naming ``where`` if invalid."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object with 'task_type' and 'categories'")
    try:
        task_type = normalize_task_type(raw.get("task_type"))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    items = raw.get("categories")
    if not isinstance(items, list) or not items:
        raise ValueError(f"{where} needs a non-empty 'categories' list of {{id, name}}")
    categories: list[Category] = []
    for item in items:
        if not isinstance(item, dict) or not _is_int(item.get("id")):
            raise ValueError(f"{where}: every category needs an integer 'id', got {item!r}")
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: category {item['id']} needs a non-empty 'name'")
        categories.append(Category(id=item["id"], name=name))
    ids = [c.id for c in categories]
    names = [c.name for c in categories]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}: category ids must be unique")
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: category names must be unique")
    return PredictionSchema(task_type=task_type, categories=tuple(categories))


def parse_prediction(raw: Any, schema: PredictionSchema, where: str) -> Prediction:
    """Validate one prediction singleton against ``schema``."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a prediction must be an object, got {raw!r}")
    category_id = raw.get("category_id")
    if not isinstance(category_id, int) or isinstance(category_id, bool):
        raise ValueError(f"{where}: 'category_id' must be an integer, got {category_id!r}")
    try:
        schema.column(category_id)
    except KeyError:
        known = ", ".join(str(c.id) for c in schema.categories)
        raise ValueError(
            f"{where}: category_id {category_id} is not in the task schema (ids: {known})"
        ) from None

    score = raw.get("score")
    if score is not None and not _is_number(score):
        raise ValueError(f"{where}: 'score' must be a finite number, got {score!r}")

    probabilities = raw.get("probabilities")
    probs: tuple[float, ...] | None = None
    if probabilities is not None:
        if not isinstance(probabilities, list) or not all(_is_number(p) for p in probabilities):
            raise ValueError(f"{where}: 'probabilities' must be a list of finite numbers")
        if len(probabilities) != schema.num_categories:
            raise ValueError(
                f"{where}: 'probabilities' has {len(probabilities)} values but the schema has "
                f"{schema.num_categories} categories"
            )
        if any(p < 0 for p in probabilities):
            raise ValueError(f"{where}: 'probabilities' must not be negative")
        probs = tuple(float(p) for p in probabilities)

    bbox = raw.get("bbox")
    box: tuple[float, float, float, float] | None = None
    if bbox is not None:
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)):
            raise ValueError(f"{where}: 'bbox' must be [x, y, width, height], got {bbox!r}")
        if bbox[2] < 0 or bbox[3] < 0:
            raise ValueError(f"{where}: 'bbox' width and height must not be negative")
        box = (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
    elif schema.task_type == OBJECT_DETECTION:
        raise ValueError(f"{where}: object-detection predictions need a 'bbox'")

    return Prediction(
        category_id=category_id,
        score=None if score is None else float(score),
        bbox=box,
        probabilities=probs,
        extra={k: v for k, v in raw.items() if k not in _KNOWN_KEYS},
    )


def load_tasks(list_files: ListFiles, read: ReadFile) -> list[str]:
    """The task names of ``.lightly/predictions/tasks.json``; empty if there is no such file."""
    if TASKS_KEY not in listing(list_files, PREDICTIONS_DIR):
        return []
    raw = parse_json(read(TASKS_KEY), TASKS_KEY)
    if not isinstance(raw, list) or not all(isinstance(t, str) and t for t in raw):
        raise ValueError(f"{TASKS_KEY} must be a list of task names")
    return list(raw)


def load_predictions(
    list_files: ListFiles,
    read: ReadFile,
    task: str,
    filenames: Sequence[str],
    *,
    max_workers: int = 16,
) -> TaskPredictions:
    """Load and validate the predictions of ``task`` for ``filenames``.

    ``list_files(prefix)`` / ``read(key)`` are the LIGHTLY datasource's listing and reader (keys
    relative to its root); ``filenames`` are input-datasource paths. The task folder is listed
    once and only existing prediction files are read (``max_workers`` parallel reads). When two
    input files share a prediction file (``a.png``/``a.jpg``) and its ``file_name`` names one of
    them, only that one gets it. Raises ``ValueError`` if ``task`` is not listed in
    ``tasks.json``, its ``schema.json`` is missing or invalid, or a prediction file is invalid.
    """
    tasks = load_tasks(list_files, read)
    if task not in tasks:
        listed = ", ".join(tasks) if tasks else "none"
        raise ValueError(
            f"prediction task {task!r} is not listed in {TASKS_KEY} (listed tasks: {listed})"
        )
    if task in (".", "..") or "/" in task or "\\" in task:
        raise ValueError(f"prediction task name {task!r} must be a plain folder name")
    task_dir = f"{PREDICTIONS_DIR}{task}/"
    task_files = listing(list_files, task_dir)
    schema_key = task_dir + "schema.json"
    if schema_key not in task_files:
        raise ValueError(f"prediction task {task!r} has no {schema_key}")
    schema = parse_prediction_schema(parse_json(read(schema_key), schema_key), schema_key)

    by_key: dict[str, list[str]] = {}
    for filename in set(filenames):
        key = prediction_key(task, filename)
        if key in task_files and key != schema_key:
            by_key.setdefault(key, []).append(filename)

    documents = read_json_files(by_key, read, max_workers)

    by_file: dict[str, list[Prediction]] = {}
    for key, doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("predictions"), list):
            raise ValueError(f"{key} must be an object with a 'predictions' list")
        parsed = [
            parse_prediction(item, schema, f"{key} prediction {i}")
            for i, item in enumerate(doc["predictions"])
        ]
        candidates = by_key[key]
        owner = doc.get("file_name")
        for filename in [owner] if owner in candidates else candidates:
            by_file[filename] = parsed
    return TaskPredictions(task=task, schema=schema, by_file=by_file)


def probability_vector(prediction: Prediction, num_categories: int, column: int) -> np.ndarray:
    """The prediction's ``probabilities``, or a one-hot vector of its category if it has none."""
    if prediction.probabilities is not None:
        return np.asarray(prediction.probabilities, dtype=np.float64)
    one_hot = np.zeros(num_categories, dtype=np.float64)
    one_hot[column] = 1.0
    return one_hot


def class_distribution(preds: TaskPredictions, filenames: Sequence[str]) -> np.ndarray:
    """The PREDICTIONS ``CLASS_DISTRIBUTION`` input: an ``(N, C)`` float64 array.

    Columns are the schema categories sorted by id. Classification: the probability vector of
    the file's (first) prediction, or a one-hot vector of its ``category_id`` if it has no
    probabilities. Other task types (object detection, ...): the SUM of the per-object
    probability vectors, or of one-hot vectors, i.e. per-category object counts (Lightly docs,
    selection "PREDICTIONS" input). Files without predictions get a zero row.
    """
    schema = preds.schema
    n_cat = schema.num_categories
    out = np.zeros((len(filenames), n_cat), dtype=np.float64)
    classification = preds.task_type == CLASSIFICATION
    for i, filename in enumerate(filenames):
        predictions = preds.for_file(filename)
        if classification:
            predictions = predictions[:1]
        for prediction in predictions:
            out[i] += probability_vector(prediction, n_cat, schema.column(prediction.category_id))
    return out


def category_count(
    preds: TaskPredictions,
    filenames: Sequence[str],
    categories: Sequence[str] | None = None,
) -> np.ndarray:
    """The PREDICTIONS ``CATEGORY_COUNT`` input: objects of ``categories`` per file, ``(N,)`` int64.

    Counts the predictions whose ``category_id`` names one of ``categories`` (all predictions
    if ``None``). Raises ``ValueError`` for a category name the schema does not have.
    """
    schema = preds.schema
    if categories is None:
        wanted = {c.id for c in schema.categories}
    else:
        by_name = {c.name: c.id for c in schema.categories}
        unknown = [name for name in categories if name not in by_name]
        if unknown:
            raise ValueError(
                f"unknown categories {unknown} for task {preds.task!r}; available: "
                f"{', '.join(schema.category_names)}"
            )
        wanted = {by_name[name] for name in categories}
    return np.array(
        [
            sum(1 for p in preds.for_file(filename) if p.category_id in wanted)
            for filename in filenames
        ],
        dtype=np.int64,
    )
