"""A convolution and its activation fused into one oneDNN call compute the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from winnow_gpu_worker.ml.batchnorm_fold import fold_batchnorms
from winnow_gpu_worker.ml.conv_fusion import FusedConvAct, fuse_conv_activations, pad_border
from winnow_gpu_worker.ml.inference_copy import inference_model
from winnow_gpu_worker.ml.pixels import model_pixels, normalise_pixels

pytestmark = pytest.mark.skipif(
    not torch.backends.mkldnn.is_available(), reason="needs torch with oneDNN"
)


def _channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("pads", [(0, 1, 0, 1), (1, 2, 1, 2), (2, 0, 0, 3), (0, 0, 0, 0)])
def test_the_border_padding_equals_f_pad(pads: tuple[int, int, int, int]) -> None:
    x = _channels_last(torch.randn(2, 5, 7, 6))
    top, bottom, left, right = pads
    got = pad_border(x, top, bottom, left, right)
    want = F.pad(x, (left, right, top, bottom))
    assert torch.equal(got, want)
    assert got.is_contiguous(memory_format=torch.channels_last)


def _same_conv(channels: int, kernel: int, stride: int, groups: int, out: int = 0) -> nn.Conv2d:
    from timm.layers.conv2d_same import Conv2dSame

    out = out or channels
    return Conv2dSame(channels, out, kernel, stride=stride, groups=groups, bias=True)


_CONVS = {
    "1x1 pointwise": lambda: nn.Conv2d(16, 24, 1),
    "3x3 padded": lambda: nn.Conv2d(16, 16, 3, padding=1),
    "3x3 depthwise, same, stride 2": lambda: _same_conv(16, 3, 2, 16),
    "5x5 depthwise, same, stride 2": lambda: _same_conv(16, 5, 2, 16),
    "3x3 full, same, stride 2": lambda: _same_conv(16, 3, 2, 1),
    # few input channels (a stem): padded by copying the input, not by assembling the output
    "stem 3 -> 32, same, stride 2": lambda: _same_conv(3, 3, 2, 1, out=32),
}


@pytest.mark.parametrize("conv_name", sorted(_CONVS))
@pytest.mark.parametrize("act", [nn.ReLU6(), nn.ReLU(), nn.Identity()], ids=type)
# odd sides: TF's "same" padding is symmetric; even ones: one more row/column after
@pytest.mark.parametrize("size", [(17, 17), (32, 32), (32, 17), (17, 30)], ids=str)
@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bf16 autocast"])
def test_a_fused_convolution_equals_the_convolution_then_its_activation(
    conv_name: str, act: nn.Module, size: tuple[int, int], bf16: bool
) -> None:
    torch.manual_seed(sum(size))
    conv = _CONVS[conv_name]().eval()
    with torch.no_grad():
        conv.bias.normal_(0.0, 2.0)  # type: ignore[union-attr]  # values beyond ReLU6's 6
    x = _channels_last(3.0 * torch.randn(3, conv.in_channels, *size))
    fused = FusedConvAct(conv, act)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        want, got = act(conv(x)), fused(x)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert torch.equal(got, want)


def _photos() -> torch.Tensor:
    data = pytest.importorskip("skimage.data")
    from PIL import Image

    names = ("astronaut", "coffee", "chelsea", "rocket")
    pixels = [model_pixels(Image.fromarray(getattr(data, n)()).convert("RGB"), 128) for n in names]
    return _channels_last(torch.from_numpy(np.stack([normalise_pixels(p) for p in pixels])))


@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bf16 autocast"])
def test_the_default_models_fused_copy_gives_the_same_embeddings(bf16: bool) -> None:
    from winnow_gpu_worker.ml.pretrained import load_pretrained

    model = load_pretrained().eval().to(memory_format=torch.channels_last)
    images = _photos()
    folded = fold_batchnorms(model, images[:2])
    fused = inference_model(model, 128)
    assert folded is not None
    # every convolution of EfficientNet-Lite0 with what follows it: 49 calls, no activations left
    assert sum(isinstance(m, FusedConvAct) for m in fused.modules()) == 49
    assert not any(isinstance(m, nn.ReLU6) and m is not None for m in _unfused(fused))
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        want, got = folded(images), fused(images)
    assert torch.equal(got, want)


def _unfused(model: nn.Module) -> list[nn.Module]:
    """Modules outside any FusedConvAct."""
    inside = {id(m) for f in model.modules() if isinstance(f, FusedConvAct) for m in f.modules()}
    return [m for m in model.modules() if id(m) not in inside]


def test_a_model_without_a_fusable_pair_is_left_alone() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).eval()  # no BatchNormAct2d
    probe = _channels_last(torch.randn(2, 3, 8, 8))
    assert fuse_conv_activations(model, probe) is None
