"""Custom metadata of a Lightly datasource (``.lightly/metadata/``).

Format (Lightly Worker docs, "Add Metadata to a Datasource", ``datasource_metadata.rst`` in
``lightly-ai/lightly``; field types from the API's ``ConfigurationEntry`` /
``ConfigurationValueDataType`` models), all keys relative to the LIGHTLY datasource root:

* ``.lightly/metadata/schema.json`` (optional): a list of entries
  ``{"name": <display name>, "path": <dot path, e.g. "weather.temperature" or "a[0].b">,
  "defaultValue": <fallback>, "valueDataType": NUMERIC_INT | NUMERIC_FLOAT | CATEGORICAL_STRING |
  CATEGORICAL_INT | CATEGORICAL_BOOLEAN | CATEGORICAL_DATETIME | CATEGORICAL_TIMESTAMP |
  OTHER_STRING}``. The default is used when the path cannot be resolved for a sample or the
  value is null.
* One file per input file: ``.lightly/metadata/<input filename with its extension replaced by
  .json>`` (``subdir/img.png`` -> ``.lightly/metadata/subdir/img.json``) containing
  ``{"file_name": "subdir/img.png", "type": "image" | "video" | "frame", "metadata": {...}}``
  where ``metadata`` is an arbitrary (nested) JSON object.

Winnow extension: the COCO-like single file of Lightly's custom-metadata *upload* format
(``{"images": [{"file_name", "id"}], "metadata": [{"image_id", ...}]}``, Lightly Platform docs
"Custom Metadata") is also accepted at ``.lightly/metadata/custom_metadata.json``; every metadata
entry (minus ``image_id``) becomes the record of its image. A per-file JSON file replaces that
record as a whole for the same filename. The two reserved names directly in
``.lightly/metadata/`` (``schema.json``, ``custom_metadata.json``) are never per-file records.

A video's file (``"type": "video"``, e.g. ``.lightly/metadata/clips/v.json`` for ``clips/v.mp4``)
is the record of each of its frames that has no ``"type": "frame"`` file of its own
(``.lightly/metadata/clips/v-007-mp4.json``).

When two input files share a metadata file (``a.png`` and ``a.jpg`` -> ``a.json``) and the
record's ``file_name`` names one of them, only that one gets it; otherwise all of them do.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from winnow_gpu_worker.ml.lightly_files import (
    ListFiles,
    ReadFile,
    listing,
    parse_json,
    read_json_files,
)

METADATA_DIR: Final[str] = ".lightly/metadata/"
SCHEMA_KEY: Final[str] = METADATA_DIR + "schema.json"
COCO_KEY: Final[str] = METADATA_DIR + "custom_metadata.json"

NUMERIC_TYPES: Final[frozenset[str]] = frozenset({"NUMERIC_INT", "NUMERIC_FLOAT"})
CATEGORICAL_TYPES: Final[frozenset[str]] = frozenset(
    {
        "CATEGORICAL_STRING",
        "CATEGORICAL_INT",
        "CATEGORICAL_BOOLEAN",
        "CATEGORICAL_DATETIME",
        "CATEGORICAL_TIMESTAMP",
        "OTHER_STRING",
    }
)
VALUE_DATA_TYPES: Final[frozenset[str]] = NUMERIC_TYPES | CATEGORICAL_TYPES


@dataclass(frozen=True)
class MetadataSchemaEntry:
    """One entry of ``schema.json``."""

    name: str
    path: str
    default_value: Any
    value_data_type: str

    @property
    def is_numeric(self) -> bool:
        """True for ``NUMERIC_INT`` / ``NUMERIC_FLOAT``."""
        return self.value_data_type in NUMERIC_TYPES


def metadata_key(filename: str) -> str:
    """The per-file metadata key of an input file (its extension replaced by ``.json``)."""
    return METADATA_DIR + posixpath.splitext(filename)[0] + ".json"


def _listing(list_files: ListFiles) -> set[str]:
    return listing(list_files, METADATA_DIR)


def load_metadata_schema(list_files: ListFiles, read: ReadFile) -> list[MetadataSchemaEntry]:
    """Read ``.lightly/metadata/schema.json``; an empty list if there is none.

    Raises ``ValueError`` if it is not a list of ``{name, path, defaultValue, valueDataType}``
    entries with a known ``valueDataType``.
    """
    if SCHEMA_KEY not in _listing(list_files):
        return []
    return parse_metadata_schema(parse_json(read(SCHEMA_KEY), SCHEMA_KEY))


def parse_metadata_schema(raw: Any) -> list[MetadataSchemaEntry]:
    """Validate the parsed JSON of ``schema.json``; see :func:`load_metadata_schema`."""
    if not isinstance(raw, list):
        raise ValueError(f"{SCHEMA_KEY} must be a list of entries, got {type(raw).__name__}")
    entries = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValueError(f"{SCHEMA_KEY} entry {i} must be an object")
        path = item.get("path")
        if not isinstance(path, str) or not path:
            raise ValueError(f"{SCHEMA_KEY} entry {i} needs a non-empty string 'path'")
        value_type = item.get("valueDataType")
        if value_type not in VALUE_DATA_TYPES:
            raise ValueError(
                f"{SCHEMA_KEY} entry {i} ({path}): valueDataType {value_type!r} is not one of "
                f"{', '.join(sorted(VALUE_DATA_TYPES))}"
            )
        name = item.get("name")
        entries.append(
            MetadataSchemaEntry(
                name=name if isinstance(name, str) and name else path,
                path=path,
                default_value=item.get("defaultValue"),
                value_data_type=value_type,
            )
        )
    return entries


def _coco_records(raw: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("images"), list):
        raise ValueError(f"{COCO_KEY} must be an object with an 'images' list")
    names: dict[Any, str] = {}
    for image in raw["images"]:
        if isinstance(image, dict) and isinstance(image.get("file_name"), str):
            names[image.get("id")] = image["file_name"]
    records: dict[str, dict[str, Any]] = {}
    for entry in raw.get("metadata") or []:
        if not isinstance(entry, dict) or entry.get("image_id") not in names:
            continue
        filename = names[entry["image_id"]]
        record = {k: v for k, v in entry.items() if k != "image_id"}
        records.setdefault(filename, {}).update(record)
    return records


def load_custom_metadata(
    list_files: ListFiles,
    read: ReadFile,
    filenames: Sequence[str],
    *,
    max_workers: int = 16,
    videos: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Load the custom metadata record (the nested ``metadata`` object) of each filename.

    ``list_files(prefix)`` and ``read(key)`` are the LIGHTLY datasource's listing and reader
    (keys relative to its root); ``filenames`` are input-datasource paths. The metadata folder is
    listed once and only existing per-file JSON files are read (``max_workers`` reads run in
    parallel threads). Returns ``{filename: metadata}`` for the files that have a record; files
    without one are absent. Raises ``ValueError`` for invalid JSON or a per-file document
    without an object ``metadata``. ``videos`` maps frame names to their video: a frame without a
    record of its own gets its video's record (a document with ``"type": "video"``).
    """
    wanted = set(filenames)
    listing = _listing(list_files)
    records: dict[str, dict[str, Any]] = {}
    if COCO_KEY in listing:
        coco = _coco_records(parse_json(read(COCO_KEY), COCO_KEY))
        records.update({name: rec for name, rec in coco.items() if name in wanted})

    by_key: dict[str, list[str]] = {}
    for filename in wanted:
        key = metadata_key(filename)
        if key in listing and key not in (SCHEMA_KEY, COCO_KEY):
            by_key.setdefault(key, []).append(filename)

    documents = read_json_files(by_key, read, max_workers)

    for key, doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
            raise ValueError(f"{key} must be an object with a 'metadata' object")
        candidates = by_key[key]
        owner = doc.get("file_name")
        targets = [owner] if owner in candidates else candidates
        for filename in targets:
            records[filename] = doc["metadata"]
    if videos:
        _inherit_video_records(records, wanted, videos, listing, read, max_workers)
    return records


def _inherit_video_records(
    records: dict[str, dict[str, Any]],
    wanted: set[str],
    videos: Mapping[str, str],
    listing: set[str],
    read: ReadFile,
    max_workers: int,
) -> None:
    """Frames without a record take their video's (``"type": "video"``) record."""
    frames_by_key: dict[str, list[str]] = {}
    for frame in wanted:
        video = videos.get(frame)
        if video is not None and frame not in records:
            key = metadata_key(video)
            if key in listing:
                frames_by_key.setdefault(key, []).append(frame)
    for key, doc in read_json_files(frames_by_key, read, max_workers):
        if not isinstance(doc, dict) or doc.get("type") != "video":
            continue
        if not isinstance(doc.get("metadata"), dict):
            raise ValueError(f"{key} must be an object with a 'metadata' object")
        for frame in frames_by_key[key]:
            records[frame] = doc["metadata"]


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split_path(path: str) -> list[str | int] | None:
    tokens: list[str | int] = []
    for part in path.split("."):
        if not part:
            return None
        pos = 0
        while pos < len(part):
            match = _PATH_TOKEN.match(part, pos)
            if match is None:
                return None
            tokens.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
            pos = match.end()
    return tokens


_MISSING = object()


def resolve_path(record: Mapping[str, Any], path: str) -> Any:
    """Look up a dot path (``weather.temperature``, ``cams[0].id``) in a nested record.

    Returns ``None`` if any step is missing (a literal top-level key equal to ``path`` is tried
    first, for keys that themselves contain dots).
    """
    if path in record:
        return record[path]
    tokens = _split_path(path)
    if tokens is None:
        return None
    value: Any = record
    for token in tokens:
        if isinstance(token, int):
            if not isinstance(value, list) or token >= len(value):
                return None
            value = value[token]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(token, _MISSING)
            if value is _MISSING:
                return None
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return math.nan
    return math.nan


def _as_category(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)  # true/false, ints and floats as in the JSON source


def metadata_values(
    records: Mapping[str, Mapping[str, Any]],
    key: str,
    filenames: Sequence[str],
    schema: Sequence[MetadataSchemaEntry] | None = None,
) -> np.ndarray | list[str | None]:
    """The value of metadata path ``key`` for each filename, numeric or categorical.

    ``records`` comes from :func:`load_custom_metadata`. If ``schema`` has an entry whose
    ``path`` equals ``key``, its ``valueDataType`` decides the kind and its ``defaultValue``
    replaces values that are missing or null. Without one the kind is detected: numeric if every
    present value is an int/float (booleans are categorical), else categorical; a key no file
    has is numeric (all NaN).

    Numeric -> float64 array, NaN where missing or not convertible (numeric strings are
    parsed). Categorical -> list of ``str | None`` (None where missing): strings unchanged,
    other scalars in JSON spelling (``true``, ``3``, ``2.5``; integral floats as ints so
    ``3.0`` and ``3`` are one category). Objects and lists are not scalar values and count as
    missing.
    """
    entry = next((e for e in schema or () if e.path == key), None)
    raw: list[Any] = []
    for filename in filenames:
        record = records.get(filename)
        value = resolve_path(record, key) if record is not None else None
        if isinstance(value, dict | list):
            value = None
        if value is None and entry is not None:
            value = entry.default_value
        raw.append(value)

    if entry is not None:
        numeric = entry.is_numeric
    else:
        present = [v for v in raw if v is not None]
        numeric = all(_is_number(v) for v in present)
    if numeric:
        return np.array([math.nan if v is None else _as_float(v) for v in raw], dtype=np.float64)
    return [_as_category(v) for v in raw]


def is_numeric_metadata(
    records: Mapping[str, Mapping[str, Any]],
    key: str,
    filenames: Sequence[str],
    schema: Sequence[MetadataSchemaEntry] | None = None,
) -> bool:
    """True if :func:`metadata_values` treats ``key`` as numeric for these files."""
    return isinstance(metadata_values(records, key, filenames, schema), np.ndarray)
