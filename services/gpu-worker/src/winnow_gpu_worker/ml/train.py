"""Self-supervised SimCLR training with the ``lightly`` package, configured by ``lightly_config``.

This is what ``lightly-ssl-train`` (lightly 1.6 ``lightly/cli/train_cli.py``) does, as a plain
torch loop instead of a Lightning Trainer: lightly's model (:mod:`winnow_gpu_worker.ml.models`),
``lightly.loss.NTXentLoss(temperature)``, ``torch.optim.SGD(lr, weight_decay)`` (no momentum, no
schedule, no batch-size scaling of ``lr``), ``lightly.transforms.SimCLRTransform`` built from
``collate`` and a DataLoader built from ``loader``. Every ``lightly_config`` key is either mapped
or refused with ``ValueError``; see :mod:`winnow_gpu_worker.ml.train_settings`. Images are
decoded by :func:`winnow_gpu_worker.ml.images.decode_rgb`, as for embedding.
"""

from __future__ import annotations

import contextlib
import copy
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
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from winnow_common.errors import StorageUnavailable
from winnow_common.schemas.worker_config import LightlyConfig
from winnow_gpu_worker.ml.embed import ignore_stop_signals
from winnow_gpu_worker.ml.images import decode_failure, decode_rgb
from winnow_gpu_worker.ml.models import (
    EmbeddingModel,
    SimCLRModel,
    build_simclr_model,
    load_checkpoint,
    save_checkpoint,
)
from winnow_gpu_worker.ml.train_settings import TrainSettings, resolve_training_settings

logger = logging.getLogger(__name__)


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


class SimCLRViewsDataset(Dataset[tuple[torch.Tensor | None, torch.Tensor | None, int, str]]):
    """Reads image bytes by name and yields two augmented views ``(v0, v1, index, error)``.

    A file that cannot be read or decoded yields ``(None, None, index, reason)`` (the message
    recorded in ``TrainResult.failed``); the collate
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
            image = decode_rgb(self.read(name), self.draft_size)
        except StorageUnavailable:
            raise  # an outage is not a bad file: the attempt waits or stops (as in embedding)
        except Exception as exc:
            return None, None, index, decode_failure(exc)
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
    started = time.perf_counter()
    trainer = _Trainer(settings, names, init_checkpoint, device)
    dataset = _views_dataset(names, read, settings)
    batch_size = min(settings.batch_size, len(dataset))  # as lightly-ssl-train does
    with _isolated_rng(settings.seed, trainer.use_cuda):
        loader = _views_loader(
            dataset, settings, batch_size, trainer.use_cuda, multiprocessing_context
        )
        for epoch in range(settings.max_epochs):
            mean_loss = trainer.run_epoch(loader, epoch, batch_size)
            trainer.end_epoch(epoch, mean_loss)
            if progress is not None:
                progress(epoch + 1, settings.max_epochs, mean_loss)
    return trainer.result(started)


def _views_dataset(
    names: list[str], read: Callable[[str], bytes], settings: TrainSettings
) -> SimCLRViewsDataset:
    kwargs = settings.transform_kwargs
    # Decode JPEGs at the smallest 1/2^k scale that still leaves every random crop at least
    # input_size pixels wide; the crop is resized to input_size anyway.
    draft_size = math.ceil(kwargs["input_size"] / math.sqrt(max(kwargs["min_scale"], 1e-3)))
    return SimCLRViewsDataset(names, read, SimCLRTransform(**kwargs), draft_size)


def _views_loader(
    dataset: SimCLRViewsDataset,
    settings: TrainSettings,
    batch_size: int,
    use_cuda: bool,
    multiprocessing_context: str | None,
) -> DataLoader[Any]:
    """The shuffled, seeded loader of one run (build it inside ``_isolated_rng``)."""
    num_workers = (os.cpu_count() or 1) if settings.num_workers < 0 else settings.num_workers
    generator = torch.Generator()
    generator.manual_seed(settings.seed)
    return DataLoader(
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


class _Trainer:
    """Model, optimiser and bookkeeping of one training run: built, stepped, then saved."""

    def __init__(
        self,
        settings: TrainSettings,
        names: list[str],
        init_checkpoint: str | os.PathLike[str] | bytes | None,
        device: str | torch.device,
    ) -> None:
        self.settings = settings
        self.names = names
        self.dev = _resolve_device(device, settings.gpus)
        self.use_cuda = self.dev.type == "cuda"
        self.amp_dtype = _autocast_dtype(self.dev, settings.precision)
        model = build_simclr_model(settings.model, seed=settings.seed)
        if init_checkpoint is not None:
            load_checkpoint(model, init_checkpoint)
        self.model: SimCLRModel = model.to(self.dev).to(memory_format=torch.channels_last)
        self.criterion = NTXentLoss(temperature=settings.temperature)
        self.optimizer = torch.optim.SGD(
            self.model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay
        )
        self.scaler = torch.amp.GradScaler(
            "cuda", enabled=self.use_cuda and self.amp_dtype == torch.float16
        )
        self.history: list[float] = []
        self.failed: dict[str, str] = {}
        self.best_state: dict[str, torch.Tensor] | None = None
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.global_step = 0

    def run_epoch(self, loader: DataLoader[Any], epoch: int, batch_size: int) -> float:
        """One pass over ``loader``; returns the mean loss of its steps."""
        self.model.train()
        losses: list[float] = []
        for x0, x1, bad in loader:
            for index, reason in bad:
                self.failed[self.names[index]] = reason
            if x0.shape[0] < 2:  # NT-Xent needs at least one negative pair
                continue
            losses.append(self._step(x0, x1, epoch))
        if not losses:
            raise ValueError(
                f"no training batch of at least 2 decodable images (batch_size={batch_size},"
                f" drop_last={self.settings.drop_last}, {len(self.failed)} of {len(self.names)}"
                " files failed)"
            )
        return float(np.mean(losses))

    def _step(self, x0: torch.Tensor, x1: torch.Tensor, epoch: int) -> float:
        dev, amp_dtype = self.dev, self.amp_dtype
        x0 = x0.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
        x1 = x1.to(dev, non_blocking=True).contiguous(memory_format=torch.channels_last)
        with torch.autocast(
            device_type=dev.type,
            dtype=amp_dtype or torch.float32,
            enabled=amp_dtype is not None,
        ):
            # Two passes like lightly's _SimCLR: BatchNorm sees each view separately.
            z0 = self.model(x0)
            z1 = self.model(x1)
        loss = self.criterion(z0.float(), z1.float())
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        value = float(loss.detach())
        if not math.isfinite(value):
            raise RuntimeError(
                f"SimCLR loss became {value} in epoch {epoch} (step {self.global_step}); "
                "lower lightly.optimizer.lr or use trainer.precision=32"
            )
        self.global_step += 1
        return value

    def end_epoch(self, epoch: int, mean_loss: float) -> None:
        """Record the epoch's loss and keep the weights of the best epoch so far."""
        self.history.append(mean_loss)
        logger.info("SimCLR epoch %d/%d: loss %.4f", epoch + 1, self.settings.max_epochs, mean_loss)
        if mean_loss < self.best_loss:
            self.best_loss, self.best_epoch = mean_loss, epoch
            self.best_state = {
                k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()
            }

    def result(self, started: float) -> TrainResult:
        """Move the model back to the CPU and save the best and the last epoch's checkpoints.

        ``started`` is the ``time.perf_counter()`` of the run's start (for ``seconds``).
        """
        settings, history = self.settings, self.history
        model = self.model.cpu().to(memory_format=torch.contiguous_format).eval()
        meta = {"loss": history[-1] if history else None, "precision": settings.precision}
        last_bytes = save_checkpoint(
            model, epoch=max(len(history) - 1, 0), global_step=self.global_step, extra=meta
        )
        best_epoch = self.best_epoch
        if (
            self.best_state is not None
            and best_epoch is not None
            and best_epoch != len(history) - 1
        ):
            best_model = copy.deepcopy(model)
            best_model.load_state_dict(self.best_state)
            best_bytes = save_checkpoint(
                best_model,
                epoch=best_epoch,
                global_step=self.global_step,
                extra={**meta, "loss": history[best_epoch]},
            )
            final: SimCLRModel = best_model
        else:
            best_bytes, final = last_bytes, model
        amp_dtype = self.amp_dtype
        return TrainResult(
            model=final.embedding_model().eval(),
            checkpoint_bytes=best_bytes,
            epochs=len(history),
            final_loss=history[-1] if history else math.nan,
            history=history,
            best_epoch=best_epoch,
            last_checkpoint_bytes=last_bytes if settings.save_last else None,
            failed=self.failed,
            settings=settings,
            device=str(self.dev),
            autocast_dtype=str(amp_dtype).removeprefix("torch.") if amp_dtype else None,
            seconds=time.perf_counter() - started,
        )
