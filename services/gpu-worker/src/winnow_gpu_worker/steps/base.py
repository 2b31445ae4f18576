"""A declared stage and the runner that skips it when an earlier attempt completed it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from winnow_common.enums import RunState
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_gpu_worker.stages.ledger import content_hash
from winnow_gpu_worker.stages.work import RunWork

log = logging.getLogger(__name__)


@dataclass
class StageOutput:
    """A stage's products: small values inline (JSON), bulk values as named blobs."""

    info: dict[str, Any] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)

    def digest(self) -> str:
        """Content hash of the products (chained into the inputs hash of later stages)."""
        blobs = {k: hashlib.sha256(v).hexdigest() for k, v in sorted(self.blobs.items())}
        return content_hash(self.info, blobs)


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline.

    ``state`` is the run state it reports; ``outputs`` says what it commits (for the log and
    docs); ``enabled`` decides from the config whether it runs at all; ``checkpointed`` stages
    record their products in the ledger (the embedding stage checkpoints per shard itself).
    """

    name: str
    state: RunState
    compute: Callable[[RunWork], StageOutput]
    restore: Callable[[RunWork, StageOutput], None]
    outputs: str
    enabled: Callable[[WorkerConfigV4], bool] = lambda _cfg: True
    checkpointed: bool = True


class CheckpointMissing(Exception):
    """A restore-only run (one embedding shard) found a stage without its checkpoint."""


def run_stage(work: RunWork, stage: Stage, *, restore_only: bool = False) -> None:
    """Restore ``stage`` from a matching checkpoint, or compute (and checkpoint) it.

    ``restore_only`` (a shard task rebuilding the run context) raises ``CheckpointMissing``
    instead of computing a stage: only the run's attempt computes stages.
    """
    if not stage.enabled(work.cfg):
        return
    inputs = work.inputs_hash(stage.name)
    checkpoint = work.ledger.load(stage.name, inputs) if stage.checkpointed else None
    if checkpoint is None and restore_only:
        raise CheckpointMissing(f"stage {stage.name} has no checkpoint for these inputs")
    if checkpoint is not None:
        output = StageOutput(checkpoint.info, checkpoint.blobs)
        work.restored(stage.name, checkpoint)
        log.info(
            "stage %s (%s): restored from the checkpoint of attempt %d, not recomputed",
            stage.name,
            stage.state.value,
            checkpoint.attempt,
        )
    else:
        work.guard()
        output = stage.compute(work)
        if stage.checkpointed:
            work.ledger.save(stage.name, inputs, output.info, output.blobs)
        if work.ledger.persistent:
            what = f"{stage.name} ({stage.state.value})"
            log.info("stage %s: computed; committed %s", what, stage.outputs)
    stage.restore(work, output)
    work.advance(stage.name, output.digest())


def worker_count(value: int | None, default: int) -> int:
    """``num_processes``/``num_threads``: -1 means one per CPU core, None the default."""
    if value is None:
        return default
    return os.cpu_count() or 1 if value == -1 else value


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_blob(value: Any) -> bytes:
    """``value`` as JSON bytes (numpy scalars as numbers; NaN kept, as Python's JSON allows)."""
    return json.dumps(value, sort_keys=True, default=_plain).encode()


def from_json_blob(data: bytes) -> Any:
    """The value of :func:`json_blob`."""
    return json.loads(data)
