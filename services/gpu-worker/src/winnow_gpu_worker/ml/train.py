"""Self-supervised SimCLR training with the ``lightly`` package, configured by ``lightly_config``.

This is what ``lightly-ssl-train`` (lightly 1.6 ``lightly/cli/train_cli.py``) does, as a plain
torch loop instead of a Lightning Trainer: lightly's model (:mod:`winnow_gpu_worker.ml.models`),
``lightly.loss.NTXentLoss(temperature)``, ``torch.optim.SGD(lr, weight_decay)`` (no momentum, no
schedule, no batch-size scaling of ``lr``), ``lightly.transforms.SimCLRTransform`` built from
``collate`` and a DataLoader built from ``loader``. Every ``lightly_config`` key is either mapped
or refused with ``ValueError``; see :func:`resolve_training_settings`.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from lightly.loss import NTXentLoss
from lightly.transforms.simclr_transform import SimCLRTransform
from PIL import Image, ImageOps
from pydantic import BaseModel
from torch.utils.data import DataLoader, Dataset

from winnow_common.schemas.worker_config import LightlyConfig
from winnow_gpu_worker.ml.embed import ignore_stop_signals
from winnow_gpu_worker.ml.images import strict_truncation
from winnow_gpu_worker.ml.models import (
    DEFAULT_SEED,
    EmbeddingModel,
    ModelSpec,
    SimCLRModel,
    build_simclr_model,
    load_checkpoint,
    save_checkpoint,
)

logger = logging.getLogger(__name__)

# lightly 1.6 lightly/cli/config/config.yaml == the Lightly Worker's default lightly_config.
LIGHTLY_COLLATE_DEFAULTS: dict[str, Any] = {
    "input_size": 64,
    "cj_prob": 0.8,
    "cj_bright": 0.7,
    "cj_contrast": 0.7,
    "cj_sat": 0.7,
    "cj_hue": 0.2,
    "min_scale": 0.15,
    "random_gray_scale": 0.2,
    "gaussian_blur": 0.5,
    "sigmas": (0.2, 2.0),
    "vf_prob": 0.0,
    "hf_prob": 0.5,
    "rr_prob": 0.0,
    "rr_degrees": None,
}
# The Lightly webapp's default config still sends the deprecated ``kernel_size: 0.1``.
DEPRECATED_KERNEL_SIZE_DEFAULT = 0.1
DEFAULT_BATCH_SIZE = 16
DEFAULT_MAX_EPOCHS = 100
DEFAULT_PRECISION = 32
DEFAULT_TEMPERATURE = 0.5
DEFAULT_LR = 1.0
DEFAULT_WEIGHT_DECAY = 1e-5

# Keys of each lightly_config section that this module honours. A schema field missing here makes
# training refuse the config instead of silently ignoring the new key.
_HANDLED_KEYS: dict[str, frozenset[str]] = {
    "loader": frozenset({"batch_size", "shuffle", "num_workers", "drop_last"}),
    "model": frozenset({"name", "out_dim", "num_ftrs", "width"}),
    "trainer": frozenset({"gpus", "max_epochs", "precision"}),
    "criterion": frozenset({"temperature"}),
    "optimizer": frozenset({"lr", "weight_decay"}),
    "collate": frozenset({*LIGHTLY_COLLATE_DEFAULTS, "kernel_size"}),
    "checkpoint_callback": frozenset({"save_last"}),
}


@dataclass(frozen=True)
class TrainSettings:
    """``lightly_config`` resolved against lightly's defaults (what training actually uses)."""

    model: ModelSpec
    transform_kwargs: dict[str, Any]
    batch_size: int = DEFAULT_BATCH_SIZE
    shuffle: bool = True
    num_workers: int = -1
    drop_last: bool = True
    gpus: int = 1
    max_epochs: int = DEFAULT_MAX_EPOCHS
    precision: int = DEFAULT_PRECISION
    temperature: float = DEFAULT_TEMPERATURE
    lr: float = DEFAULT_LR
    weight_decay: float = DEFAULT_WEIGHT_DECAY
    seed: int = DEFAULT_SEED
    save_last: bool = True


@dataclass
class TrainResult:
    """Outcome of :func:`train_simclr`.

    ``model`` is the embedding model (backbone, ``num_ftrs`` output) with the weights of
    ``checkpoint_bytes``: the epoch with the lowest mean loss (lightly's ModelCheckpoint keeps the
    top-1 epoch by ``loss``). ``last_checkpoint_bytes`` holds the final epoch when
    ``checkpoint_callback.save_last`` (default True). ``history`` is the mean loss per epoch.
    """

    model: EmbeddingModel
    checkpoint_bytes: bytes
    epochs: int
    final_loss: float
    history: list[float]
    best_epoch: int | None = None
    last_checkpoint_bytes: bytes | None = None
    failed: dict[str, str] = field(default_factory=dict)
    settings: TrainSettings | None = None
    device: str = "cpu"
    autocast_dtype: str | None = None
    seconds: float = 0.0


def _set_fields(section: BaseModel | None) -> dict[str, Any]:
    if section is None:
        return {}
    return {k: v for k, v in section.model_dump().items() if v is not None}


def _check_handled(lightly_cfg: LightlyConfig) -> None:
    for name in _HANDLED_KEYS:
        section = getattr(lightly_cfg, name)
        unknown = sorted(set(_set_fields(section)) - _HANDLED_KEYS[name])
        if unknown:
            raise ValueError(
                f"lightly.{name} keys {unknown} have no equivalent in Winnow's SimCLR training"
            )


def build_transform_kwargs(lightly_cfg: LightlyConfig | None) -> dict[str, Any]:
    """Map ``lightly.collate`` onto ``lightly.transforms.SimCLRTransform`` keyword arguments.

    Unset keys take lightly's CLI defaults (not SimCLRTransform's own, which differ). Raises
    ``ValueError`` for values SimCLRTransform cannot express (see ``kernel_size``).
    """
    given = _set_fields(lightly_cfg.collate if lightly_cfg else None)
    kwargs = dict(LIGHTLY_COLLATE_DEFAULTS)
    kernel_size = given.pop("kernel_size", None)
    if kernel_size is not None:
        if not math.isclose(kernel_size, DEPRECATED_KERNEL_SIZE_DEFAULT):
            raise ValueError(
                f"lightly.collate.kernel_size={kernel_size} has no equivalent: lightly deprecated "
                "and ignores it since v1.2.45 (the Gaussian blur radius is drawn from "
                "collate.sigmas); remove it (or leave the default 0.1) and set sigmas instead"
            )
        logger.info(
            "lightly.collate.kernel_size=0.1 (webapp default) is deprecated and has no effect, "
            "as in lightly >= 1.2.45; the blur uses collate.sigmas=%s",
            given.get("sigmas", kwargs["sigmas"]),
        )
    sigmas = given.pop("sigmas", None)
    if sigmas is not None:
        if len(sigmas) != 2 or not 0 < sigmas[0] <= sigmas[1]:
            raise ValueError(
                f"lightly.collate.sigmas must be [min, max] with 0 < min <= max, got {sigmas}"
            )
        kwargs["sigmas"] = (float(sigmas[0]), float(sigmas[1]))
    rr_degrees = given.pop("rr_degrees", None)
    if rr_degrees is not None:
        if len(rr_degrees) == 1:
            kwargs["rr_degrees"] = float(rr_degrees[0])
        elif len(rr_degrees) == 2:
            kwargs["rr_degrees"] = (float(rr_degrees[0]), float(rr_degrees[1]))
        else:
            raise ValueError(
                f"lightly.collate.rr_degrees must be [max] or [min, max] degrees, got {rr_degrees}"
            )
    kwargs.update(given)
    return kwargs


def resolve_training_settings(lightly_cfg: LightlyConfig | None) -> TrainSettings:
    """Resolve ``lightly_config`` against lightly's defaults, refusing unmappable keys.

    Honoured: ``seed``; ``loader.{batch_size, shuffle, num_workers (-1 = all cores), drop_last}``;
    ``model.{name, width, num_ftrs, out_dim}``; ``trainer.{max_epochs, precision, gpus}``
    (``gpus=0`` forces the CPU, ``gpus`` is ignored without CUDA, more than one GPU trains on
    one); ``criterion.temperature``; ``optimizer.{lr, weight_decay}`` (plain SGD as in lightly);
    every ``collate`` key (``kernel_size`` only at its deprecated default, see
    :func:`build_transform_kwargs`); ``checkpoint_callback.save_last``.
    """
    cfg = lightly_cfg or LightlyConfig()
    _check_handled(cfg)
    loader = _set_fields(cfg.loader)
    trainer = _set_fields(cfg.trainer)
    criterion = _set_fields(cfg.criterion)
    optimizer = _set_fields(cfg.optimizer)
    callback = _set_fields(cfg.checkpoint_callback)
    return TrainSettings(
        model=ModelSpec.from_config(cfg.model),
        transform_kwargs=build_transform_kwargs(cfg),
        batch_size=int(loader.get("batch_size", DEFAULT_BATCH_SIZE)),
        shuffle=bool(loader.get("shuffle", True)),
        num_workers=int(loader.get("num_workers", -1)),
        drop_last=bool(loader.get("drop_last", True)),
        gpus=int(trainer.get("gpus", 1)),
        max_epochs=int(trainer.get("max_epochs", DEFAULT_MAX_EPOCHS)),
        precision=int(trainer.get("precision", DEFAULT_PRECISION)),
        temperature=float(criterion.get("temperature", DEFAULT_TEMPERATURE)),
        lr=float(optimizer.get("lr", DEFAULT_LR)),
        weight_decay=float(optimizer.get("weight_decay", DEFAULT_WEIGHT_DECAY)),
        seed=int(cfg.seed) if cfg.seed is not None else DEFAULT_SEED,
        save_last=bool(callback.get("save_last", True)),
    )


def _decode_for_training(data: bytes, draft_size: int) -> Image.Image:
    with strict_truncation(), Image.open(io.BytesIO(data)) as img:
        if img.format == "JPEG":
            # Decode at the smallest 1/2^k scale that still leaves every random crop at least
            # input_size pixels wide; the crop is resized to input_size anyway.
            img.draft("RGB", (draft_size, draft_size))
        img.load()
        try:
            oriented = ImageOps.exif_transpose(img)
        except Exception:  # broken EXIF must not make good pixels unusable
            oriented = img
        return oriented.convert("RGB")


class SimCLRViewsDataset(Dataset[tuple[torch.Tensor | None, torch.Tensor | None, int, str]]):
    """Reads image bytes by name and yields two augmented views ``(v0, v1, index, error)``.

    A file that cannot be read or decoded yields ``(None, None, index, reason)``; the collate
    function drops it, so one bad file never stops training. ``read`` and ``transform`` must be
    picklable for spawned DataLoader workers.
    """

    def __init__(
        self,
        filenames: Sequence[str],
        read: Callable[[str], bytes],
        transform: Callable[[Image.Image], Any],
        draft_size: int,
    ) -> None:
        self.filenames = list(filenames)
        self.read = read
        self.transform = transform
        self.draft_size = draft_size

    def __len__(self) -> int:
        return len(self.filenames)

    def __getitem__(self, index: int) -> tuple[torch.Tensor | None, torch.Tensor | None, int, str]:
        name = self.filenames[index]
        try:
            image = _decode_for_training(self.read(name), self.draft_size)
        except Exception as exc:
            text = str(exc).strip()
            return (
                None,
                None,
                index,
                f"{type(exc).__name__}: {text}" if text else type(exc).__name__,
            )
        views = self.transform(image)
        return views[0], views[1], index, ""


def _collate_views(
    batch: Sequence[tuple[torch.Tensor | None, torch.Tensor | None, int, str]],
) -> tuple[torch.Tensor, torch.Tensor, list[tuple[int, str]]]:
    good = [(v0, v1) for v0, v1, _, err in batch if not err and v0 is not None and v1 is not None]
    failed = [(i, err) for _, _, i, err in batch if err]
    if not good:
        empty = torch.empty(0)
        return empty, empty, failed
    return (
        torch.stack([v0 for v0, _ in good]),
        torch.stack([v1 for _, v1 in good]),
        failed,
    )


def _seed_worker(worker_id: int) -> None:
    # torch seeds each DataLoader worker; numpy and random (lightly's GaussianBlur uses
    # np.random) would otherwise repeat the same stream in every forked worker.
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)
    ignore_stop_signals(worker_id)


@contextlib.contextmanager
def _isolated_rng(seed: int, cuda: bool) -> Iterator[None]:
    """Seed torch/numpy/random for the block and restore the caller's RNG states afterwards."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    devices = list(range(torch.cuda.device_count())) if cuda else []
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            np.random.seed(seed % 2**32)
            random.seed(seed)
            yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


def _resolve_device(device: str | torch.device, gpus: int) -> torch.device:
    if isinstance(device, str) and device == "auto":
        if gpus == 0 or not torch.cuda.is_available():
            return torch.device("cpu")
        if gpus > 1:
            logger.warning("lightly.trainer.gpus=%d: Winnow trains on one GPU", gpus)
        return torch.device("cuda")
    return torch.device(device)


def _autocast_dtype(dev: torch.device, precision: int) -> torch.dtype | None:
    if precision == 32:
        return None
    if precision != 16:
        raise ValueError(f"lightly.trainer.precision must be 16 or 32, got {precision}")
    if dev.type == "cuda":
        return torch.float16
    if dev.type == "cpu":
        # Half precision on a CPU means bfloat16: float16 autocast there is slow and needs loss
        # scaling; bfloat16 has float32's range and uses AMX/AVX-512-BF16 where available.
        return torch.bfloat16
    return None


def train_simclr(
    filenames: Sequence[str],
    read: Callable[[str], bytes],
    lightly_cfg: LightlyConfig | None = None,
    *,
    init_checkpoint: str | os.PathLike[str] | bytes | None = None,
    device: str | torch.device = "auto",
    progress: Callable[[int, int, float], None] | None = None,
    multiprocessing_context: str | None = None,
) -> TrainResult:
    """Train lightly's SimCLR model on the images ``filenames`` (bytes from ``read``).

    ``lightly_cfg`` is the ``lightly`` section of the worker config (see
    :func:`resolve_training_settings` for the key mapping; unmappable keys raise ``ValueError``).
    ``init_checkpoint`` continues from a checkpoint (:func:`~winnow_gpu_worker.ml.models.
    load_checkpoint` formats); otherwise weights start from ``lightly.seed`` (default 1). With
    ``device="auto"`` training runs on CUDA when available (and ``trainer.gpus != 0``), else on
    the CPU; ``trainer.precision=16`` means fp16 autocast with loss scaling on CUDA and bf16
    autocast on the CPU. ``progress(epoch, max_epochs, mean_loss)`` is called after each epoch.
    Files that cannot be decoded are skipped and listed in ``TrainResult.failed``. The caller's
    global RNG states are left untouched. Raises ``RuntimeError`` if the loss becomes NaN/inf.
    """
    settings = resolve_training_settings(lightly_cfg)
    names = sorted(set(filenames))
    if not names:
        raise ValueError("train_simclr needs at least one image")
    dev = _resolve_device(device, settings.gpus)
    use_cuda = dev.type == "cuda"
    amp_dtype = _autocast_dtype(dev, settings.precision)
    started = time.perf_counter()

    model = build_simclr_model(settings.model, seed=settings.seed)
    if init_checkpoint is not None:
        load_checkpoint(model, init_checkpoint)
    model = model.to(dev).to(memory_format=torch.channels_last)

    kwargs = settings.transform_kwargs
    transform = SimCLRTransform(**kwargs)
    draft_size = math.ceil(kwargs["input_size"] / math.sqrt(max(kwargs["min_scale"], 1e-3)))
    dataset = SimCLRViewsDataset(names, read, transform, draft_size)
    batch_size = min(settings.batch_size, len(dataset))  # as lightly-ssl-train does
    num_workers = (os.cpu_count() or 1) if settings.num_workers < 0 else settings.num_workers
    criterion = NTXentLoss(temperature=settings.temperature)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay
    )
    scaler = torch.amp.GradScaler("cuda", enabled=use_cuda and amp_dtype == torch.float16)

    history: list[float] = []
    failed: dict[str, str] = {}
    best_state: dict[str, torch.Tensor] | None = None
    best_loss = math.inf
    best_epoch: int | None = None
    global_step = 0
    with _isolated_rng(settings.seed, use_cuda):
        generator = torch.Generator()
        generator.manual_seed(settings.seed)
        loader = DataLoader(
            dataset,
            batch_size=batch_size,
            shuffle=settings.shuffle,
            drop_last=settings.drop_last,
            num_workers=num_workers,
            collate_fn=_collate_views,
            pin_memory=use_cuda,
            worker_init_fn=_seed_worker,
            generator=generator,
            persistent_workers=num_workers > 0 and settings.max_epochs > 1,
            multiprocessing_context=multiprocessing_context if num_workers > 0 else None,
        )
        for epoch in range(settings.max_epochs):
            model.train()
            losses: list[float] = []
            for x0, x1, bad in loader:
                for index, reason in bad:
                    failed[names[index]] = f"could not decode image ({reason})"
                if x0.shape[0] < 2:  # NT-Xent needs at least one negative pair
                    continue
                x0 = x0.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
                x1 = x1.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
                with torch.autocast(
                    device_type=dev.type,
                    dtype=amp_dtype or torch.float32,
                    enabled=amp_dtype is not None,
                ):
                    # Two passes like lightly's _SimCLR: BatchNorm sees each view separately.
                    z0 = model(x0)
                    z1 = model(x1)
                loss = criterion(z0.float(), z1.float())
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                value = float(loss.detach())
                if not math.isfinite(value):
                    raise RuntimeError(
                        f"SimCLR loss became {value} in epoch {epoch} (step {global_step}); "
                        "lower lightly.optimizer.lr or use trainer.precision=32"
                    )
                losses.append(value)
                global_step += 1
            if not losses:
                raise ValueError(
                    f"no training batch of at least 2 decodable images (batch_size={batch_size},"
                    f" drop_last={settings.drop_last}, {len(failed)} of {len(names)} files failed)"
                )
            mean_loss = float(np.mean(losses))
            history.append(mean_loss)
            logger.info("SimCLR epoch %d/%d: loss %.4f", epoch + 1, settings.max_epochs, mean_loss)
            if mean_loss < best_loss:
                best_loss, best_epoch = mean_loss, epoch
                best_state = {
                    k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()
                }
            if progress is not None:
                progress(epoch + 1, settings.max_epochs, mean_loss)

    model = model.cpu().to(memory_format=torch.contiguous_format).eval()
    meta = {"loss": history[-1] if history else None, "precision": settings.precision}
    last_bytes = save_checkpoint(
        model, epoch=max(len(history) - 1, 0), global_step=global_step, extra=meta
    )
    if best_state is not None and best_epoch is not None and best_epoch != len(history) - 1:
        best_model = copy.deepcopy(model)
        best_model.load_state_dict(best_state)
        best_bytes = save_checkpoint(
            best_model,
            epoch=best_epoch,
            global_step=global_step,
            extra={**meta, "loss": history[best_epoch]},
        )
        final: SimCLRModel = best_model
    else:
        best_bytes, final = last_bytes, model
    return TrainResult(
        model=final.embedding_model().eval(),
        checkpoint_bytes=best_bytes,
        epochs=len(history),
        final_loss=history[-1] if history else math.nan,
        history=history,
        best_epoch=best_epoch,
        last_checkpoint_bytes=last_bytes if settings.save_last else None,
        failed=failed,
        settings=settings,
        device=str(dev),
        autocast_dtype=str(amp_dtype).removeprefix("torch.") if amp_dtype else None,
        seconds=time.perf_counter() - started,
    )
