"""TRAINING (optional SimCLR) and the choice of the embedding model.

Training writes its checkpoint under the run's deterministic key; the model later stages use is
always built from those bytes (fresh or resumed), so a resumed attempt embeds with exactly the
weights the first attempt trained. Without training the configured checkpoint (or the seeded
random weights) is loaded again, which is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from winnow_common.enums import RunState
from winnow_common.errors import PipelineError
from winnow_gpu_worker.stages.work import RunWork
from winnow_gpu_worker.steps.base import StageOutput

if TYPE_CHECKING:
    from winnow_gpu_worker.stages.model import ModelChoice

# The model modules (torch) are imported by the functions that build a model, not when the
# pipeline is imported: a standalone run checks its files while torch is still being imported.


def uses_model(cfg: Any) -> bool:
    """No model is needed when the user provides the embeddings."""
    return not cfg.docker.embeddings


def compute(work: RunWork) -> StageOutput:
    """Train when ``enable_training``; otherwise only note that the model is loaded later."""
    if not work.cfg.docker.enable_training:
        return StageOutput({"trained_here": False})
    from winnow_gpu_worker.stages.model import choose_model, read_checkpoint

    checkpoint, source = read_checkpoint(work.cfg, work.lightly_store, work.hooks)
    work.state(RunState.TRAINING, f"Training SimCLR on {len(work.clean)} images")
    choice = choose_model(
        work.cfg,
        checkpoint,
        source,
        train_on=work.clean,
        read=work.read,
        device=work.settings.device,
        on_epoch=lambda epoch, total, loss: work.state(
            RunState.TRAINING, f"Epoch {epoch}/{total}, loss {loss:.4f}"
        ),
    )
    training = choice.training
    assert training is not None
    epoch = training.best_epoch or training.epochs
    key = work.keys.checkpoint(epoch)
    work.out.write(key, training.checkpoint_bytes)
    work.state(RunState.TRAINING, f"Saved the checkpoint {key}")
    info = {
        "trained_here": True,
        "checkpoint_key": key,
        "description": choice.description,
        "training": {
            "epochs": training.epochs,
            "best_epoch": training.best_epoch,
            "final_loss": training.final_loss,
            "loss_history": training.history,
            "device": training.device,
            "checkpoint": key,
            "seconds": round(training.seconds, 2),
        },
    }
    return StageOutput(info)


def _trained_model(work: RunWork, info: dict[str, Any]) -> ModelChoice:
    from winnow_gpu_worker.ml.embed import build_backbone
    from winnow_gpu_worker.stages.model import ModelChoice

    lightly = work.cfg.lightly
    key = info["checkpoint_key"]
    try:
        model, _ = build_backbone(
            work.out.read(key),
            seed=lightly.seed if lightly.seed is not None else 1,
            model_cfg=lightly.model,
        )
    except ValueError as exc:
        raise PipelineError(f"the trained checkpoint {key}: {exc}") from exc
    return ModelChoice(model, True, info["description"])


def restore(work: RunWork, output: StageOutput) -> None:
    """Build the embedding model into the run context."""
    from winnow_gpu_worker.stages.model import choose_model, read_checkpoint

    info = output.info
    if info.get("trained_here"):
        choice = _trained_model(work, info)
        work.result.checkpoint_key = info["checkpoint_key"]
        work.training_info = dict(info["training"])
    else:
        checkpoint, source = read_checkpoint(work.cfg, work.lightly_store, work.hooks)
        choice = choose_model(
            work.cfg,
            checkpoint,
            source,
            train_on=[],
            read=work.input_store.read,
            device=work.settings.device,
            on_epoch=lambda *_: None,
            default_model=work.settings.default_model,
        )
    work.choice = choice
    work.result.model_trained, work.result.model_description = choice.trained, choice.description
