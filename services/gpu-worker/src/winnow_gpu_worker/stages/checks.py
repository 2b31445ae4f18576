"""CHECKING_CORRUPTNESS: read every file once; corruptness, content hash, ``lightly.*`` metadata."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from PIL import Image

from winnow_common.child_processes import fork_pool, usable_cpus
from winnow_common.errors import StorageError, StorageUnavailable
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.ml.corruptness import check_and_decode, check_image_bytes
from winnow_gpu_worker.ml.duplicates import content_hash
from winnow_gpu_worker.ml.images import drafts, upright_rgb
from winnow_gpu_worker.ml.metadata import compute_image_metadata
from winnow_gpu_worker.ml.pixels import image_file_pixels, model_pixels

log = logging.getLogger(__name__)

# Object stores answer slowly per request; eight readers keep the decoders fed.
READ_THREADS = 8
# Files read ahead and handed to the decode processes at a time: bounds the bytes in memory
# (a window is being inspected while the next one is read).
WINDOW_FILES = 256
# Files per task sent to a decode process: amortises the hand-over, keeps the cores balanced.
FILES_PER_TASK = 8

ProgressCallback = Callable[[int, int, str], None]

# Decode processes forked ahead of the check by ``inspectors_forked_now``.
_preforked: ProcessPoolExecutor | None = None


@dataclass
class CheckResult:
    """What the stage found: ``corrupt`` maps each bad file to its reason; the clean files get
    their content hash in ``hashes`` (if hashing was asked for) and their ``lightly.*`` values
    in ``metadata`` (if asked for and computable)."""

    corrupt: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    pixels: dict[str, np.ndarray] = field(default_factory=dict)


# (name, reason if corrupt, content hash, metadata, model pixels)
_Inspected = tuple[str, str | None, str | None, dict[str, Any] | None, np.ndarray | None]


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


def inspect_processes() -> int:
    """Decode processes for the check: one per usable CPU core, 0 (threads only) on one core.

    Decoding releases the GIL but the metadata's many small numpy and Pillow steps do not, so
    eight threads reached only 1.2 of 2 cores (10.6 s for 2,700 photos); processes use both.
    """
    cores = usable_cpus()
    return cores if cores > 1 else 0


@dataclass(frozen=True)
class _Checks:
    """What to do with each file (picklable: sent to the decode processes)."""

    check_corruptness: bool
    hash_content: bool
    compute_metadata: bool
    model_input_size: int | None = None


def _model_pixels(data: bytes, size: int | None, image: Image.Image | None) -> np.ndarray | None:
    """The embedding stage's model pixels of a clean file (None if not asked for, or if it
    does not decode that way: the embedding stage then reads it and reports it).

    ``image`` is the check's full-size decode, if it made one: the embedding stage decodes
    every format but JPEG at full size too, so those pixels come from it (a PNG is not
    decoded twice); a JPEG is decoded again, at the reduced scale the embedding stage uses.
    """
    if size is None:
        return None
    try:
        if image is not None and not drafts(image):
            return model_pixels(upright_rgb(image), size)
        return image_file_pixels(data, size)
    except Exception:
        return None


def _read_and_inspect(store: DatasourceStore, checks: _Checks, name: str) -> _Inspected:
    """Read and inspect one file in this process (the threads' task)."""
    data, reason = _read(store, name)  # raises StorageUnavailable only
    return _inspect_guarded(name, data, reason, checks)


def _inspect_guarded(
    name: str, data: bytes | None, reason: str | None, checks: _Checks
) -> _Inspected:
    """:func:`_inspect_bytes` of a file read (or not) already; a bug is one bad file, not a
    failed run."""
    if data is None:
        return name, reason, None, None, None
    try:
        return _inspect_bytes(name, data, checks)
    except Exception as exc:  # a bug in a check must not stop the run or lose the file
        log.exception("could not inspect %s", name)
        return name, f"could not be inspected ({_describe(exc)})", None, None, None


def _inspect_batch(
    items: list[tuple[str, tuple[bytes | None, str | None]]], checks: _Checks
) -> list[_Inspected]:
    """A decode process's task: several files, read by the parent."""
    return [_inspect_guarded(name, data, reason, checks) for name, (data, reason) in items]


def _inspect_bytes(name: str, data: bytes, checks: _Checks) -> _Inspected:
    check_corruptness = checks.check_corruptness
    hash_content, compute_metadata = checks.hash_content, checks.compute_metadata
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
                return name, reason, None, None, None
        digest = content_hash(data) if hash_content else None
        metadata = None
        if compute_metadata:
            try:
                # With image None (check off) this decodes ``data`` itself; an undecodable file
                # then has no metadata and the embedding stage reports it.
                metadata = compute_image_metadata(data, image=image)
            except Exception as exc:
                log.debug("no metadata for %s: %s", name, exc)
        return name, None, digest, metadata, _model_pixels(data, checks.model_input_size, image)
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
    processes: int | None = None,
    model_input_size: int | None = None,
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
    ``processes``: decode processes (``None``: :func:`inspect_processes`; 0: the reader
    threads inspect too). The results are the same either way.
    ``progress(done, total, note)`` is called after each file, in ``names`` order.
    """
    if threads is None:
        threads = READ_THREADS
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    if processes is None:
        processes = inspect_processes()
    if processes < 0:
        raise ValueError(f"processes must be at least 0, got {processes}")
    checks = _Checks(check_corruptness, hash_content, compute_metadata, model_input_size)
    total = len(names)
    result = CheckResult()
    if processes and total > FILES_PER_TASK:
        _collect(
            _inspected_by_processes(store, names, checks, threads, processes),
            result,
            progress,
            total,
        )
    elif threads == 1 or total <= 1:
        _collect(map(partial(_read_and_inspect, store, checks), names), result, progress, total)
    else:
        with ThreadPoolExecutor(min(threads, total)) as pool:
            found = pool.map(partial(_read_and_inspect, store, checks), names)
            _collect(found, result, progress, total)
    return result


def _collect(
    found: Iterable[_Inspected], result: CheckResult, progress: ProgressCallback, total: int
) -> None:
    """Record each inspected file into ``result`` (in order) and report progress."""
    for done, (name, reason, digest, metadata, pixels) in enumerate(found, start=1):
        if reason is not None:
            result.corrupt[name] = reason
            log.warning("corrupt: %s (%s)", name, reason)
        else:
            if digest is not None:
                result.hashes[name] = digest
            if metadata is not None:
                result.metadata[name] = metadata
            if pixels is not None:
                result.pixels[name] = pixels
        progress(done, total, f"{len(result.corrupt)} corrupt")


@contextmanager
def inspectors_forked_now() -> Iterator[bool]:
    """Fork the check's decode processes now, for the next :func:`check_files` in this process.

    For a caller about to start threads before the check runs (a standalone run imports torch
    in a thread meanwhile): ``check_files`` would fork its processes while those threads run,
    and a fork copies the locks they hold (an import lock, the loader's) as held. Yields
    whether it forked (not on one usable core); processes ``check_files`` did not take end
    with the block.
    """
    global _preforked
    processes = inspect_processes()
    if processes == 0:
        yield False
        return
    pool = fork_pool(processes)
    pool.submit(os.getpid).result()  # every process forks now
    _preforked = pool
    try:
        yield True
    finally:
        left, _preforked = _preforked, None
        if left is not None:
            left.shutdown(wait=True, cancel_futures=True)


def _decode_pool(processes: int) -> ProcessPoolExecutor:
    """The processes forked ahead (taken), else ``processes`` forked now."""
    global _preforked
    pool, _preforked = _preforked, None
    return pool if pool is not None else fork_pool(processes)


def _inspected_by_processes(
    store: DatasourceStore, names: list[str], checks: _Checks, threads: int, processes: int
) -> Iterator[_Inspected]:
    """Files read by ``threads`` here and inspected by ``processes`` forked decoders, in order.

    Reading stays in this process (the store's connections are not shared with children);
    windows of :data:`WINDOW_FILES` bound the bytes in flight. The next window is read and
    queued before this one's results are taken, so the decoders never wait at a window's end
    for its slowest task.
    """
    windows = [names[i : i + WINDOW_FILES] for i in range(0, len(names), WINDOW_FILES)]
    with _decode_pool(processes) as pool:
        # Fork every decoder now (unless forked ahead), before the reader threads exist: a fork
        # copies only the forking thread, and no lock a reader holds can be copied held.
        pool.submit(os.getpid).result()
        with ThreadPoolExecutor(threads) as readers:
            read = partial(_read, store)

            def queued(window: list[str]) -> list[Future[list[_Inspected]]]:
                items = list(zip(window, readers.map(read, window), strict=True))  # may raise
                return [
                    pool.submit(_inspect_batch, items[j : j + FILES_PER_TASK], checks)
                    for j in range(0, len(items), FILES_PER_TASK)
                ]

            tasks = queued(windows[0])
            for index in range(len(windows)):
                following = queued(windows[index + 1]) if index + 1 < len(windows) else []
                for task in tasks:
                    yield from task.result()
                tasks = following
