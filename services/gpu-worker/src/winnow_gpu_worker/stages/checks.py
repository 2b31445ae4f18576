"""CHECKING_CORRUPTNESS: read every file once; corruptness, content hash, ``lightly.*`` metadata."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from winnow_common.errors import StorageError, StorageUnavailable
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.ml.corruptness import check_and_decode, check_image_bytes
from winnow_gpu_worker.ml.duplicates import content_hash
from winnow_gpu_worker.ml.metadata import compute_image_metadata

log = logging.getLogger(__name__)

# Object stores answer slowly per request; eight readers keep two cores busy decoding.
READ_THREADS = 8

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class CheckResult:
    """What the stage found: ``corrupt`` maps each bad file to its reason; the clean files get
    their content hash in ``hashes`` (if hashing was asked for) and their ``lightly.*`` values
    in ``metadata`` (if asked for and computable)."""

    corrupt: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)


# (name, reason if corrupt, content hash, metadata)
_Inspected = tuple[str, str | None, str | None, dict[str, Any] | None]


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read(store: DatasourceStore, name: str) -> tuple[bytes | None, str | None]:
    try:
        return store.read(name), None
    except StorageUnavailable:
        raise  # an outage says nothing about the file: the attempt waits or stops
    except StorageError as exc:
        return None, f"file is missing or not readable: {exc.message}"
    except Exception as exc:  # a store bug or an unexpected client error: still one bad file
        return None, f"file is missing or not readable: {_describe(exc)}"


def _inspect(
    store: DatasourceStore,
    name: str,
    check_corruptness: bool,
    hash_content: bool,
    compute_metadata: bool,
) -> _Inspected:
    data, reason = _read(store, name)
    if data is None:
        return name, reason, None, None
    image: Image.Image | None = None
    try:
        if check_corruptness:
            if compute_metadata:
                # One full-resolution decode serves both the check and the metadata.
                reason, image = check_and_decode(name, data)
            else:
                # Nothing needs the pixels: JPEGs are checked in (cheaper) draft mode.
                reason = check_image_bytes(name, data)
            if reason is not None:
                return name, reason, None, None
        digest = content_hash(data) if hash_content else None
        metadata = None
        if compute_metadata:
            try:
                # With image None (check off) this decodes ``data`` itself; an undecodable file
                # then has no metadata and the embedding stage reports it.
                metadata = compute_image_metadata(data, image=image)
            except Exception as exc:
                log.debug("no metadata for %s: %s", name, exc)
        return name, None, digest, metadata
    finally:
        if image is not None:
            image.close()


def check_files(
    store: DatasourceStore,
    names: list[str],
    *,
    check_corruptness: bool,
    hash_content: bool,
    compute_metadata: bool = True,
    threads: int | None = None,
    progress: ProgressCallback,
) -> CheckResult:
    """Read every file once and inspect it; a bad file is recorded, never raised.

    ``check_corruptness``: report files that are missing or unreadable, not images, truncated,
    undecodable or whose content does not match the extension (``CheckResult.corrupt``, in
    ``names`` order). A file that cannot be read is reported even with the check off.
    ``hash_content``: SHA-256 of every clean file (``CheckResult.hashes``).
    ``compute_metadata``: ``lightly.*`` metadata of every clean file
    (``CheckResult.metadata``); with the check on, the image decoded by the check is reused, so
    each file is decoded once. A file whose metadata cannot be computed keeps its hash and is
    not corrupt; it just has no metadata.
    ``threads``: parallel readers (``None``: :data:`READ_THREADS`; 1 runs in this thread).
    ``progress(done, total, note)`` is called after each file, in ``names`` order.
    """
    if threads is None:
        threads = READ_THREADS
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")

    def inspect(name: str) -> _Inspected:
        try:
            return _inspect(store, name, check_corruptness, hash_content, compute_metadata)
        except StorageUnavailable:
            raise
        except Exception as exc:  # a bug in a check must not stop the run or lose the file
            log.exception("could not inspect %s", name)
            return name, f"could not be inspected ({_describe(exc)})", None, None

    result = CheckResult()
    total = len(names)

    def collect(found: Iterable[_Inspected]) -> None:
        for done, (name, reason, digest, metadata) in enumerate(found, start=1):
            if reason is not None:
                result.corrupt[name] = reason
                log.warning("corrupt: %s (%s)", name, reason)
            else:
                if digest is not None:
                    result.hashes[name] = digest
                if metadata is not None:
                    result.metadata[name] = metadata
            progress(done, total, f"{len(result.corrupt)} corrupt")

    if threads == 1 or total <= 1:
        collect(map(inspect, names))
    else:
        with ThreadPoolExecutor(min(threads, total)) as pool:
            collect(pool.map(inspect, names))
    return result
