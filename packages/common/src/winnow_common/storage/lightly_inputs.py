"""The inputs users put under ``.lightly/`` in the LIGHTLY datasource: keys and documents.

The GPU worker reads custom metadata and predictions from these keys (``ml/custom_metadata.py``,
``ml/predictions.py``, Lightly's datasource format); the API writes them when a client uploads
metadata or predictions (``upload_custom_metadata``, ``create_or_update_prediction*``,
``create_custom_metadata_config``), so both paths land in one store. Keys are relative to the
LIGHTLY datasource root:

* ``.lightly/metadata/<input filename, extension replaced by .json>``:
  ``{"file_name": ..., "type": "image", "metadata": {...}}``;
* ``.lightly/metadata/schema.json``: a list of lightly ``ConfigurationEntry`` objects;
* ``.lightly/predictions/tasks.json``: the list of task names;
* ``.lightly/predictions/<task>/schema.json``: ``{"task_type": "object-detection", "categories"}``;
* ``.lightly/predictions/<task>/<input filename, extension replaced by .json>``:
  ``{"file_name": ..., "predictions": [{"category_id", "score", ...}]}``.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any, Final

METADATA_DIR: Final[str] = ".lightly/metadata/"
METADATA_SCHEMA_KEY: Final[str] = METADATA_DIR + "schema.json"
PREDICTIONS_DIR: Final[str] = ".lightly/predictions/"
PREDICTION_TASKS_KEY: Final[str] = PREDICTIONS_DIR + "tasks.json"


def _stem(filename: str) -> str:
    return posixpath.splitext(filename)[0]


def metadata_key(filename: str) -> str:
    """The per-file custom metadata key of an input file (``a/b.png`` -> ``.../a/b.json``)."""
    return f"{METADATA_DIR}{_stem(filename)}.json"


def prediction_schema_key(task: str) -> str:
    """The ``schema.json`` of a prediction task."""
    return f"{PREDICTIONS_DIR}{task}/schema.json"


def prediction_key(task: str, filename: str) -> str:
    """The prediction file of an input file for ``task``."""
    return f"{PREDICTIONS_DIR}{task}/{_stem(filename)}.json"


def file_task_type(api_type: str) -> str:
    """The task type as the datasource files spell it (``OBJECT_DETECTION`` ->
    ``object-detection``)."""
    return api_type.strip().lower().replace("_", "-")


def api_task_type(file_type: str) -> str:
    """The task type as the API spells it (``object-detection`` -> ``OBJECT_DETECTION``); the
    worker accepts either spelling in ``schema.json``."""
    return file_type.strip().upper().replace("-", "_")


def json_bytes(document: Any) -> bytes:
    """The bytes written for a JSON document (compact, keys in the order given)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def metadata_document(filename: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """A per-file custom metadata document in Lightly's datasource format."""
    return {"file_name": filename, "type": "image", "metadata": metadata}


def prediction_document(filename: str, predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """A per-file prediction document in Lightly's datasource format."""
    return {"file_name": filename, "predictions": predictions}
