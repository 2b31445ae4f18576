"""Image embedding with lightly's model, streamed through a torch DataLoader.

The worker's model is lightly's CLI SimCLR backbone (:mod:`winnow_gpu_worker.ml.models`:
resnet-18, ``num_ftrs=32`` by default), so embeddings and checkpoints match ``lightly-embed``.
Decoding runs in DataLoader worker processes (JPEGs at reduced scale via draft mode); inference
uses ``torch.inference_mode``, channels_last, BatchNorm folded into the convolutions and, when
it keeps the embeddings within cosine 0.99 of float32, bfloat16 autocast on the CPU
(AMX/AVX-512-BF16) or float16 autocast on CUDA.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset, IterableDataset

from winnow_common.errors import StorageUnavailable
from winnow_gpu_worker.ml.images import decode_failure
from winnow_gpu_worker.ml.inference_copy import inference_copy
from winnow_gpu_worker.ml.normalize import l2_normalize as l2_normalize
from winnow_gpu_worker.ml.pixels import (
    image_file_pixels,
    model_pixels,
    normalise_pixels,
    prepared_batches,
)

# A batch as the embedders' loops take it: images (N, C, H, W), positions, per-item errors.
Batch = tuple[torch.Tensor, torch.Tensor, list[str]]

if TYPE_CHECKING:
    # Imported lazily at run time: spawned DataLoader workers unpickle ImageBytesDataset from this
    # module and should not pay for importing lightly (and torchvision) just to decode images.
    from winnow_common.schemas.worker_config import ModelConfig
    from winnow_gpu_worker.ml.models import EmbeddingModel, ModelSpec

logger = logging.getLogger(__name__)


Precision = Literal["auto", "fp32", "bf16", "fp16"]
# Reduced precision is used only if it keeps every embedding within this cosine of float32.
MIN_COSINE = 0.99
# The check runs on the first batch only, so it asks for a margin above MIN_COSINE.
CALIBRATION_MIN_COSINE = 0.995
_DTYPES: dict[str, torch.dtype] = {"bf16": torch.bfloat16, "fp16": torch.float16}


# lightly's config.yaml default seed (== winnow_gpu_worker.ml.models.DEFAULT_SEED).
DEFAULT_SEED = 1


def build_backbone(
    checkpoint: str | os.PathLike[str] | bytes | None = None,
    seed: int = DEFAULT_SEED,
    model_cfg: ModelConfig | ModelSpec | None = None,
) -> tuple[EmbeddingModel, bool]:
    """Build the worker's embedding model (lightly's CLI model from ``lightly.model``).

    Without a checkpoint the weights are initialised deterministically from ``seed`` (the global
    RNG is left untouched; equal to ``lightly-ssl-train``'s initialisation for that seed) and a
    warning is logged because the embeddings are untrained. ``checkpoint`` is a path or the bytes
    of a lightly CLI / Lightly Worker ``.ckpt``, a Winnow training checkpoint or a plain
    state_dict (see :func:`winnow_gpu_worker.ml.models.load_checkpoint`); a mismatch with
    ``model_cfg`` raises ``ValueError`` naming the offending keys.

    Returns ``(model in eval mode on CPU, trained)``; ``trained`` is True iff a checkpoint was
    loaded. The model maps ``(N, 3, H, W)`` to ``(N, num_ftrs)``.
    """
    from winnow_gpu_worker.ml.models import build_embedding_model, load_checkpoint

    model = build_embedding_model(model_cfg, seed=seed)
    if checkpoint is None:
        logger.warning(
            "no checkpoint given: using an UNTRAINED %s (seed=%d); embeddings carry little "
            "semantic meaning and diversity selection will be close to pixel-level",
            model.spec.describe(),
            seed,
        )
        return model.eval(), False
    load_checkpoint(model, checkpoint)
    return model.eval(), True


def ignore_stop_signals(_worker_id: int = 0) -> None:
    """``worker_init_fn`` of every DataLoader: decode processes leave SIGTERM/SIGINT to the parent.

    A shutdown signal sent to the whole process group (a terminal's Ctrl-C, a launcher stopping
    the group) would otherwise kill the decoders mid-batch and turn a graceful hand-back into a
    "DataLoader worker killed by signal" failure. The parent stops them when it is done; they
    also exit on their own when the parent dies.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def rgb_to_array(image: Image.Image, size: int) -> np.ndarray:
    """The model input for an RGB image: ``size`` x ``size`` bilinear, /255, ImageNet mean/std.

    Returns a float32 CHW array. Every model input goes through here (decoded image files and
    video frames alike), so a frame embedded from its video equals the frame embedded from its
    extracted PNG. It is :func:`normalise_pixels` of :func:`model_pixels`.
    """
    return normalise_pixels(model_pixels(image, size))


def _decode_rgb(data: bytes, size: int) -> np.ndarray:
    """Decode ``data`` to a normalised float32 CHW array of ``size`` x ``size``."""
    return normalise_pixels(image_file_pixels(data, size))


class ImageBytesDataset(Dataset[tuple[torch.Tensor, int, str]]):
    """Dataset that reads image bytes by filename and yields normalised tensors.

    Items are ``(tensor CxHxW float32, index, error)``. ``error`` is ``""`` for a decoded image;
    for a file that cannot be read or decoded the tensor is all zeros and ``error`` holds the
    reason, so one bad file never aborts a whole batch. ``read`` must be picklable when the
    DataLoader uses worker processes with the spawn/forkserver start methods.
    """

    def __init__(
        self,
        filenames: Sequence[str],
        read: Callable[[str], bytes],
        input_size: int = 64,
        prepared: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        if input_size <= 0:
            raise ValueError(f"input_size must be positive, got {input_size}")
        self.filenames = list(filenames)
        self.read = read
        self.input_size = input_size
        # Model pixels decoded earlier (the check stage's), by file name: the same numbers as
        # decoding the file here, without reading or decoding it again.
        self.prepared = prepared or {}

    def __len__(self) -> int:
        return len(self.filenames)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int, str]:
        name = self.filenames[index]
        pixels = self.prepared.get(name)
        if pixels is not None:
            return torch.from_numpy(normalise_pixels(pixels)), index, ""
        try:
            arr = _decode_rgb(self.read(name), self.input_size)
        except StorageUnavailable:
            raise  # an outage is not a bad file: the attempt waits or stops
        except Exception as exc:  # reported per file by embed_images
            zeros = torch.zeros(3, self.input_size, self.input_size, dtype=torch.float32)
            return zeros, index, decode_failure(exc)
        return torch.from_numpy(arr), index, ""


@dataclass
class EmbeddingResult:
    """Embeddings of the successfully decoded inputs, in the input order (sorted for images).

    ``precision`` is the arithmetic the model ran in (``"fp32"``, ``"bf16"`` or ``"fp16"``);
    ``calibration_min_cosine`` is the smallest cosine between reduced-precision and float32
    embeddings on the calibration batch (``None`` when no calibration ran).
    """

    filenames: list[str]
    embeddings: np.ndarray
    failed: dict[str, str] = field(default_factory=dict)
    precision: str = "fp32"
    calibration_min_cosine: float | None = None


def _resolve_device(device: str | torch.device) -> torch.device:
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def cpu_supports_bf16() -> bool:
    """True when this CPU has native bfloat16 matrix instructions (AVX-512-BF16 or AMX).

    Without them oneDNN emulates bfloat16, which is slower than float32, so ``"auto"`` stays in
    float32 there.
    """
    try:
        native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
        return bool(native and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _candidate_precision(precision: str, dev: torch.device) -> str:
    """The reduced precision to try for ``precision="auto"`` ("fp32" if none is worth it)."""
    if precision != "auto":
        if precision not in ("fp32", *_DTYPES):
            raise ValueError(f"precision must be auto, fp32, bf16 or fp16, got {precision!r}")
        return precision
    if dev.type == "cuda":
        return "fp16"
    if dev.type == "cpu" and cpu_supports_bf16():
        return "bf16"
    return "fp32"


def _min_cosine(reduced: np.ndarray, reference: np.ndarray) -> float:
    ref_norm = np.linalg.norm(reference, axis=1)
    red_norm = np.linalg.norm(reduced, axis=1)
    keep = ref_norm > 1e-12  # an all-zero float32 embedding has no direction to agree with
    if not keep.any():
        return 1.0
    dots = (reduced[keep] * reference[keep]).sum(axis=1)
    cos = dots / np.maximum(red_norm[keep] * ref_norm[keep], 1e-12)
    return float(cos.min())


def embed_images(
    filenames: Sequence[str],
    read: Callable[[str], bytes],
    model: torch.nn.Module,
    *,
    input_size: int = 64,
    batch_size: int = 64,
    num_workers: int = 0,
    device: str | torch.device = "auto",
    progress: Callable[[int, int], None] | None = None,
    multiprocessing_context: str | None = None,
    precision: Precision = "auto",
    prepared: Mapping[str, np.ndarray] | None = None,
) -> EmbeddingResult:
    """Embed images with ``model``, streaming decoded batches through a DataLoader.

    Filenames are de-duplicated and sorted; the returned ``embeddings`` (float32, N x D) follow
    ``result.filenames``. Files that cannot be read or decoded are left out and listed in
    ``result.failed`` with a reason. ``prepared`` maps file names to their model pixels
    (:func:`image_file_pixels` at ``input_size``) decoded earlier: those files are not read
    again, and when every file is prepared no decode processes are started. The other arguments
    are :func:`embed_dataset`'s, which runs the model over an :class:`ImageBytesDataset`.
    """
    names = sorted(set(filenames))
    prepared = prepared or {}
    batches = None
    if names and all(name in prepared for name in names):
        # nothing to decode: no loader processes, each batch normalised in one pass
        batches = prepared_batches(names, prepared, batch_size)
    return embed_dataset(
        ImageBytesDataset(names, read, input_size, prepared),
        names,
        model,
        input_size=input_size,
        batch_size=batch_size,
        num_workers=num_workers,
        device=device,
        progress=progress,
        multiprocessing_context=multiprocessing_context,
        precision=precision,
        batches=batches,
    )


def embed_dataset(
    dataset: Dataset[tuple[torch.Tensor, int, str]],
    names: Sequence[str],
    model: torch.nn.Module,
    *,
    batch_size: int = 64,
    num_workers: int = 0,
    device: str | torch.device = "auto",
    progress: Callable[[int, int], None] | None = None,
    multiprocessing_context: str | None = None,
    precision: Precision = "auto",
    input_size: int | None = None,
    batches: Iterable[Batch] | None = None,
) -> EmbeddingResult:
    """Embed the items of ``dataset`` with ``model``, streaming batches through a DataLoader.

    ``dataset`` (map-style or an ``IterableDataset``) yields ``(tensor CxHxW, position, error)``
    where ``position`` indexes ``names`` (kept in the caller's order, not sorted) and a
    non-empty ``error`` marks an item that could not be decoded (its tensor is ignored). The
    result's ``filenames`` are the names that embedded, in ``names`` order, with their rows in
    ``embeddings``; the others are in ``failed`` with their reason. Only one batch (times the
    loader's prefetch) of decoded pixels is alive at a time. ``num_workers`` decoding processes
    (``-1``: one per CPU core, ``0``: decode in this process) feed the model;
    ``multiprocessing_context`` (e.g. ``"spawn"``) is passed to the DataLoader for callers whose
    process must not fork. ``input_size`` (default: the dataset's ``input_size``, else 64) only
    sizes the probe that reports the embedding width when nothing decoded.

    ``device="auto"`` picks CUDA when available (pinned host memory, asynchronous copies) and the
    CPU otherwise. The model is moved to the device in channels_last layout and put in eval mode.
    ``precision``: ``"fp32"``, ``"bf16"`` or ``"fp16"`` autocast as given, or ``"auto"`` (the
    default): try the fast reduced precision of the device (fp16 on CUDA, bf16 on a CPU with
    native bf16 kernels) and keep it only if, on the first batch, every embedding is within cosine
    ``CALIBRATION_MIN_COSINE`` (0.995) of a float32 pass, else fall back to float32 for the run.
    ``progress(done, total)`` is called after every batch. ``batches``: the batches already
    made (as a DataLoader over ``dataset`` would give them); no DataLoader is started.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    names = list(names)
    dev = _resolve_device(device)
    candidate = _candidate_precision(precision, dev)
    probe_size = input_size or int(getattr(dataset, "input_size", 64))
    on_device = model.to(dev).to(memory_format=torch.channels_last).eval()
    run = _ModelRun(
        model=inference_copy(on_device, probe_size).to(memory_format=torch.channels_last),
        dev=dev,
        chosen=candidate,
        calibrate=precision == "auto" and candidate != "fp32",
    )
    with torch.inference_mode():
        loader = batches
        if loader is None:
            loader = _loader(dataset, batch_size, num_workers, dev, multiprocessing_context)
        rows = _embed_batches(loader, names, run, progress)
        if rows.out is None:
            # Nothing decoded; still report the model's embedding width for downstream CSVs.
            side = input_size or int(getattr(dataset, "input_size", 64))
            width = run.forward(torch.zeros(1, 3, side, side), "fp32").shape[1]
            rows.out = np.empty((len(names), width), dtype=np.float32)

    kept = [n for n, ok in zip(names, rows.ok, strict=True) if ok]
    embeddings = rows.out if rows.ok.all() else rows.out[rows.ok]
    return EmbeddingResult(
        filenames=kept,
        embeddings=np.ascontiguousarray(embeddings),
        failed=rows.failed,
        precision=run.chosen,
        calibration_min_cosine=run.calibration,
    )


def _loader(
    dataset: Dataset[tuple[torch.Tensor, int, str]],
    batch_size: int,
    num_workers: int,
    dev: torch.device,
    multiprocessing_context: str | None,
) -> DataLoader[tuple[torch.Tensor, int, str]]:
    """The DataLoader over ``dataset``; an IterableDataset orders itself (no shuffle/sampler)."""
    workers = (os.cpu_count() or 1) if num_workers < 0 else num_workers
    ordering = {} if isinstance(dataset, IterableDataset) else {"shuffle": False}
    return DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=workers,
        pin_memory=dev.type == "cuda",
        multiprocessing_context=multiprocessing_context if workers > 0 else None,
        worker_init_fn=ignore_stop_signals if workers > 0 else None,
        **ordering,  # type: ignore[arg-type]
    )


@dataclass
class _ModelRun:
    """The model on its device and the precision it runs in (settled on the first batch)."""

    model: torch.nn.Module
    dev: torch.device
    chosen: str
    calibrate: bool
    calibration: float | None = None

    def forward(self, batch: torch.Tensor, mode: str) -> np.ndarray:
        """Embed ``batch`` in ``mode`` ("fp32" or an autocast dtype); float32 (N, D) on the host."""
        dev = self.dev
        batch = batch.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
        dtype = _DTYPES.get(mode)
        with torch.autocast(
            device_type=dev.type, dtype=dtype or torch.float32, enabled=dtype is not None
        ):
            out = self.model(batch)
        feats: np.ndarray = out.float().flatten(1).cpu().numpy()
        return feats

    def embed(self, batch: torch.Tensor) -> np.ndarray:
        """Embed ``batch`` in the chosen precision; the first call calibrates "auto" once."""
        feats = self.forward(batch, self.chosen)
        if self.calibrate:
            self.calibrate = False
            reference = self.forward(batch, "fp32")
            self.calibration = _min_cosine(feats, reference)
            if self.calibration < CALIBRATION_MIN_COSINE:
                logger.warning(
                    "%s embeddings reach only cosine %.4f of float32 on the first batch; "
                    "embedding in float32",
                    self.chosen,
                    self.calibration,
                )
                self.chosen, feats = "fp32", reference
            else:
                logger.info(
                    "embedding in %s autocast (min cosine %.5f to float32 on %d images)",
                    self.chosen,
                    self.calibration,
                    len(feats),
                )
        return feats


@dataclass
class _Rows:
    """Embedding rows by input index (``out`` is sized after the first batch) and which decoded."""

    out: np.ndarray | None
    ok: np.ndarray
    failed: dict[str, str]


def _embed_batches(
    loader: Iterable[Batch] | DataLoader[tuple[torch.Tensor, int, str]],
    names: list[str],
    run: _ModelRun,
    progress: Callable[[int, int], None] | None,
) -> _Rows:
    """Run every decoded batch of ``loader`` through the model (call under inference_mode)."""
    total = len(names)
    # Rows are written into one preallocated array (sized after the first batch) so that large
    # runs never hold a list of per-batch arrays plus their concatenation at the same time.
    rows = _Rows(None, np.zeros(total, dtype=bool), {})
    dev = run.dev
    done = 0
    for images, indices, errors in loader:
        idx = indices.numpy()
        good = np.array([not e for e in errors], dtype=bool)
        for i, err in zip(idx[~good], (e for e in errors if e), strict=True):
            rows.failed[names[int(i)]] = err
        if good.any():
            # Mask after the transfer so the pinned batch is copied as a whole, asynchronously.
            batch = images.to(dev, non_blocking=True)
            if not good.all():
                batch = batch[torch.from_numpy(good).to(dev)]
            feats = run.embed(batch)
            if rows.out is None:
                rows.out = np.empty((total, feats.shape[1]), dtype=np.float32)
            rows.out[idx[good]] = feats
            rows.ok[idx[good]] = True
        done += len(idx)
        if progress is not None:
            progress(done, total)
    return rows
