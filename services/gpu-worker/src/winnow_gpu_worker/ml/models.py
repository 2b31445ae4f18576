"""The Lightly Worker's embedding model, built exactly like lightly 1.6's own command-line tools.

``lightly-ssl-train``, ``lightly-embed`` and ``lightly-magic`` (``lightly/cli/_helpers.py``
``get_model_from_config`` and ``lightly/cli/train_cli.py``) build::

    resnet = ResNetGenerator(name, width)            # lightly's CIFAR-style ResNet
    backbone = nn.Sequential(
        BatchNorm2d(3),                              # input normalisation layer
        *list(resnet.children())[:-1],               # conv1, bn1, layer1..4 (no ReLU, no linear)
        nn.Conv2d(last_channels, num_ftrs, 1),       # 1x1 conv down to the embedding size
        nn.AdaptiveAvgPool2d(1),
    )
    model = _SimCLR(backbone, num_ftrs, out_dim)     # + SimCLRProjectionHead(num_ftrs, num_ftrs,
                                                     #   out_dim, batch_norm=False)

and save it as a PyTorch Lightning checkpoint whose ``state_dict`` keys read
``model.backbone.<i>...`` and ``model.projection_head.layers.<i>...``. The modules here have the
same structure and parameter names, so checkpoints move both ways: lightly's load into
:func:`load_checkpoint`, and :func:`save_checkpoint` writes files that ``lightly-embed
checkpoint=...`` loads. With the same seed the random initialisation equals lightly-ssl-train's,
because the modules are created in the same order.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import torch
from lightly.models import ResNetGenerator
from lightly.models.modules import SimCLRProjectionHead
from torch import nn

from winnow_common.schemas.worker_config import ModelConfig

logger = logging.getLogger(__name__)

# lightly's CLI / Lightly Worker defaults (lightly/cli/config/config.yaml, webapp default config).
DEFAULT_MODEL_NAME = "resnet-18"
DEFAULT_NUM_FTRS = 32
DEFAULT_OUT_DIM = 128
DEFAULT_WIDTH = 1
# lightly's config.yaml has ``seed: 1``; the Lightly Worker inherits it.
DEFAULT_SEED = 1

SUPPORTED_MODEL_NAMES: tuple[str, ...] = (
    "resnet-18",
    "resnet-34",
    "resnet-50",
    "resnet-101",
    "resnet-152",
)

# Key of the metadata block that Winnow adds to its checkpoints (plain types only, so that
# ``torch.load(weights_only=True)`` and lightly's own loader both accept the file).
WINNOW_METADATA_KEY = "winnow"
CHECKPOINT_FORMAT_VERSION = 1

_BACKBONE = "backbone."
_HEAD = "projection_head."
_STATE_DICT_KEYS: tuple[str, ...] = ("state_dict", "model_state_dict")


@dataclass(frozen=True)
class ModelSpec:
    """Resolved ``lightly.model`` settings (every field filled with lightly's default)."""

    name: str = DEFAULT_MODEL_NAME
    width: int = DEFAULT_WIDTH
    num_ftrs: int = DEFAULT_NUM_FTRS
    out_dim: int = DEFAULT_OUT_DIM

    @classmethod
    def from_config(cls, model_cfg: ModelConfig | None) -> ModelSpec:
        """Fill the unset fields of ``lightly.model`` with lightly's defaults."""
        if model_cfg is None:
            return cls()
        spec = cls(
            name=model_cfg.name or DEFAULT_MODEL_NAME,
            width=model_cfg.width if model_cfg.width is not None else DEFAULT_WIDTH,
            num_ftrs=model_cfg.num_ftrs if model_cfg.num_ftrs is not None else DEFAULT_NUM_FTRS,
            out_dim=model_cfg.out_dim if model_cfg.out_dim is not None else DEFAULT_OUT_DIM,
        )
        if spec.name not in SUPPORTED_MODEL_NAMES:
            raise ValueError(
                f"lightly.model.name {spec.name!r} is not one of {list(SUPPORTED_MODEL_NAMES)}"
            )
        return spec

    def describe(self) -> str:
        """Human-readable summary, e.g. for run logs and reports."""
        return (
            f"lightly {self.name} (width={self.width}, num_ftrs={self.num_ftrs}, "
            f"out_dim={self.out_dim})"
        )


class EmbeddingModel(nn.Module):
    """lightly's CLI backbone; ``forward`` returns the flattened ``(N, num_ftrs)`` embedding."""

    def __init__(self, backbone: nn.Sequential, spec: ModelSpec) -> None:
        super().__init__()
        self.backbone = backbone
        self.spec = spec

    @property
    def num_ftrs(self) -> int:
        """Width of the embedding this model produces."""
        return self.spec.num_ftrs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed a batch of normalised images ``(N, 3, H, W)`` into ``(N, num_ftrs)``."""
        out: torch.Tensor = self.backbone(x)
        return out.flatten(start_dim=1)


class SimCLRModel(nn.Module):
    """Backbone + SimCLR projection head, parameter-compatible with ``lightly.cli._SimCLR``."""

    def __init__(self, backbone: nn.Sequential, spec: ModelSpec) -> None:
        super().__init__()
        self.backbone = backbone
        self.projection_head = SimCLRProjectionHead(
            spec.num_ftrs, spec.num_ftrs, spec.out_dim, batch_norm=False
        )
        self.spec = spec

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Project one view: ``(N, 3, H, W)`` -> ``(N, out_dim)``."""
        features: torch.Tensor = self.backbone(x).flatten(start_dim=1)
        out: torch.Tensor = self.projection_head(features)
        return out

    def embedding_model(self) -> EmbeddingModel:
        """An :class:`EmbeddingModel` that shares (not copies) this model's backbone."""
        return EmbeddingModel(self.backbone, self.spec)


def _lightly_backbone(spec: ModelSpec) -> nn.Sequential:
    # Mirrors lightly/cli/_helpers.py get_model_from_config line by line (module order included,
    # so that seeded initialisation consumes the RNG exactly as lightly does).
    resnet = ResNetGenerator(spec.name, spec.width)
    children = list(resnet.children())
    last = children[-1]
    assert isinstance(last, nn.Linear)
    return nn.Sequential(
        nn.BatchNorm2d(3),  # lightly: get_norm_layer(3, 0)
        *children[:-1],
        nn.Conv2d(last.in_features, spec.num_ftrs, 1),
        nn.AdaptiveAvgPool2d(1),
    )


def build_simclr_model(
    model_cfg: ModelConfig | ModelSpec | None = None, seed: int = DEFAULT_SEED
) -> SimCLRModel:
    """Build backbone + projection head with weights initialised deterministically from ``seed``.

    The caller's global RNG state is left untouched. The initial weights equal those of
    ``lightly-ssl-train seed=<seed> pre_trained=False`` for the same model settings.
    """
    spec = model_cfg if isinstance(model_cfg, ModelSpec) else ModelSpec.from_config(model_cfg)
    # fork_rng restores the global RNG afterwards; devices=[] keeps CUDA untouched.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        backbone = _lightly_backbone(spec)
        model = SimCLRModel(backbone, spec)
    return model


def build_embedding_model(
    model_cfg: ModelConfig | ModelSpec | None = None, seed: int = DEFAULT_SEED
) -> EmbeddingModel:
    """Build the Lightly Worker's default embedding model (``lightly.model`` settings).

    Defaults: resnet-18, width 1, num_ftrs 32 (the embedding size). Weights are random,
    initialised deterministically from ``seed`` (global RNG untouched); the model is in eval mode
    on the CPU. ``out_dim`` only matters for training (see :func:`build_simclr_model`).
    """
    return build_simclr_model(model_cfg, seed).embedding_model().eval()


# ---------------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------------


def save_checkpoint(
    model: SimCLRModel | EmbeddingModel,
    *,
    epoch: int = 0,
    global_step: int = 0,
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """Serialise ``model`` in lightly's checkpoint layout and return the file's bytes.

    The file is ``{"state_dict": {"model.backbone.*", "model.projection_head.*"}, "epoch",
    "global_step", "winnow": {...}}`` with plain types only. When ``model`` is a
    :class:`SimCLRModel` the file also loads in ``lightly-embed`` / ``lightly-ssl-train
    checkpoint=...`` (lightly loads strictly and needs the projection head); a bare
    :class:`EmbeddingModel` yields a backbone-only file that only :func:`load_checkpoint` reads.
    ``extra`` (plain values) is stored under the ``"winnow"`` key.
    """
    state = {f"model.{k}": v.detach().cpu().clone() for k, v in model.state_dict().items()}
    meta: dict[str, Any] = {
        "format_version": CHECKPOINT_FORMAT_VERSION,
        "model": asdict(model.spec),
        "has_projection_head": isinstance(model, SimCLRModel),
    }
    if extra:
        meta.update(extra)
    buf = io.BytesIO()
    torch.save(
        {
            "state_dict": state,
            "epoch": int(epoch),
            "global_step": int(global_step),
            WINNOW_METADATA_KEY: meta,
        },
        buf,
    )
    return buf.getvalue()


def _read_checkpoint(checkpoint: str | os.PathLike[str] | bytes) -> object:
    source: Any = (
        io.BytesIO(checkpoint) if isinstance(checkpoint, bytes | bytearray) else checkpoint
    )
    try:
        # weights_only refuses arbitrary pickled objects: checkpoints are user-supplied files and
        # must not run code in the worker. lightly's Lightning checkpoints (state_dict, loops,
        # callbacks, optimizer_states) contain only tensors and plain containers and load fine.
        return torch.load(source, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(
            "could not load checkpoint as a weights-only torch file "
            f"({type(exc).__name__}: {exc}); re-save it as "
            "torch.save({'state_dict': model.state_dict()}, path)"
        ) from exc


def _extract_state_dict(obj: object) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        for key in _STATE_DICT_KEYS:
            inner = obj.get(key)
            if isinstance(inner, Mapping) and inner:
                return inner
        if (
            obj
            and all(isinstance(k, str) for k in obj)
            and any(isinstance(v, torch.Tensor) for v in obj.values())
        ):
            return obj
    raise ValueError(
        "checkpoint is not a state_dict: expected a mapping of parameter names to tensors "
        f"or a dict with one of the keys {list(_STATE_DICT_KEYS)}"
    )


def _normalize_key(key: str) -> str:
    """Map the naming variants of lightly checkpoints onto this module's parameter names."""
    while key.startswith("module."):  # DistributedDataParallel
        key = key[len("module.") :]
    if key.startswith("model."):  # the LightningModule (SelfSupervisedEmbedding) wrapper
        key = key[len("model.") :]
    parts = key.split(".")
    # lightly < 1.0.6 named the backbone "features" (lightly.cli._helpers._filter_state_dict).
    parts = ["backbone" if p == "features" else p for p in parts]
    # Old projection heads lack the ".layers" level (lightly.cli._helpers._fix_projection_head_keys)
    if parts[0] == "projection_head" and len(parts) > 1 and parts[1] != "layers":
        parts.insert(1, "layers")
    return ".".join(parts)


def _split_checkpoint(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Return (backbone weights, head weights, other keys), all relative to their module."""
    normalized = {_normalize_key(k): v for k, v in raw.items()}
    # A bare nn.Sequential state_dict (``model.backbone.state_dict()``): "0.weight", ...
    bare = not any(k.startswith((_BACKBONE, _HEAD)) for k in normalized)
    if bare and any(k.split(".", 1)[0].isdigit() for k in normalized):
        normalized = {
            (_BACKBONE + k if k.split(".", 1)[0].isdigit() else k): v for k, v in normalized.items()
        }
    backbone = {k[len(_BACKBONE) :]: v for k, v in normalized.items() if k.startswith(_BACKBONE)}
    head = {k[len(_HEAD) :]: v for k, v in normalized.items() if k.startswith(_HEAD)}
    other = sorted(k for k in normalized if not k.startswith((_BACKBONE, _HEAD)))
    return backbone, head, other


def _compare(
    given: Mapping[str, Any], expected: Mapping[str, torch.Tensor], what: str
) -> list[str]:
    unexpected = sorted(set(given) - set(expected))
    # Very old checkpoints predate BatchNorm's num_batches_tracked buffer; eval mode ignores it.
    missing = sorted(k for k in set(expected) - set(given) if not k.endswith("num_batches_tracked"))
    not_tensors = sorted(k for k, v in given.items() if not isinstance(v, torch.Tensor))
    mismatched = sorted(
        f"{k}: checkpoint {tuple(v.shape)} vs model {tuple(expected[k].shape)}"
        for k, v in given.items()
        if k in expected and isinstance(v, torch.Tensor) and v.shape != expected[k].shape
    )
    problems = []
    if unexpected:
        problems.append(f"unexpected {what} keys {unexpected[:10]}")
    if missing:
        problems.append(f"missing {what} keys {missing[:10]}")
    if not_tensors:
        problems.append(f"non-tensor {what} values {not_tensors[:10]}")
    if mismatched:
        problems.append(f"{what} shape mismatches {mismatched[:10]}")
    return problems


def _hint(meta: object, backbone: Mapping[str, Any], spec: ModelSpec) -> str:
    """Explain a mismatch in terms of lightly.model settings where possible."""
    if isinstance(meta, Mapping) and isinstance(meta.get("model"), Mapping):
        saved = meta["model"]
        diffs = [
            f"{k}={saved.get(k)!r} (configured {v!r})"
            for k, v in asdict(spec).items()
            if k in saved and saved.get(k) != v and k != "out_dim"
        ]
        if diffs:
            return " The checkpoint was saved for lightly.model " + ", ".join(diffs) + "."
    convs = [
        (int(k.split(".")[0]), v)
        for k, v in backbone.items()
        if k.endswith(".weight")
        and k.split(".")[0].isdigit()
        and k.count(".") == 1
        and isinstance(v, torch.Tensor)
        and v.dim() == 4
        and tuple(v.shape[2:]) == (1, 1)
    ]
    if convs:
        num_ftrs = int(max(convs, key=lambda c: c[0])[1].shape[0])
        if num_ftrs != spec.num_ftrs:
            return (
                f" The checkpoint's embedding size is num_ftrs={num_ftrs} "
                f"(configured {spec.num_ftrs}): set lightly.model.numFtrs accordingly."
            )
    return ""


def load_checkpoint(
    model: EmbeddingModel | SimCLRModel, checkpoint: str | os.PathLike[str] | bytes
) -> None:
    """Load backbone (and, for a :class:`SimCLRModel`, projection head) weights in place.

    ``checkpoint`` is a path or the bytes of a ``torch.save`` file, one of:

    * a lightly CLI checkpoint (``lightly-ssl-train`` / ``lightly-magic`` / Lightly Worker
      ``lightly_epoch_X.ckpt``, lightly model-zoo files): PyTorch Lightning layout with
      ``state_dict`` keys ``model.backbone.*`` and ``model.projection_head.*``;
    * a checkpoint written by :func:`save_checkpoint` (same layout, plus metadata);
    * a plain state_dict of a lightly ``_SimCLR`` (``backbone.*``), of an
      :class:`EmbeddingModel`, or of the backbone ``nn.Sequential`` itself (``0.weight``, ...).

    ``module.`` prefixes (DDP) and lightly's legacy names (``features``, projection heads
    without ``layers``) are understood. The file is read with ``weights_only=True``. Missing,
    unexpected or mis-shaped backbone keys raise ``ValueError`` naming them (with a hint such as a
    ``num_ftrs`` mismatch); projection-head keys are ignored by an :class:`EmbeddingModel`, and a
    :class:`SimCLRModel` keeps its fresh head when the file has none.
    """
    obj = _read_checkpoint(checkpoint)
    raw = _extract_state_dict(obj)
    backbone, head, other = _split_checkpoint(raw)
    spec = model.spec
    if not backbone:
        sample = sorted(raw)[:5]
        raise ValueError(
            f"checkpoint contains no lightly {spec.name} backbone weights (first keys: {sample});"
            " expected keys like 'model.backbone.0.weight' as written by lightly-ssl-train"
        )
    meta = obj.get(WINNOW_METADATA_KEY) if isinstance(obj, Mapping) else None
    expected_backbone = model.backbone.state_dict()
    problems = _compare(backbone, expected_backbone, "backbone")
    load_head = isinstance(model, SimCLRModel) and bool(head)
    if isinstance(model, SimCLRModel) and head:
        problems += _compare(head, model.projection_head.state_dict(), "projection_head")
    if problems:
        raise ValueError(
            f"checkpoint does not match the configured model {spec.describe()}: "
            + "; ".join(problems)
            + _hint(meta, backbone, spec)
        )
    if other:
        logger.info("checkpoint: ignoring %d keys outside backbone/head: %s", len(other), other[:5])
    for key, value in expected_backbone.items():
        backbone.setdefault(key, value)
    model.backbone.load_state_dict(backbone, strict=True)
    if isinstance(model, SimCLRModel):
        if load_head:
            model.projection_head.load_state_dict(head, strict=True)
        else:
            logger.info("checkpoint has no projection head: keeping the freshly initialised one")
