"""The dashboard's galleries of a run: corrupt files with their reasons, exact duplicates with
the file each duplicates, removed samples with their nearest selected sample, and histograms of
the per-sample metadata. Read from the run's output folder in the LIGHTLY datasource.

``prepare`` reads the database (access: the run's starter, the dataset's owner and
collaborators, 404 otherwise); the route ends the transaction before ``build`` reads storage.
Thumbnails are signed, token-free URLs of the INPUT datasource's files, relative to this server
(the page loads them from its own origin).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.orm import Session

from winnow_api.datasources import reading
from winnow_api.datasources import service as datasource_service
from winnow_api.runs import service as run_service
from winnow_api.signing import signed_url
from winnow_common.db.models import User
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import ObjectNotFound
from winnow_common.run_metadata import flatten, is_number, metadata_records
from winnow_common.schemas.worker_config import WorkerConfigV4, object_level_task
from winnow_common.storage import RunKeys
from winnow_common.storage.keys import crop_image_key, frame_image_key
from winnow_common.video_frames import frame_video, video_lookup

MAX_PAIRS = 200
MAX_ITEMS = 500  # corrupt files and duplicates shown (the counts give the totals)
MAX_BINS = 20
# Rows of removed samples compared at once: keeps the distance block near 16M floats.
_BLOCK_FLOATS = 1 << 24


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class CorruptFile(_Model):
    file_name: str
    reason: str
    url: str


class Duplicate(_Model):
    file_name: str
    of: str
    url: str
    of_url: str


class Pair(_Model):
    """A removed sample and the selected sample nearest to it in embedding space."""

    removed: str
    selected: str
    distance: float
    removed_url: str
    selected_url: str


class Histogram(_Model):
    """``counts[i]`` samples fall in ``[edges[i], edges[i+1])`` (the last bin is closed)."""

    name: str
    edges: list[float]
    counts: list[int]
    n_missing: int


class Counts(_Model):
    n_samples: int
    n_corrupt: int
    n_duplicates: int
    n_selected: int
    n_removed: int


class Galleries(_Model):
    run_id: str
    dataset_id: str
    state: str
    available: bool  # False: the run wrote no outputs (yet)
    counts: Counts
    corrupt: list[CorruptFile]
    duplicates: list[Duplicate]
    pairs: list[Pair]
    histograms: list[Histogram]


@dataclass(frozen=True)
class Prepared:
    """What ``build`` needs from the database, read before storage is touched."""

    run_id: str
    dataset_id: str
    state: str
    source: reading.OpenSource


def prepare(session: Session, user: User, run_id: str) -> Prepared:
    """Check the caller may read the run (404 naming ``runId``) and open its LIGHTLY store."""
    run = run_service.get_readable(session, user, run_id)
    lightly = datasource_service.configured_source(
        session, run.dataset_id, DatasourcePurpose.LIGHTLY
    )
    return Prepared(run.id, run.dataset_id, run.state, reading.open_source(lightly))


def _signed(dataset_id: str, source: str, key: str) -> str:
    """A signed URL of a datasource file, as a path on this server (same origin as the page)."""
    parts = urlsplit(signed_url(reading.file_path(dataset_id, source, key)))
    return f"{parts.path}?{parts.query}"


UrlOf = Callable[[str, str], str]


def _sample_urls(prepared: Prepared, keys: RunKeys) -> tuple[UrlOf, UrlOf]:
    """``url(dataset_id, name)`` of a file's image and of a sample's image (the embedded
    samples). A file is an INPUT file, or a video frame where the worker extracted it; the
    samples of an object-level run are crops, also in the LIGHTLY datasource. Frames and crops
    that were not selected have no image."""
    raw_videos = _read(prepared, keys.videos)
    lookup = (
        video_lookup(v["video"] for v in json.loads(raw_videos)["videos"]) if raw_videos else {}
    )
    raw_config = _read(prepared, keys.config)
    cfg = WorkerConfigV4.model_validate(json.loads(raw_config)) if raw_config else None
    crops = cfg is not None and object_level_task(cfg) is not None

    def file_url(dataset_id: str, name: str) -> str:
        if lookup and frame_video(name, lookup) is not None:
            return _signed(dataset_id, "lightly", frame_image_key(name))
        return _signed(dataset_id, "input", name)

    def sample_url(dataset_id: str, name: str) -> str:
        if crops:
            return _signed(dataset_id, "lightly", crop_image_key(name))
        return file_url(dataset_id, name)

    return file_url, sample_url


def _read(prepared: Prepared, key: str) -> bytes | None:
    with reading.storage_errors(prepared.source.where):
        try:
            return prepared.source.store.read(key)
        except ObjectNotFound:
            return None


def _lines(data: bytes | None) -> list[str]:
    return [line for line in (data or b"").decode().splitlines() if line]


def build(prepared: Prepared) -> Galleries:
    """Read the run folder and compute the galleries (storage only)."""
    keys = RunKeys.for_run(prepared.run_id)
    raw_embeddings = _read(prepared, keys.embeddings_csv)
    corrupt: dict[str, str] = {}
    raw_corrupt = _read(prepared, keys.corruptness_info)
    if raw_corrupt:
        corrupt = json.loads(raw_corrupt).get("corrupt_samples") or {}
    raw_duplicates = _read(prepared, keys.exact_duplicates)
    duplicates: dict[str, str] = json.loads(raw_duplicates) if raw_duplicates else {}
    selected = _lines(_read(prepared, keys.filenames("selected")))
    removed = _lines(_read(prepared, keys.filenames("removed")))
    names: list[str] = []
    pairs: list[Pair] = []
    url, sample_url = _sample_urls(prepared, keys)
    if raw_embeddings:
        names, embeddings, _ = read_embeddings_csv(raw_embeddings)
        pairs = nearest_pairs(prepared.dataset_id, names, embeddings, selected, removed, sample_url)
    ds = prepared.dataset_id
    return Galleries(
        run_id=prepared.run_id,
        dataset_id=ds,
        state=prepared.state,
        available=raw_embeddings is not None,
        counts=Counts(
            n_samples=len(names),
            n_corrupt=len(corrupt),
            n_duplicates=len(duplicates),
            n_selected=len(selected),
            n_removed=len(removed),
        ),
        corrupt=[
            CorruptFile(file_name=name, reason=str(reason), url=url(ds, name))
            for name, reason in sorted(corrupt.items())[:MAX_ITEMS]
        ],
        duplicates=[
            Duplicate(file_name=name, of=of, url=url(ds, name), of_url=url(ds, of))
            for name, of in sorted(duplicates.items())[:MAX_ITEMS]
        ],
        pairs=pairs,
        histograms=histograms(names, _read(prepared, keys.metadata)),
    )


def nearest_selected(
    embeddings: np.ndarray, removed_rows: list[int], selected_rows: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """For each removed row: the index (into ``selected_rows``) of the nearest selected row and
    the Euclidean distance to it, computed in blocks so memory stays bounded."""
    chosen = embeddings[selected_rows].astype(np.float64)
    chosen_sq = np.einsum("ij,ij->i", chosen, chosen)
    block = max(1, _BLOCK_FLOATS // max(1, len(selected_rows)))
    best = np.empty(len(removed_rows), dtype=np.int64)
    distance = np.empty(len(removed_rows), dtype=np.float64)
    for start in range(0, len(removed_rows), block):
        rows = embeddings[removed_rows[start : start + block]].astype(np.float64)
        sq = np.einsum("ij,ij->i", rows, rows)[:, None] + chosen_sq[None, :] - 2 * rows @ chosen.T
        nearest = np.argmin(sq, axis=1)
        # The distance of each chosen pair, exactly (the expansion above loses digits).
        diffs = rows - chosen[nearest]
        best[start : start + len(rows)] = nearest
        distance[start : start + len(rows)] = np.sqrt(np.einsum("ij,ij->i", diffs, diffs))
    return best, distance


def nearest_pairs(
    dataset_id: str,
    names: list[str],
    embeddings: np.ndarray,
    selected: list[str],
    removed: list[str],
    url: UrlOf,
) -> list[Pair]:
    """The removed samples closest to a selected one first (at most ``MAX_PAIRS``)."""
    index = {name: i for i, name in enumerate(names)}
    selected_rows = [index[n] for n in selected if n in index]
    removed_names = [n for n in removed if n in index]
    if not selected_rows or not removed_names:
        return []
    best, distance = nearest_selected(embeddings, [index[n] for n in removed_names], selected_rows)
    order = np.argsort(distance, kind="stable")[:MAX_PAIRS]
    pairs = []
    for i in order.tolist():
        near = names[selected_rows[int(best[i])]]
        pairs.append(
            Pair(
                removed=removed_names[i],
                selected=near,
                distance=float(distance[i]),
                removed_url=url(dataset_id, removed_names[i]),
                selected_url=url(dataset_id, near),
            )
        )
    return pairs


def metadata_columns(names: list[str], raw: bytes | None) -> dict[str, np.ndarray]:
    """Numeric columns of ``data/metadata.jsonl`` aligned with ``names`` (NaN: no value):
    ``lightly.<key>`` computed by the worker and ``custom.<path>`` from custom metadata."""
    columns: dict[str, np.ndarray] = {}
    for i, record in metadata_records(raw, names):
        values = flatten(record.get("lightly") or {}, "lightly.")
        values |= flatten(record.get("custom") or {}, "custom.")
        for key, value in values.items():
            if is_number(value):
                if key not in columns:
                    columns[key] = np.full(len(names), np.nan)
                columns[key][i] = value
    return columns


def histograms(names: list[str], raw_metadata: bytes | None) -> list[Histogram]:
    """One histogram per numeric metadata column, ``lightly.*`` first, then custom ones."""
    columns = metadata_columns(names, raw_metadata)
    out = []
    for name in sorted(columns, key=lambda k: (not k.startswith("lightly."), k)):
        column = columns[name]
        values = column[~np.isnan(column)]
        if len(values) and values.min() == values.max():
            # One value: one bin [v, v] (numpy would invent the range v - 0.5 .. v + 0.5).
            counts, edges = np.array([len(values)]), np.array([values[0], values[0]])
        else:
            n_bins = max(1, min(MAX_BINS, math.ceil(math.sqrt(len(values))) + 2))
            counts, edges = np.histogram(values, bins=n_bins)
        out.append(
            Histogram(
                name=name,
                edges=[float(e) for e in edges],
                counts=[int(c) for c in counts],
                n_missing=int(len(column) - len(values)),
            )
        )
    return out
