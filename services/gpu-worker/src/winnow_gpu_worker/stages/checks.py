"""CHECKING_CORRUPTNESS: read every file once; corruptness, content hash, ``lightly.*`` metadata."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from winnow_common.errors import StorageError
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.ml.corruptness import check_image_bytes
from winnow_gpu_worker.ml.duplicates import content_hash
from winnow_gpu_worker.ml.metadata import compute_image_metadata

log = logging.getLogger(__name__)

# Object stores answer slowly per request; eight readers keep two cores busy decoding.
READ_THREADS = 8

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class CheckResult:
    corrupt: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)


def _inspect(
    store: DatasourceStore, name: str, check_corruptness: bool, hash_content: bool
) -> tuple[str, str | None, str | None, dict[str, Any] | None]:
    try:
        data = store.read(name)
    except StorageError as exc:
        return name, f"file is missing or not readable: {exc.message}", None, None
    reason = check_image_bytes(name, data) if check_corruptness else None
    if reason is not None:
        return name, reason, None, None
    digest = content_hash(data) if hash_content else None
    try:
        metadata = compute_image_metadata(data)
    except Exception as exc:  # undecodable with the check off: the embed stage reports it
        log.debug("no metadata for %s: %s", name, exc)
        metadata = None
    return name, None, digest, metadata


def check_files(
    store: DatasourceStore,
    names: list[str],
    *,
    check_corruptness: bool,
    hash_content: bool,
    progress: ProgressCallback,
) -> CheckResult:
    """Inspect every file in parallel; a bad file is recorded, never raised."""
    result = CheckResult()
    with ThreadPoolExecutor(READ_THREADS) as pool:
        found = pool.map(lambda n: _inspect(store, n, check_corruptness, hash_content), names)
        for done, (name, reason, digest, metadata) in enumerate(found, start=1):
            if reason is not None:
                result.corrupt[name] = reason
                log.warning("corrupt: %s (%s)", name, reason)
            else:
                if digest is not None:
                    result.hashes[name] = digest
                if metadata is not None:
                    result.metadata[name] = metadata
            progress(done, len(names), f"{len(result.corrupt)} corrupt")
    return result
