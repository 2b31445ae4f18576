"""Image embedding with a ResNet-18 backbone, streamed through a torch DataLoader."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torchvision
from PIL import Image, ImageOps
from torch.utils.data import DataLoader, Dataset

from winnow_gpu_worker.ml.images import strict_truncation

logger = logging.getLogger(__name__)

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

# Wrappers that training frameworks put in front of the backbone's own parameter names.
# Multi-level variants are listed explicitly because the longest matching prefix must win.
_CHECKPOINT_PREFIXES: tuple[str, ...] = (
    "",
    "backbone.",
    "model.",
    "encoder.",
    "model.backbone.",
    "model.encoder.",
    "encoder.backbone.",
    "backbone.encoder.",
)
_STATE_DICT_KEYS: tuple[str, ...] = ("state_dict", "model_state_dict", "model")

# lightly's examples build the backbone as nn.Sequential(*list(resnet.children())[:-1]), so
# checkpoints from them name modules by child index instead of by attribute name.
_RESNET_CHILDREN: tuple[str, ...] = (
    "conv1",
    "bn1",
    "relu",
    "maxpool",
    "layer1",
    "layer2",
    "layer3",
    "layer4",
    "avgpool",
    "fc",
)


def _new_resnet18() -> torch.nn.Module:
    model: torch.nn.Module = torchvision.models.resnet18(weights=None)
    model.fc = torch.nn.Identity()
    return model


def _read_checkpoint(checkpoint: str | os.PathLike[str] | bytes) -> object:
    source: Any = (
        io.BytesIO(checkpoint) if isinstance(checkpoint, bytes | bytearray) else checkpoint
    )
    try:
        # weights_only refuses arbitrary pickled objects: checkpoints are user-supplied files and
        # must not be able to run code inside the worker.
        return torch.load(source, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(
            "could not load checkpoint as a weights-only torch file "
            f"({type(exc).__name__}: {exc}); save just the model's state_dict with torch.save"
        ) from exc


def _extract_state_dict(obj: object) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        for key in _STATE_DICT_KEYS:
            inner = obj.get(key)
            if isinstance(inner, Mapping) and inner:
                return inner
        if obj and all(isinstance(k, str) for k in obj):
            return obj
    raise ValueError(
        "checkpoint is not a state_dict: expected a mapping of parameter names to tensors "
        f"or a dict with one of the keys {list(_STATE_DICT_KEYS)}"
    )


def _child_index_to_name(key: str) -> str:
    head, sep, rest = key.partition(".")
    if head.isdigit() and int(head) < len(_RESNET_CHILDREN):
        return _RESNET_CHILDREN[int(head)] + sep + rest
    return key


def _backbone_state_dict(
    raw: Mapping[str, Any], expected: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Pick the backbone's weights out of ``raw`` and check they fit ``expected`` exactly."""
    # DistributedDataParallel prefixes every key with "module."; it carries no information.
    normalized = {k.removeprefix("module."): v for k, v in raw.items()}

    def candidates(prefix: str) -> dict[str, Any]:
        return {
            _child_index_to_name(k[len(prefix) :]): v
            for k, v in normalized.items()
            if k.startswith(prefix)
        }

    best_prefix, best_hits = "", -1
    for prefix in _CHECKPOINT_PREFIXES:
        hits = sum(1 for k in candidates(prefix) if k in expected)
        if hits > best_hits:
            best_prefix, best_hits = prefix, hits
    if best_hits <= 0:
        sample = sorted(normalized)[:5]
        raise ValueError(
            f"checkpoint contains no ResNet-18 backbone weights (first keys: {sample}); "
            f"tried prefixes {[p for p in _CHECKPOINT_PREFIXES if p]}"
        )

    # The classifier is replaced by Identity, so fc weights (e.g. ImageNet's 1000 classes) are
    # irrelevant; keys outside the chosen prefix are heads (projection, momentum copies...).
    sub = {k: v for k, v in candidates(best_prefix).items() if not k.startswith("fc.")}
    if best_prefix:
        ignored = len(normalized) - len(candidates(best_prefix))
        logger.info("checkpoint: using keys under %r, ignoring %d other keys", best_prefix, ignored)

    unexpected = sorted(set(sub) - set(expected))
    # Old checkpoints predate BatchNorm's num_batches_tracked buffer; it is unused in eval mode.
    missing = sorted(k for k in set(expected) - set(sub) if not k.endswith("num_batches_tracked"))
    not_tensors = sorted(k for k, v in sub.items() if not isinstance(v, torch.Tensor))
    mismatched = sorted(
        f"{k}: checkpoint {tuple(v.shape)} vs model {tuple(expected[k].shape)}"
        for k, v in sub.items()
        if k in expected and isinstance(v, torch.Tensor) and v.shape != expected[k].shape
    )
    problems = []
    if unexpected:
        problems.append(f"unexpected keys {unexpected[:10]}")
    if missing:
        problems.append(f"missing keys {missing[:10]}")
    if not_tensors:
        problems.append(f"non-tensor values {not_tensors[:10]}")
    if mismatched:
        problems.append(f"shape mismatches {mismatched[:10]}")
    if problems:
        where = f" (under prefix {best_prefix!r})" if best_prefix else ""
        raise ValueError(
            f"checkpoint does not match a ResNet-18 backbone{where}: " + "; ".join(problems)
        )
    for key, value in expected.items():
        sub.setdefault(key, value)
    return sub


def build_backbone(
    checkpoint: str | os.PathLike[str] | bytes | None = None, seed: int = 0
) -> tuple[torch.nn.Module, bool]:
    """Build a ResNet-18 feature extractor (512-d output, ``fc`` replaced by Identity).

    ``checkpoint`` may be a path or the raw bytes of a ``torch.save`` file holding either a plain
    ResNet state_dict or a dict with a ``"state_dict"`` entry (PyTorch Lightning style; prefixes
    such as ``backbone.``, ``model.``, ``encoder.`` and ``module.`` are stripped, and other heads
    are ignored). fc weights may be present or absent; any other mismatch raises ``ValueError``.
    Without a checkpoint the weights are initialised deterministically from ``seed`` (the global
    RNG state is left untouched) and a warning is logged because the embeddings are untrained.

    Returns ``(model in eval mode on CPU, trained)`` where ``trained`` is True iff a checkpoint
    was loaded.
    """
    # fork_rng keeps the caller's global RNG stream unchanged; devices=[] avoids touching CUDA.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = _new_resnet18()
    if checkpoint is None:
        logger.warning(
            "no checkpoint given: using an UNTRAINED ResNet-18 (seed=%d); embeddings carry "
            "little semantic meaning and diversity selection will be close to pixel-level",
            seed,
        )
        return model.eval(), False
    raw = _extract_state_dict(_read_checkpoint(checkpoint))
    state = _backbone_state_dict(raw, model.state_dict())
    model.load_state_dict(state, strict=True)
    return model.eval(), True


def _decode_rgb(data: bytes, size: int) -> np.ndarray:
    """Decode ``data`` to a normalised float32 CHW array of ``size`` x ``size``."""
    with strict_truncation(), Image.open(io.BytesIO(data)) as img:
        if img.format == "JPEG":
            # Lets libjpeg decode at 1/2, 1/4 or 1/8 scale, which is most of the decode cost for
            # large photos when the network input is tiny.
            img.draft("RGB", (size, size))
        img.load()
        try:
            oriented = ImageOps.exif_transpose(img)
        except Exception:  # broken EXIF must not make good pixels unusable
            oriented = img
        rgb = oriented.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    arr = np.asarray(rgb, dtype=np.float32) / np.float32(255.0)
    arr = (arr - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(arr.transpose(2, 0, 1))


class ImageBytesDataset(Dataset[tuple[torch.Tensor, int, str]]):
    """Dataset that reads image bytes by filename and yields normalised tensors.

    Items are ``(tensor CxHxW float32, index, error)``. ``error`` is ``""`` for a decoded image;
    for a file that cannot be read or decoded the tensor is all zeros and ``error`` holds the
    reason, so one bad file never aborts a whole batch. ``read`` must be picklable when the
    DataLoader uses worker processes with the spawn/forkserver start methods.
    """

    def __init__(
        self, filenames: Sequence[str], read: Callable[[str], bytes], input_size: int = 64
    ) -> None:
        if input_size <= 0:
            raise ValueError(f"input_size must be positive, got {input_size}")
        self.filenames = list(filenames)
        self.read = read
        self.input_size = input_size

    def __len__(self) -> int:
        return len(self.filenames)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int, str]:
        name = self.filenames[index]
        try:
            arr = _decode_rgb(self.read(name), self.input_size)
        except Exception as exc:  # reported per file by embed_images
            text = str(exc).strip()
            reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
            zeros = torch.zeros(3, self.input_size, self.input_size, dtype=torch.float32)
            return zeros, index, f"could not decode image ({reason})"
        return torch.from_numpy(arr), index, ""


@dataclass
class EmbeddingResult:
    """Embeddings of the successfully decoded images, in sorted filename order."""

    filenames: list[str]
    embeddings: np.ndarray
    failed: dict[str, str] = field(default_factory=dict)


def _resolve_device(device: str | torch.device) -> torch.device:
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


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
) -> EmbeddingResult:
    """Embed images with ``model``, streaming decoded batches through a DataLoader.

    Filenames are de-duplicated and sorted; the returned ``embeddings`` (float32, N x D) follow
    ``result.filenames``. Files that cannot be read or decoded are left out and listed in
    ``result.failed`` with a reason. Only one batch (times the loader's prefetch) of decoded
    pixels is alive at a time. ``device="auto"`` picks CUDA when available (with fp16 autocast)
    and the CPU otherwise. The model is moved to the device in channels_last layout and put in
    eval mode. ``progress(done, total)`` is called after every batch. ``multiprocessing_context``
    (e.g. ``"spawn"``) is passed to the DataLoader for callers whose process must not fork.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    names = sorted(set(filenames))
    total = len(names)
    dev = _resolve_device(device)
    use_cuda = dev.type == "cuda"
    model = model.to(dev).to(memory_format=torch.channels_last).eval()

    loader = DataLoader(
        ImageBytesDataset(names, read, input_size),
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        pin_memory=use_cuda,
        multiprocessing_context=multiprocessing_context if num_workers > 0 else None,
    )

    def forward(batch: torch.Tensor) -> np.ndarray:
        batch = batch.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
        with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=use_cuda):
            out = model(batch)
        feats: np.ndarray = out.float().flatten(1).cpu().numpy()
        return feats

    # Rows are written into one preallocated array (sized after the first batch) so that large
    # runs never hold a list of per-batch arrays plus their concatenation at the same time.
    out_rows: np.ndarray | None = None
    ok_mask = np.zeros(total, dtype=bool)
    failed: dict[str, str] = {}
    done = 0
    with torch.inference_mode():
        for images, indices, errors in loader:
            idx = indices.numpy()
            good = np.array([not e for e in errors], dtype=bool)
            for i, err in zip(idx[~good], (e for e in errors if e), strict=True):
                failed[names[int(i)]] = err
            if good.any():
                # Mask after the transfer so the pinned batch is copied as a whole, asynchronously.
                batch = images.to(dev, non_blocking=True)
                if not good.all():
                    batch = batch[torch.from_numpy(good).to(dev)]
                feats = forward(batch)
                if out_rows is None:
                    out_rows = np.empty((total, feats.shape[1]), dtype=np.float32)
                out_rows[idx[good]] = feats
                ok_mask[idx[good]] = True
            done += len(idx)
            if progress is not None:
                progress(done, total)
        if out_rows is None:
            # No image decoded; still report the model's embedding width for downstream CSVs.
            dummy = torch.zeros(1, 3, input_size, input_size)
            width = forward(dummy).shape[1]
            out_rows = np.empty((total, width), dtype=np.float32)

    kept = [n for n, ok in zip(names, ok_mask, strict=True) if ok]
    embeddings = out_rows if ok_mask.all() else out_rows[ok_mask]
    return EmbeddingResult(
        filenames=kept, embeddings=np.ascontiguousarray(embeddings), failed=failed
    )


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Scale each row of ``x`` to unit L2 norm; all-zero rows stay zero. Returns float32."""
    arr = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(arr, axis=-1, keepdims=True)
    safe = np.where(norms > 0, norms, np.float32(1.0))
    return (arr / safe).astype(np.float32, copy=False)
