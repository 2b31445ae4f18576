"""Stage checkpoints: what a completed stage wrote, so a later attempt can skip it.

A checkpoint is a marker ``work/ledger/<name>.json`` in the run's output store holding the
content hash of the stage's inputs, the attempt that wrote it, small results inline (``info``)
and the SHA-256 of each bulk result (``work/<name>/<blob>``). The marker is written last, so a
stage killed halfway has none and is recomputed; a marker whose inputs hash differs, or whose
blob is missing or altered, is ignored the same way. Every key is deterministic and every write
replaces the same object, so a zombie attempt writing late changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from winnow_common.errors import ObjectNotFound, StorageError, StorageUnavailable
from winnow_common.ids import now_ms
from winnow_common.storage import DatasourceStore, RunKeys

log = logging.getLogger(__name__)


def content_hash(*parts: Any) -> str:
    """SHA-256 of the JSON form of ``parts`` (sorted keys): a stage's inputs hash."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def pack_arrays(**arrays: np.ndarray) -> bytes:
    """Arrays as ``.npz`` bytes (exact: float32 rows come back bit for bit)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def unpack_arrays(data: bytes) -> dict[str, np.ndarray]:
    """The arrays of :func:`pack_arrays` (no pickles are ever loaded)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


@dataclass(frozen=True)
class Checkpoint:
    """A completed stage as found in the ledger."""

    name: str
    attempt: int
    info: dict[str, Any]
    blobs: dict[str, bytes] = field(default_factory=dict)


class StageLedger:
    """Checkpoints of one run in its output store; ``attempt`` is the attempt writing now."""

    persistent = True

    def __init__(self, store: DatasourceStore, keys: RunKeys, attempt: int) -> None:
        self.store = store
        self.keys = keys
        self.attempt = attempt

    def _marker_key(self, name: str) -> str:
        return self.keys.work(f"ledger/{name}.json")

    def _blob_key(self, name: str, blob: str) -> str:
        return self.keys.work(f"{name}/{blob}")

    def load(self, name: str, inputs_hash: str) -> Checkpoint | None:
        """The stage's checkpoint if one matches ``inputs_hash`` and its blobs are intact."""
        try:
            marker = json.loads(self.store.read(self._marker_key(name)))
        except ObjectNotFound:
            return None
        except StorageUnavailable:
            raise
        except (StorageError, ValueError) as exc:
            log.warning("ignoring the unreadable checkpoint of %s: %s", name, exc)
            return None
        if marker.get("inputs_hash") != inputs_hash:
            log.info("checkpoint of %s is for other inputs; recomputing it", name)
            return None
        blobs: dict[str, bytes] = {}
        for blob, digest in marker.get("blobs", {}).items():
            try:
                data = self.store.read(self._blob_key(name, blob))
            except ObjectNotFound:
                log.warning("checkpoint of %s lost its %s; recomputing it", name, blob)
                return None
            if hashlib.sha256(data).hexdigest() != digest:
                log.warning("checkpoint of %s has an altered %s; recomputing it", name, blob)
                return None
            blobs[blob] = data
        return Checkpoint(name, int(marker.get("attempt", 0)), dict(marker["info"]), blobs)

    def committed(self, name: str, inputs_hash: str) -> Checkpoint | None:
        """The marker alone (``info``, no blobs) if one matches ``inputs_hash``: a cheap "is it
        done?" (the marker is written last; :meth:`load` still checks the blobs)."""
        try:
            marker = json.loads(self.store.read(self._marker_key(name)))
        except ObjectNotFound:
            return None
        except StorageUnavailable:
            raise
        except (StorageError, ValueError):
            return None
        if marker.get("inputs_hash") != inputs_hash:
            return None
        return Checkpoint(name, int(marker.get("attempt", 0)), dict(marker["info"]))

    def save(
        self,
        name: str,
        inputs_hash: str,
        info: dict[str, Any],
        blobs: dict[str, bytes] | None = None,
    ) -> None:
        """Write the stage's blobs, then its marker (the commit point)."""
        digests = {}
        for blob, data in (blobs or {}).items():
            self.store.write(self._blob_key(name, blob), data)
            digests[blob] = hashlib.sha256(data).hexdigest()
        marker = {
            "name": name,
            "inputs_hash": inputs_hash,
            "attempt": self.attempt,
            "saved_at": now_ms(),
            "info": info,
            "blobs": digests,
        }
        self.store.write(
            self._marker_key(name),
            json.dumps(marker, sort_keys=True).encode(),
            "application/json",
        )


class NoLedger(StageLedger):
    """No checkpoints (the standalone CLI): every stage computes, nothing extra is written."""

    persistent = False

    def __init__(self) -> None:
        super().__init__(store=None, keys=RunKeys(""), attempt=1)  # type: ignore[arg-type]

    def load(self, name: str, inputs_hash: str) -> Checkpoint | None:
        return None

    def committed(self, name: str, inputs_hash: str) -> Checkpoint | None:
        return None

    def save(
        self,
        name: str,
        inputs_hash: str,
        info: dict[str, Any],
        blobs: dict[str, bytes] | None = None,
    ) -> None:
        return None
