"""EfficientNet-Lite0's network in plain torch: timm's ``tf_efficientnet_lite0``, layer for layer.

The default model used to be built by timm. Importing timm imports torchvision, which imports
``torch._dynamo``: about 1.2 s of one core in every worker process, for a network of a stem,
sixteen inverted-residual blocks and a head. This module builds the same network with the
same module names (so the same weights load, strictly), the same layers in the same order,
and therefore the same numbers (``tests/gpu_worker/test_ml_lite0.py`` compares it with timm's
model, output for output). Module class names follow timm's where the worker's inference
copy looks for them (``BatchNormAct2d``, ``Conv2dSame``: see ``batchnorm_fold`` and
``conv_fusion``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

#: Per stage: (block, repeats, kernel, stride, expansion, output channels).
STAGES = (
    ("ds", 1, 3, 1, 1, 16),
    ("ir", 2, 3, 2, 6, 24),
    ("ir", 2, 5, 2, 6, 40),
    ("ir", 3, 3, 2, 6, 80),
    ("ir", 3, 5, 1, 6, 112),
    ("ir", 4, 5, 2, 6, 192),
    ("ir", 1, 3, 1, 6, 320),
)
STEM_CHANNELS = 32
FEATURES = 1280
#: TensorFlow's BatchNorm epsilon (timm's ``BN_EPS_TF_DEFAULT``)
BN_EPS = 1e-3


class BatchNormAct2d(nn.BatchNorm2d):
    """A BatchNorm followed by its activation (ReLU6 or none), as timm's of the same name."""

    def __init__(self, channels: int, act: bool) -> None:
        super().__init__(channels, eps=BN_EPS)
        self.drop = nn.Identity()
        self.act: nn.Module = nn.ReLU6(inplace=True) if act else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.drop(super().forward(x)))  # type: ignore[no-any-return]


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's "same" padding of one side (before, after), as timm's ``pad_same``."""
    total = max((math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


class Conv2dSame(nn.Conv2d):
    """A convolution with TensorFlow's "same" padding (asymmetric for stride 2), as timm's."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads: list[int] = []  # F.pad's order: last dimension first
        for size, k, s, d in reversed(
            list(zip(x.shape[-2:], self.kernel_size, self.stride, self.dilation, strict=True))
        ):
            pads += same_padding(size, k, s, d)
        return F.conv2d(
            F.pad(x, pads), self.weight, self.bias, self.stride, 0, self.dilation, self.groups
        )


def _conv(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    if stride > 1:
        return Conv2dSame(cin, cout, kernel, stride, groups=groups, bias=False)
    return nn.Conv2d(cin, cout, kernel, stride, padding=kernel // 2, groups=groups, bias=False)


class DepthwiseSeparableConv(nn.Module):
    """Stage 0's block: depthwise conv, BN + ReLU6, pointwise conv, BN."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.has_skip = stride == 1 and cin == cout
        self.conv_dw = _conv(cin, cin, kernel, stride, groups=cin)
        self.bn1 = BatchNormAct2d(cin, act=True)
        self.aa = nn.Identity()
        self.se = nn.Identity()
        self.conv_pw = _conv(cin, cout, 1)
        self.bn2 = BatchNormAct2d(cout, act=False)
        self.drop_path = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.bn1(self.conv_dw(x))
        x = self.bn2(self.conv_pw(self.se(self.aa(x))))
        return self.drop_path(x) + shortcut if self.has_skip else x


class InvertedResidual(nn.Module):
    """Expand (1x1, BN + ReLU6), depthwise (BN + ReLU6), project (1x1, BN), skip if shapes allow."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expansion: int) -> None:
        super().__init__()
        mid = cin * expansion
        self.has_skip = stride == 1 and cin == cout
        self.conv_pw = _conv(cin, mid, 1)
        self.bn1 = BatchNormAct2d(mid, act=True)
        self.conv_dw = _conv(mid, mid, kernel, stride, groups=mid)
        self.bn2 = BatchNormAct2d(mid, act=True)
        self.aa = nn.Identity()
        self.se = nn.Identity()
        self.conv_pwl = _conv(mid, cout, 1)
        self.bn3 = BatchNormAct2d(cout, act=False)
        self.drop_path = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.bn1(self.conv_pw(x))
        x = self.bn2(self.conv_dw(x))
        x = self.bn3(self.conv_pwl(self.se(self.aa(x))))
        return self.drop_path(x) + shortcut if self.has_skip else x


class EfficientNetLite0(nn.Module):
    """Stem, the blocks (``blocks[stage][index]``), head: pooled 1280-d features."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_stem = _conv(3, STEM_CHANNELS, 3, stride=2)
        self.bn1 = BatchNormAct2d(STEM_CHANNELS, act=True)
        stages: list[nn.Sequential] = []
        cin = STEM_CHANNELS
        for kind, repeats, kernel, stride, expansion, cout in STAGES:
            blocks: list[nn.Module] = []
            for i in range(repeats):
                s = stride if i == 0 else 1
                if kind == "ds":
                    blocks.append(DepthwiseSeparableConv(cin, cout, kernel, s))
                else:
                    blocks.append(InvertedResidual(cin, cout, kernel, s, expansion))
                cin = cout
            stages.append(nn.Sequential(*blocks))
        self.blocks = nn.Sequential(*stages)
        self.conv_head = _conv(cin, FEATURES, 1)
        self.bn2 = BatchNormAct2d(FEATURES, act=True)
        self.global_pool = nn.AdaptiveAvgPool2d(1)

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        """Global average pool, flattened (timm's head without a classifier)."""
        return torch.flatten(self.global_pool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn1(self.conv_stem(x))
        x = self.bn2(self.conv_head(self.blocks(x)))
        return self.forward_head(x)
