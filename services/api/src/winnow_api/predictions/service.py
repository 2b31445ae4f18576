"""Prediction rules: task schemas and per-sample predictions live in the LIGHTLY datasource.

They are written in Lightly's datasource format at the keys the worker's PREDICTIONS and SCORES
inputs and the report read (``winnow_common.storage.lightly_inputs``): a task's ``schema.json``,
``tasks.json`` listing every task once, and one prediction file per sample and task. Every
prediction is checked against its task's schema first (type, category ids, probabilities,
keypoints), as the worker would check it, so a bad upload is a 422 now instead of a failed run.

Winnow keeps one version per task: ``predictionUUIDTimestamp`` is deprecated in lightly's API
("currently ignored") and the datasource layout has no versions, so a write replaces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.samples import lightly_inputs
from winnow_api.samples import service as sample_service
from winnow_common.db.models import User
from winnow_common.errors import InvalidInput
from winnow_common.schemas.wire_predictions import (
    KEYPOINT_DETECTION,
    PredictionSingleton,
    PredictionTaskSchemaKeypoint,
    PredictionTaskSchemaSimple,
)
from winnow_common.storage import DatasourceStore
from winnow_common.storage.lightly_inputs import (
    PREDICTION_TASKS_KEY,
    api_task_type,
    file_task_type,
    prediction_document,
    prediction_key,
    prediction_schema_key,
)

TaskSchema = PredictionTaskSchemaSimple | PredictionTaskSchemaKeypoint


def task_entity_id(dataset_id: str, task: str) -> str:
    """The id answered for a task schema: the same for every update of one task."""
    return hashlib.sha1(f"{dataset_id}/{task}".encode()).hexdigest()[:24]


def _check_categories(schema: TaskSchema) -> None:
    ids = [c.id for c in schema.categories]
    names = [c.name for c in schema.categories]
    if not ids:
        raise InvalidInput("categories: a task needs at least one category")
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"categories: category ids must be unique, got {ids}")
    if len(set(names)) != len(names):
        raise InvalidInput(f"categories: category names must be unique, got {names}")


def _schema_document(schema: TaskSchema) -> dict[str, Any]:
    """``schema.json`` in Lightly's datasource format (keypoint names kept when given)."""
    categories = []
    for category in schema.categories:
        entry: dict[str, Any] = {"id": category.id, "name": category.name}
        if isinstance(schema, PredictionTaskSchemaKeypoint):
            extra = category.model_dump(include={"keypoint_names", "keypoint_skeleton"})
            entry.update({k: v for k, v in extra.items() if v is not None})
        categories.append(entry)
    return {"task_type": file_task_type(schema.type), "categories": categories}


def _listed_tasks(store: DatasourceStore) -> list[str]:
    tasks = lightly_inputs.read_json(store, PREDICTION_TASKS_KEY)
    if tasks is None:
        return []
    if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        raise InvalidInput(f"datasource: {PREDICTION_TASKS_KEY} is not a list of task names")
    return tasks


def create_or_update_task(session: Session, user: User, dataset_id: str, body: TaskSchema) -> str:
    """Write the task's ``schema.json``, then list it in ``tasks.json`` (once); its id."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    _check_categories(body)
    store = lightly_inputs.lightly_store(session, dataset.id)
    tasks = _listed_tasks(store)
    lightly_inputs.write_json(store, prediction_schema_key(body.name), _schema_document(body))
    if body.name not in tasks:
        lightly_inputs.write_json(store, PREDICTION_TASKS_KEY, [*tasks, body.name])
    return task_entity_id(dataset.id, body.name)


class _StoredSchema:
    """A task's ``schema.json`` as the API checks predictions against it."""

    def __init__(self, task: str, raw: Any) -> None:
        where = f"datasource: {prediction_schema_key(task)}"
        if not isinstance(raw, dict) or not isinstance(raw.get("categories"), list):
            raise InvalidInput(f"{where} is not a task schema")
        self.task = task
        self.type = api_task_type(str(raw.get("task_type", "")))
        self.categories: dict[int, dict[str, Any]] = {}
        for category in raw["categories"]:
            if not isinstance(category, dict) or not isinstance(category.get("id"), int):
                raise InvalidInput(f"{where} has a category without an integer id")
            self.categories[category["id"]] = category

    def check(self, i: int, prediction: PredictionSingleton) -> None:
        """A 422 naming the field of prediction ``i`` that does not fit this schema."""
        where = f"prediction {i} of task {self.task!r}"
        if prediction.type != self.type:
            raise InvalidInput(f"type: {where} is {prediction.type}, the task is {self.type}")
        category = self.categories.get(prediction.category_id)
        if category is None:
            known = ", ".join(str(c) for c in sorted(self.categories))
            raise InvalidInput(
                f"categoryId: {where} has category {prediction.category_id}, which the task "
                f"schema does not have (ids: {known})"
            )
        probabilities = prediction.probabilities
        if probabilities is not None and len(probabilities) != len(self.categories):
            raise InvalidInput(
                f"probabilities: {where} has {len(probabilities)} values, the task has "
                f"{len(self.categories)} categories"
            )
        if prediction.type == KEYPOINT_DETECTION:
            self._check_keypoints(where, prediction, category)

    @staticmethod
    def _check_keypoints(where: str, prediction: Any, category: dict[str, Any]) -> None:
        keypoints: list[float] = prediction.keypoints
        if len(keypoints) % 3:
            raise InvalidInput(f"keypoints: {where} needs [x, y, visibility] triples")
        names = category.get("keypoint_names")
        if isinstance(names, list) and names and len(keypoints) != 3 * len(names):
            raise InvalidInput(
                f"keypoints: {where} has {len(keypoints) // 3} keypoints, its category names "
                f"{len(names)}"
            )


def _stored_schema(store: DatasourceStore, task: str, listed: list[str]) -> _StoredSchema:
    raw = lightly_inputs.read_json(store, prediction_schema_key(task)) if task in listed else None
    if raw is None:
        known = ", ".join(listed) or "none"
        raise InvalidInput(
            f"taskName: task {task!r} has no schema; create it first with "
            f"create_or_update_prediction_task_schema (tasks: {known})"
        )
    return _StoredSchema(task, raw)


def create_or_update_for_sample(
    session: Session,
    user: User,
    dataset_id: str,
    sample_id: str,
    predictions: Sequence[PredictionSingleton],
) -> str:
    """Replace the sample's prediction file of every task named in ``predictions`` (all are
    checked before any is written); the sample's id."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    sample = sample_service.get_in_dataset(session, dataset, sample_id)
    store = lightly_inputs.lightly_store(session, dataset.id)
    by_task: dict[str, list[dict[str, Any]]] = {}
    schemas: dict[str, _StoredSchema] = {}
    listed = _listed_tasks(store) if predictions else []
    for i, prediction in enumerate(predictions):
        task = prediction.task_name
        if task not in schemas:
            schemas[task] = _stored_schema(store, task, listed)
        schemas[task].check(i, prediction)
        by_task.setdefault(task, []).append(prediction.file_entry())
    for task, entries in by_task.items():
        document = prediction_document(sample.file_name, entries)
        lightly_inputs.write_json(store, prediction_key(task, sample.file_name), document)
    return sample.id
