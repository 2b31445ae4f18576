"""EMBEDDING: every clean image through the model, committed shard by shard.

The sorted clean files are cut into shards of ``WORKER_EMBED_SHARD_SIZE`` images (rounded up
to whole batches, so the batches, and therefore the numbers, are those of an unsharded run).
Each shard is a ledger entry ``embedding-shard-NNNNN`` whose inputs hash covers the model and
the shard's files, so a retried attempt recomputes at most the shard that was in flight. The
arithmetic (float32 or reduced precision) is decided once on shard 0 and reused for the rest.

After shard 0 the host may take the shards still missing to other GPU workers (``fan_out``,
see :mod:`winnow_gpu_worker.fanout`): each runs :func:`embed_one_shard` and commits its shard
under the same ledger key, and the run's next attempt restores them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_gpu_worker.ml.normalize import l2_normalize
from winnow_gpu_worker.stages.ledger import pack_arrays, unpack_arrays
from winnow_gpu_worker.stages.user_embeddings import load_user_embeddings
from winnow_gpu_worker.stages.work import Progress, RunWork
from winnow_gpu_worker.steps.base import StageOutput, worker_count

if TYPE_CHECKING:
    # torch: imported by the functions that embed, not when the pipeline is imported (a
    # standalone run checks its files while torch is still being imported)
    from winnow_gpu_worker.ml.embed import EmbeddingResult

log = logging.getLogger(__name__)

_STATE = RunState.EMBEDDING


def input_size(work: RunWork) -> int:
    """The model's input size (config, else the model's own, else the worker's default)."""
    collate = work.cfg.lightly.collate
    if collate and collate.input_size:
        return collate.input_size
    if work.choice is not None and work.choice.input_size is not None:
        return work.choice.input_size
    return work.settings.input_size


def batch_size(work: RunWork) -> int:
    """The loader's batch size (config, else the worker's default)."""
    loader = work.cfg.lightly.loader
    return loader.batch_size if loader and loader.batch_size else work.settings.batch_size


def embed_files(
    work: RunWork,
    names: list[str],
    read: object,
    progress: Progress | None,
    precision: str = "auto",
) -> EmbeddingResult:
    """Embed ``names`` with the run's model and loader settings."""
    from winnow_gpu_worker.ml.embed import embed_images

    assert work.choice is not None
    size = input_size(work)
    return embed_images(
        names,
        read,  # type: ignore[arg-type]
        work.choice.model,
        input_size=size,
        prepared=_checked_pixels(work, size),
        **_loader_options(work, progress, precision),
    )


def _checked_pixels(work: RunWork, size: int) -> dict[str, np.ndarray] | None:
    """The check stage's model pixels (``RunWork.model_pixels``) where they are this run's
    model input: image files (not crops) at this size. Else None: the files are decoded."""
    if work.model_pixels_size != size or work.sample_reader is not None:
        return None
    return work.model_pixels


def _loader_options(
    work: RunWork, progress: Callable[[int, int], None] | None, precision: str
) -> dict[str, Any]:
    """The run's batch size, decode processes, device and precision for the embedders."""
    return {
        "batch_size": batch_size(work),
        "num_workers": worker_count(
            work.cfg.docker.num_processes, work.settings.num_loader_workers
        ),
        "device": work.settings.device,
        "progress": progress,
        "precision": precision,
    }


def embed_frames(
    work: RunWork,
    names: list[str],
    progress: Callable[[int, int], None] | None,
    precision: str = "auto",
) -> EmbeddingResult:
    """Embed video frames (``names`` in video and frame order), decoded in the loader workers."""
    from winnow_gpu_worker.ml.embed import embed_dataset
    from winnow_gpu_worker.ml.video_dataset import FrameRef, VideoFramesDataset

    assert work.choice is not None
    frames, probes, cache = work.result.frames, work.result.videos, work.video_files()
    refs = [
        FrameRef(i, cache.path(frames[n].video), probes[frames[n].video], frames[n].index)
        for i, n in enumerate(names)
    ]
    return embed_dataset(
        VideoFramesDataset(refs, input_size(work)),
        names,
        work.choice.model,
        **_loader_options(work, progress, precision),
    )


def embed_samples(
    work: RunWork, names: list[str], progress: Progress | None, precision: str = "auto"
) -> EmbeddingResult:
    """Embed images (or crops) and video frames; the result follows ``sorted(names)``."""
    frames = work.result.frames
    frame_names = sorted(n for n in names if n in frames)
    others = sorted(n for n in names if n not in frames)
    parts: list[EmbeddingResult] = []
    if others:
        parts.append(embed_files(work, others, work.read, progress, precision))
        precision = parts[-1].precision
    if frame_names:
        offset = len(others)

        def frame_progress(done: int, total: int) -> None:
            if progress is not None:
                progress(done + offset)

        parts.append(embed_frames(work, frame_names, frame_progress, precision))
    return merge_embeddings(parts)


def merge_embeddings(parts: list[EmbeddingResult]) -> EmbeddingResult:
    """One result of several, rows in sorted filename order."""
    from winnow_gpu_worker.ml.embed import EmbeddingResult

    if len(parts) == 1:
        return parts[0]
    filenames = [n for part in parts for n in part.filenames]
    widths = {p.embeddings.shape[1] for p in parts if len(p.filenames)}
    width = widths.pop() if widths else 0
    rows = np.concatenate(
        [p.embeddings for p in parts if len(p.filenames)] or [np.zeros((0, width), np.float32)]
    )
    order = sorted(range(len(filenames)), key=filenames.__getitem__)
    failed = {k: v for part in parts for k, v in part.failed.items()}
    return EmbeddingResult(
        filenames=[filenames[i] for i in order],
        embeddings=np.ascontiguousarray(rows[order]),
        failed=failed,
        precision=parts[0].precision if parts else "fp32",
    )


def shards_of(names: list[str], shard_size: int, batch: int) -> list[list[str]]:
    """``names`` in shards of ``shard_size`` rounded up to a multiple of ``batch``."""
    size = -(-max(1, shard_size) // batch) * batch
    return [names[i : i + size] for i in range(0, len(names), size)]


def _shard_key(work: RunWork, index: int, names: list[str]) -> tuple[str, str]:
    """The ledger name and inputs hash of shard ``index`` (whose files are ``names``)."""
    return f"embedding-shard-{index:05d}", work.inputs_hash("embedding-shard", index, names)


def _shard(
    work: RunWork, index: int, count: int, names: list[str], precision: str, progress: Progress
) -> tuple[list[str], np.ndarray, dict[str, str], str]:
    """One shard: restored from the ledger, or embedded and committed."""
    ledger_name, inputs = _shard_key(work, index, names)
    checkpoint = work.ledger.load(ledger_name, inputs)
    if checkpoint is not None:
        info = checkpoint.info
        rows = unpack_arrays(checkpoint.blobs["embeddings.npz"])["embeddings"]
        who = f"embedded on {info['worker']}" if info.get("worker") else ""
        by = f" ({who})" if who else ""
        work.restored(f"embedding shard {index + 1}/{count}", checkpoint, who)
        log.info(
            "embedding shard %d/%d (%d images): restored from the checkpoint of attempt %d%s",
            index + 1,
            count,
            len(names),
            checkpoint.attempt,
            by,
        )
        progress.offset += len(names)
        progress(0, extra=f"shard {index + 1}/{count} restored")
        return list(info["filenames"]), rows, dict(info["failed"]), str(info["precision"])
    embedded = embed_samples(work, names, progress, precision)
    info: dict[str, Any] = {
        "filenames": embedded.filenames,
        "failed": embedded.failed,
        "precision": embedded.precision,
    }
    if work.worker:
        # Who embedded it (shown when a later attempt restores it); the embeddings are
        # the same bytes whoever computes them.
        info["worker"] = work.worker
    work.ledger.save(
        ledger_name, inputs, info, {"embeddings.npz": pack_arrays(embeddings=embedded.embeddings)}
    )
    if work.ledger.persistent:
        log.info(
            "embedding shard %d/%d (%d images): computed in attempt %d%s and committed",
            index + 1,
            count,
            len(names),
            work.ledger.attempt,
            f" on {work.worker}" if work.worker else "",
        )
    progress.offset += len(names)
    return embedded.filenames, embedded.embeddings, embedded.failed, embedded.precision


def compute(work: RunWork) -> StageOutput:
    """Embed the clean files (or read the user's embeddings CSV)."""
    docker = work.cfg.docker
    if docker.embeddings:
        work.state(
            _STATE, f"Reading the embeddings of {len(work.clean)} files from {docker.embeddings}"
        )
        user_names, rows = load_user_embeddings(work.lightly_store, docker.embeddings, work.clean)
        info = {"filenames": user_names, "failed": {}, "precision": "user"}
        return StageOutput(info, {"embeddings.npz": pack_arrays(embeddings=rows)})
    assert work.choice is not None
    names = sorted(set(work.clean))
    shards = shards_of(names, work.settings.embed_shard_size, batch_size(work))
    n_frames = sum(1 for n in names if n in work.result.frames)
    what = f"{len(names) - n_frames} images" + (f" and {n_frames} frames" if n_frames else "")
    if work.result.object_task is not None:
        what = f"{len(names)} object crops of task {work.result.object_task!r}"
    work.state(_STATE, f"Embedding {what} with {work.choice.description} ({len(shards)} shards)")
    progress = work.progress(_STATE, "Embedded", len(names))
    precision = "auto"
    filenames: list[str] = []
    parts: list[np.ndarray] = []
    failed: dict[str, str] = {}
    for index, shard in enumerate(shards):
        if index == 1:
            # Shard 0 (just done) fixed the arithmetic; the rest may go to other workers.
            _offer_fan_out(work, shards)
        kept, rows, shard_failed, used = _shard(
            work, index, len(shards), shard, precision, progress
        )
        if index == 0:
            precision = used
        filenames += kept
        parts.append(np.asarray(rows, dtype=np.float32))
        failed.update(shard_failed)
    embeddings = np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
    work.model_pixels = {}  # embedded: the memory is free again
    info = {"filenames": filenames, "failed": failed, "precision": precision}
    return StageOutput(info, {"embeddings.npz": pack_arrays(embeddings=embeddings)})


def _offer_fan_out(work: RunWork, shards: list[list[str]]) -> None:
    """Offer the host the shards after the first that are not committed yet (two or more)."""
    if work.fan_out is None:
        return
    missing = [
        index
        for index in range(1, len(shards))
        if work.ledger.committed(*_shard_key(work, index, shards[index])) is None
    ]
    if len(missing) >= 2:
        work.fan_out(missing, len(shards))  # raises FanOutRequested to take the offer


def embed_one_shard(work: RunWork, index: int) -> dict[str, Any]:
    """A shard task's whole EMBEDDING: shard ``index`` embedded and committed (unless it is).

    The context (clean files, model) comes from the earlier stages' checkpoints; shards after
    the first use the arithmetic that shard 0's checkpoint records, as an attempt would.
    Returns what happened (the chord's result for this shard).
    """
    names = sorted(set(work.clean))
    shards = shards_of(names, work.settings.embed_shard_size, batch_size(work))
    report: dict[str, Any] = {"shard": index, "count": len(shards), "worker": work.worker}
    if work.cfg.docker.embeddings or index >= len(shards):
        return {**report, "outcome": "skipped: the run has no such shard"}
    assert work.choice is not None
    precision = "auto"
    if index > 0:
        first = work.ledger.committed(*_shard_key(work, 0, shards[0]))
        if first is None:
            return {**report, "outcome": "skipped: shard 1 is not committed"}
        precision = str(first.info["precision"])
    own = shards[index]
    done = work.ledger.committed(*_shard_key(work, index, own))
    where = f"embedding shard {index + 1}/{len(shards)} ({len(own)} images) on worker"
    if done is not None:
        log.info("%s %s: already committed by attempt %d", where, work.worker, done.attempt)
        return {**report, "outcome": "already committed"}
    log.info("%s %s", where, work.worker)
    progress = work.progress(_STATE, f"Shard {index + 1}/{len(shards)}: embedded", len(own))
    _shard(work, index, len(shards), own, precision, progress)
    log.info("%s %s: committed", where, work.worker)
    return {**report, "outcome": "embedded"}


def restore(work: RunWork, output: StageOutput) -> None:
    """Embeddings (normalised if configured) into the run context and result."""
    rows = unpack_arrays(output.blobs["embeddings.npz"])["embeddings"]
    # Files that passed the check but fail to decode (check disabled) count as corrupt.
    work.result.corrupt.update(output.info["failed"])
    filenames = list(output.info["filenames"])
    if not filenames:
        raise PipelineError("no usable images left after embedding")
    if work.cfg.docker.embeddings:
        work.result.model_description = f"user-provided embeddings ({work.cfg.docker.embeddings})"
        work.result.model_trained = True
    work.result.filenames = filenames
    work.raw_embeddings = rows
    normalize = work.cfg.docker.normalize_embeddings
    work.result.embeddings = l2_normalize(rows) if normalize else rows
