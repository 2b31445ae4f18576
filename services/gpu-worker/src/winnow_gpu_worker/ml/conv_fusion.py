"""A folded convolution and the activation after it as one oneDNN call on the CPU.

After ``batchnorm_fold``, timm's EfficientNet-Lite0 is a chain of convolutions, each followed
by what is left of its ``BatchNormAct2d``: a ReLU6 or nothing. In eager mode every ReLU6 is a
separate pass over a large activation (about a fifth of a forward pass, profiled on 2 cores);
the stride-2 convolutions with TensorFlow's "same" padding first copy their input into a
zero-filled larger tensor (another seventh); and under bf16 autocast every convolution's
weights are cast again for every batch (autocast caches casts only for tensors that require
grad). :class:`FusedConvAct` does the convolution and its activation in one call of oneDNN's
``_convolution_pointwise`` (the kernel torch.compile's CPU backend uses), lets oneDNN pad
(only the asymmetric remainder of "same" padding is computed from a small padded slice), and
keeps its weights cast once per dtype.

The numbers do not change: the clamp of a ReLU6 commutes with the rounding of the
convolution's output (0 and 6 are exact in every float format), and the padding is the same
zeros. ``fuse_conv_activations`` checks the fused copy against the model on a probe batch;
the tests compare them in float32 and in bf16 autocast.

On other devices (CUDA) a fused module runs its original convolution and activation.
"""

from __future__ import annotations

import copy
import itertools

import torch
from torch import nn

from winnow_gpu_worker.ml.batchnorm_fold import AfterNorm, checked_copy
from winnow_gpu_worker.ml.lite0 import same_padding

# The activations oneDNN applies as a post-op: module type -> (attribute, scalars).
_POST_OPS: dict[type[nn.Module], tuple[str, list[float]]] = {
    nn.ReLU6: ("hardtanh", [0.0, 6.0]),
    nn.ReLU: ("relu", []),
    nn.Identity: ("none", []),
}


# Outputs computed from a padded slice at the end of a side: at least 2, because oneDNN's dense
# bf16 convolution gives wrong numbers for an output one column wide (torch 2.14, AVX-512/AMX;
# F.conv2d too); the outputs before the last one are computed twice, the same numbers.
_TAIL = 2


def pad_border(x: torch.Tensor, top: int, bottom: int, left: int, right: int) -> torch.Tensor:
    """``F.pad(x, (left, right, top, bottom))`` with zeros, writing the zeros only at the border
    (``F.pad`` first fills the whole new tensor); channels_last stays channels_last."""
    if top == bottom == left == right == 0:
        return x
    n, c, h, w = x.shape
    out = torch.empty(
        (n, c, h + top + bottom, w + left + right),
        dtype=x.dtype,
        device=x.device,
        memory_format=_layout(x),
    )
    out[:, :, top : top + h, left : left + w].copy_(x)
    out[:, :, :top].zero_()
    out[:, :, top + h :].zero_()
    out[:, :, top : top + h, :left].zero_()
    out[:, :, top : top + h, left + w :].zero_()
    return out


def _layout(x: torch.Tensor) -> torch.memory_format:
    if x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous():
        return torch.channels_last
    return torch.contiguous_format


class FusedConvAct(nn.Module):
    """``act(conv(x))`` for a 2-D convolution (timm's ``Conv2dSame`` included) and a ReLU,
    ReLU6 or no activation, as one oneDNN call on the CPU."""

    def __init__(self, conv: nn.Conv2d, act: nn.Module) -> None:
        super().__init__()
        self.conv = conv
        self.act = act
        self.attr, self.scalars = _POST_OPS[type(act)]
        self.same = type(conv).__name__ == "Conv2dSame"
        self._cast: dict[torch.dtype, tuple[torch.Tensor, torch.Tensor | None]] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv = self.conv
        if x.device.type != "cpu" or x.dim() != 4:
            return self.act(conv(x))  # type: ignore[no-any-return]
        if torch.is_autocast_enabled("cpu"):
            x = x.to(torch.get_autocast_dtype("cpu"))
        if self.same:
            return self._same(x)
        if not isinstance(conv.padding, tuple):
            raise ValueError(f"padding {conv.padding!r} is not supported")
        return self._call(x, list(conv.padding))

    def _call(self, x: torch.Tensor, padding: list[int]) -> torch.Tensor:
        """The fused convolution of ``x`` with symmetric zero ``padding`` (oneDNN pads itself)."""
        conv = self.conv
        weight, bias = self._weights(x.dtype)
        return torch.ops.mkldnn._convolution_pointwise(
            x,
            weight,
            bias,
            padding,
            list(conv.stride),
            list(conv.dilation),
            conv.groups,
            self.attr,
            self.scalars,
            "",
        )

    def _same(self, x: torch.Tensor) -> torch.Tensor:
        """TensorFlow's "same" padding without padding the whole input.

        Its padding is (before, after) per side, after = before or before + 1. A convolution
        padded by ``before`` on both sides gives every output but, where after > before, the
        last row and/or column; those (with the one before, :data:`_TAIL`) come from the few
        input rows (columns) they read, padded (``pad_border``). Writing the pieces into the
        output copies a quarter of what padding a stride-2 input copies (a third of a forward
        pass for the first stride-2 block). Where the input has fewer values than the output
        (the stem: 3 channels in, 32 out), padding the input copies less, and is done.
        """
        top, bottom, left, right = self._pads(x)
        if (top, left) == (bottom, right):
            return self._call(x, [top, left])
        sh, sw = self.conv.stride
        rows, cols = -(-x.shape[-2] // sh), -(-x.shape[-1] // sw)
        if x[0].numel() < self.conv.weight.shape[0] * rows * cols:
            # fewer input values than output values: padding the input moves fewer bytes
            return self._call(pad_border(x, top, bottom, left, right), [0, 0])
        main = self._call(x, [top, left])
        have_rows, have_cols = main.shape[-2:]
        if (have_rows, have_cols) == (rows, cols):
            return main
        out = torch.empty(
            (*main.shape[:2], rows, cols),
            dtype=main.dtype,
            device=main.device,
            memory_format=_layout(main),
        )
        out[:, :, :have_rows, :have_cols] = main
        if have_rows < rows:  # the last output rows (all columns): their input rows, padded
            first = max(0, rows - _TAIL)
            part = self._tail(x, first, rows - first, axis=2, pads=(top, left, right))
            out[:, :, first:] = self._call(part, [0, 0])
        if have_cols < cols:  # the last output columns (all rows)
            first = max(0, cols - _TAIL)
            part = self._tail(x, first, cols - first, axis=3, pads=(left, top, bottom))
            out[:, :, :, first:] = self._call(part, [0, 0])
        return out

    def _tail(
        self, x: torch.Tensor, first: int, count: int, *, axis: int, pads: tuple[int, int, int]
    ) -> torch.Tensor:
        """The input that outputs ``first``, ..., ``first + count - 1`` along ``axis`` read,
        padded as TensorFlow pads it: ``pads`` = (before along ``axis``, and both sides
        across it)."""
        before, across_before, across_after = pads
        stride = self.conv.stride[axis - 2]
        extent = self._extent()[axis - 2]
        start = first * stride - before
        lead = max(0, -start)  # the piece starts in the padding
        part = x.narrow(axis, max(0, start), x.shape[axis] - max(0, start))
        part = part.contiguous(memory_format=_layout(x))
        trail = (count - 1) * stride + extent - lead - part.shape[axis]
        if axis == 2:
            return pad_border(part, lead, trail, across_before, across_after)
        return pad_border(part, across_before, across_after, lead, trail)

    def _extent(self) -> tuple[int, int]:
        """The input rows and columns one output reads (the dilated kernel's size)."""
        conv = self.conv
        kh, kw = conv.weight.shape[-2:]
        return (kh - 1) * conv.dilation[0] + 1, (kw - 1) * conv.dilation[1] + 1

    def _pads(self, x: torch.Tensor) -> tuple[int, int, int, int]:
        conv = self.conv
        kh, kw = conv.weight.shape[-2:]
        top, bottom = same_padding(x.shape[-2], kh, conv.stride[0], conv.dilation[0])
        left, right = same_padding(x.shape[-1], kw, conv.stride[1], conv.dilation[1])
        return top, bottom, left, right

    def _weights(self, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The weights and bias in ``dtype``, cast once (as autocast would cast them)."""
        conv = self.conv
        if dtype == conv.weight.dtype:
            return conv.weight, conv.bias
        if dtype not in self._cast:
            bias = None if conv.bias is None else conv.bias.detach().to(dtype)
            self._cast[dtype] = (conv.weight.detach().to(dtype), bias)
        return self._cast[dtype]


def _fusable(conv: nn.Module, after: nn.Module) -> bool:
    if not isinstance(conv, nn.Conv2d) or not isinstance(after, AfterNorm):
        return False
    if conv.padding_mode != "zeros" or not isinstance(conv.padding, tuple):
        return False
    return isinstance(after.drop, nn.Identity) and type(after.act) in _POST_OPS


def _fuse_children(module: nn.Module) -> int:
    """Fuse every (convolution, what is left of its BatchNormAct2d) pair, recursively."""
    fused = 0
    for first, second in itertools.pairwise(list(module._modules)):
        conv, after = module._modules[first], module._modules[second]
        if conv is None or after is None or not _fusable(conv, after):
            continue
        assert isinstance(after, AfterNorm)
        module._modules[first] = FusedConvAct(conv, after.act)  # type: ignore[arg-type]
        module._modules[second] = nn.Identity()
        fused += 1
    for child in module.children():
        fused += _fuse_children(child)
    return fused


def fuse_conv_activations(model: nn.Module, probe: torch.Tensor) -> nn.Module | None:
    """A copy of the (BatchNorm-folded, eval mode) ``model`` with each convolution and the
    activation after it fused (:class:`FusedConvAct`); None when there is nothing to fuse, when
    this torch has no oneDNN, or when the copy differs from ``model`` on ``probe`` (a CPU batch)."""
    if model.training or not torch.backends.mkldnn.is_available():
        return None
    fused_model = copy.deepcopy(model)
    if _fuse_children(fused_model) == 0:
        return None
    return checked_copy(model, fused_model, probe, "fusing convolutions")


__all__ = ["FusedConvAct", "fuse_conv_activations", "pad_border"]
