"""Listing a dataset's datasources page by page, as lightly's ``download_raw_*`` read them.

Three listings: raw samples (the INPUT datasource's input images, by the worker's rule), custom
metadata (``.lightly/metadata/**.json``) and predictions (``.lightly/predictions/<task>/**.json``)
of the LIGHTLY datasource. ``from``/``to`` keep files whose last-modified time (epoch seconds)
lies in ``[from, to]``. Pages come from the store's streaming listing (``iter_files``), never a
whole listing: the opaque cursor holds the listing's filters and the last key examined, so a
page costs one page of the store's listing however large the datasource is.

``relevantFilenames*`` keep only the files a relevant-filenames file names (``relevant.py``; the
cursor keeps which file, each page reads it again).

Divide and conquer splits the key space into shards at keys sampled in one streaming pass
(bounded memory), so the shards list every file exactly once.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from winnow_api.datasources.relevant import FILE_PARAM, RelevantSource
from winnow_common.errors import BadRequest
from winnow_common.input_files import IMAGE_EXTENSIONS, LIGHTLY_FOLDER, is_input_image
from winnow_common.relevant_files import RelevantFiles
from winnow_common.storage.datasource import DatasourceStore, ListedFile, iter_files
from winnow_common.storage.lightly_inputs import (
    METADATA_DIR,
    METADATA_SCHEMA_KEY,
    PREDICTIONS_DIR,
    prediction_schema_key,
)

PAGE_SIZE = 1000
MAX_PAGE_SIZE = 10_000
# A page examines at most this many keys per returned row, so a filter that matches nothing
# still answers quickly (an empty page with ``hasMore``).
SCAN_FACTOR = 20
MAX_SHARDS = 64
# Keys sampled per shard to place the divide-and-conquer boundaries.
_SAMPLES_PER_SHARD = 64
# Sorts right after every key under ``.lightly/`` and before any other key, both in S3's key
# order and in the folder-by-folder order some S3 servers list in (SeaweedFS).
_PAST_LIGHTLY = LIGHTLY_FOLDER + "\U0010ffff"
# The COCO-like upload file the worker also reads from ``.lightly/metadata/`` (not per file).
_METADATA_RESERVED = frozenset({METADATA_SCHEMA_KEY, METADATA_DIR + "custom_metadata.json"})


def _folder_order(key: str) -> list[str]:
    """Folder-by-folder order (``a/b.png`` before ``a-c.png``), as SeaweedFS lists."""
    return key.split("/")


# How a store orders keys: S3's (code points; AWS, MinIO, GCS, Azure, LocalStore) or folder by
# folder. A shard's end is compared in the store's order (found during the dnc pass).
ORDERS: dict[str, Callable[[str], Any]] = {"key": lambda key: key, "folder": _folder_order}


class Kind(StrEnum):
    """Which listing: its datasource, folder and which files count."""

    SAMPLES = "samples"
    METADATA = "metadata"
    PREDICTIONS = "predictions"


@dataclass(frozen=True)
class Listing:
    """One listing position: what is listed and how far (the cursor's content)."""

    kind: Kind
    task: str | None
    start: int
    end: int | None
    page_size: int
    after: str = ""
    # The last key of this shard (inclusive); ``None``: to the end.
    until: str | None = None
    order: str = "key"
    # The relevant-filenames file filtering the listing (``relevant.RelevantSource``).
    relevant_file: str | None = None
    relevant_run: str | None = None
    relevant_artifact: str | None = None

    @property
    def relevant(self) -> RelevantSource | None:
        """The relevant-filenames file this listing filters by (None: it lists everything)."""
        if self.relevant_file is None and self.relevant_run is None:
            return None
        return RelevantSource(self.relevant_file, self.relevant_run, self.relevant_artifact)

    @property
    def prefix(self) -> str:
        """The folder listed (relative to the datasource root)."""
        if self.kind is Kind.METADATA:
            return METADATA_DIR
        if self.kind is Kind.PREDICTIONS:
            return f"{PREDICTIONS_DIR}{self.task}/"
        return ""

    def accepts(self, found: ListedFile, relevant: RelevantFiles | None = None) -> bool:
        """True if the file is one this listing returns: its kind's rule, the relevant
        filenames (a metadata or prediction file by its sample's stem) and the time window."""
        if self.kind is Kind.SAMPLES:
            wanted = is_input_image(found.key)
        elif self.kind is Kind.METADATA:
            wanted = found.key.endswith(".json") and found.key not in _METADATA_RESERVED
        else:
            wanted = found.key.endswith(".json") and found.key != prediction_schema_key(
                str(self.task)
            )
        if wanted and relevant is not None:
            if self.kind is Kind.SAMPLES:
                wanted = relevant.matches(found.key)
            else:
                stem = found.key[len(self.prefix) : -len(".json")]
                wanted = relevant.matches_stem(stem, IMAGE_EXTENSIONS)
        if not wanted or found.modified is None:
            return wanted  # a store without modification times lists everything
        seconds = int(found.modified)
        return seconds >= self.start and (self.end is None or seconds <= self.end)


def check_task_name(task_name: str) -> str:
    """A prediction task name usable as one folder name (400 naming ``taskName`` if not)."""
    if not task_name or "/" in task_name or "\\" in task_name or task_name in (".", ".."):
        raise BadRequest(f"taskName: {task_name!r} is not a prediction task name")
    return task_name


def start(
    kind: Kind,
    task: str | None,
    start_s: int | None,
    end_s: int | None,
    page_size: int,
    relevant: RelevantSource | None = None,
) -> Listing:
    """The listing from its first key with the request's filters. ``to`` before ``from`` is an
    empty window, not an error: ``download_new_raw_samples`` asks for one when called twice
    within a second."""
    wanted = relevant or RelevantSource()
    return Listing(
        kind, task, start_s or 0, end_s, page_size,
        relevant_file=wanted.file_name, relevant_run=wanted.run_id,
        relevant_artifact=wanted.artifact_id,
    )  # fmt: skip


def encode_cursor(listing: Listing) -> str:
    """The opaque cursor of a listing position."""
    raw = json.dumps(asdict(listing), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, kind: Kind, task: str | None, relevant: RelevantSource | None = None
) -> Listing:
    """The position a cursor of this listing holds (400 naming ``cursor`` otherwise). The
    cursor keeps its relevant filenames; the request may repeat them (lightly's client does)
    but not name others."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        listing = Listing(**{**raw, "kind": Kind(raw["kind"])})
        valid = (
            isinstance(listing.after, str)
            and isinstance(listing.start, int)
            and isinstance(listing.page_size, int)
            and 1 <= listing.page_size <= MAX_PAGE_SIZE
            and listing.order in ORDERS
            and all(
                v is None or isinstance(v, str)
                for v in (listing.relevant_file, listing.relevant_run, listing.relevant_artifact)
            )
        )
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise BadRequest("cursor: not a cursor of this listing; start again without one")
    if listing.kind is not kind or listing.task != task:
        raise BadRequest(f"cursor: it belongs to the {listing.kind} listing ({listing.task})")
    if relevant is not None and relevant != listing.relevant:
        raise BadRequest(
            f"{FILE_PARAM}: the cursor lists other relevant filenames; start again without one"
        )
    return listing


def _scan(store: DatasourceStore, listing: Listing) -> Generator[ListedFile, None, None]:
    """The files after ``listing.after`` up to its shard's end, in key order; ``.lightly/`` is
    jumped over for raw samples (with one bucket for INPUT and LIGHTLY it may be huge)."""
    after = listing.after
    order = ORDERS[listing.order]
    end = None if listing.until is None else order(listing.until)
    while True:
        jumped = False
        for found in iter_files(store, listing.prefix, after):
            if end is not None and order(found.key) > end:
                return
            if listing.kind is Kind.SAMPLES and found.key.startswith(LIGHTLY_FOLDER):
                after, jumped = _PAST_LIGHTLY, True
                break
            yield found
        if not jumped:
            return


@dataclass(frozen=True)
class Page:
    """The keys of one page, the position after it, and whether more may follow."""

    keys: list[str]
    next: Listing
    has_more: bool


def page(store: DatasourceStore, listing: Listing, relevant: RelevantFiles | None = None) -> Page:
    """Up to ``page_size`` matching keys after the cursor's position (``relevant``: the parsed
    relevant-filenames file of ``listing.relevant``)."""
    keys: list[str] = []
    last = listing.after
    limit = listing.page_size * SCAN_FACTOR
    files = _scan(store, listing)
    for scanned, found in enumerate(files):
        if len(keys) >= listing.page_size or scanned >= limit:
            files.close()
            return Page(keys, replace(listing, after=last), True)
        last = found.key
        if listing.accepts(found, relevant):
            keys.append(found.key)
    return Page(keys, replace(listing, after=last), False)


def shards(
    store: DatasourceStore, listing: Listing, count: int, relevant: RelevantFiles | None = None
) -> list[Listing]:
    """``count`` (at most ``MAX_SHARDS``) consecutive key ranges that together hold the whole
    listing; fewer when there are fewer matching files. One shard costs no listing."""
    count = min(count, MAX_SHARDS)
    if count <= 1:
        return [listing]
    orders = set(ORDERS)
    sampled = _sample_keys(_accepted_keys(store, listing, orders, relevant), count)
    order = "key" if "key" in orders else min(orders, default="key")
    listing = replace(listing, order=order)
    indexes = (len(sampled) * i // count - 1 for i in range(1, count))
    bounds = sorted({sampled[i] for i in indexes if i >= 0})
    ranges: list[Listing] = []
    after = listing.after
    for bound in bounds:
        ranges.append(replace(listing, after=after, until=bound))
        after = bound
    ranges.append(replace(listing, after=after, until=listing.until))
    return ranges


def _accepted_keys(
    store: DatasourceStore, listing: Listing, orders: set[str], relevant: RelevantFiles | None
) -> Iterator[str]:
    """The listing's matching keys; ``orders`` keeps the orders the whole scan is sorted in."""
    previous: str | None = None
    for found in _scan(store, listing):
        if previous is not None:
            orders -= {n for n in orders if ORDERS[n](previous) >= ORDERS[n](found.key)}
        previous = found.key
        if listing.accepts(found, relevant):
            yield found.key


def _sample_keys(keys: Iterator[str], count: int) -> list[str]:
    """Evenly spaced keys of a stream of unknown length, in order, holding at most
    ``2 * count * _SAMPLES_PER_SHARD`` of them (every ``stride``-th key; the stride doubles
    whenever the buffer fills)."""
    capacity = count * _SAMPLES_PER_SHARD
    kept: list[str] = []
    stride = 1
    for seen, key in enumerate(keys):
        if seen % stride == 0:
            kept.append(key)
            if len(kept) >= 2 * capacity:
                kept = kept[::2]
                stride *= 2
    return kept
