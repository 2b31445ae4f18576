"""``lightly_config`` resolved into what SimCLR training uses, refusing what it cannot honour.

lightly-ssl-train's defaults (lightly 1.6 ``lightly/cli/config/config.yaml``) fill unset keys;
every key is either mapped onto :class:`TrainSettings` or refused with ``ValueError``, so a new
schema field can never be silently ignored (see ``_HANDLED_KEYS``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from winnow_common.schemas.worker_config import LightlyConfig
from winnow_gpu_worker.ml.models import DEFAULT_SEED, ModelSpec

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
