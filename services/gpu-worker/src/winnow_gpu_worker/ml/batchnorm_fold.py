"""Fold inference-mode BatchNorms into the convolution before them, by module structure.

``torch.fx``'s ``fuse`` folds a ``Conv2d`` followed by a ``BatchNorm2d`` *module* in the traced
graph. timm's networks (the default pretrained EfficientNet-Lite0 among them) use
``BatchNormAct2d``, a BatchNorm with the activation inside, which ``fuse`` leaves alone: there
the 49 BatchNorms were 28 % of the CPU time of a forward pass (profiled, 2 cores).

This module folds pairs of sibling modules instead: a convolution directly followed, in a
parent's registration order, by a BatchNorm of its width. Registration order is not data flow,
so the folded copy is checked against the original on a probe batch and dropped when it does
not compute the same function.
"""

from __future__ import annotations

import copy
import itertools
import logging

import torch
from torch import nn

logger = logging.getLogger(__name__)

# Largest relative difference (to the output's magnitude) a folded copy may show on the probe:
# folding changes float32 rounding only (about 1e-6 measured), a wrong pair changes everything.
FOLD_TOLERANCE = 1e-4


class AfterNorm(nn.Module):
    """What a ``BatchNormAct2d`` does after its normalisation: dropout, then the activation."""

    def __init__(self, drop: nn.Module, act: nn.Module) -> None:
        super().__init__()
        self.drop = drop
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.drop(x))  # type: ignore[no-any-return]


def _replacement(bn: nn.Module) -> nn.Module | None:
    """The module that stands in for ``bn`` once folded, or None when ``bn`` is not foldable."""
    if not isinstance(bn, nn.BatchNorm2d) or not bn.track_running_stats:
        return None
    if type(bn) is nn.BatchNorm2d:
        return nn.Identity()
    # timm's BatchNormAct2d: normalise, then ``drop`` and ``act`` (both modules).
    drop, act = getattr(bn, "drop", None), getattr(bn, "act", None)
    if (
        type(bn).__name__ == "BatchNormAct2d"
        and isinstance(drop, nn.Module)
        and isinstance(act, nn.Module)
    ):
        return AfterNorm(drop, act)
    return None


@torch.no_grad()
def _fold_into(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> None:
    """Scale ``conv``'s weights and set its bias so that it computes ``bn(conv(x))``."""
    assert bn.running_mean is not None and bn.running_var is not None
    scale = torch.rsqrt(bn.running_var.double() + bn.eps)
    if bn.weight is not None:
        scale = scale * bn.weight.double()
    shift = -bn.running_mean.double() * scale
    if bn.bias is not None:
        shift = shift + bn.bias.double()
    if conv.bias is not None:
        shift = shift + conv.bias.double() * scale
    conv.weight.copy_((conv.weight.double() * scale.view(-1, 1, 1, 1)).to(conv.weight.dtype))
    conv.bias = nn.Parameter(shift.to(conv.weight.dtype), requires_grad=False)


def _fold_children(module: nn.Module) -> int:
    """Fold every (convolution, BatchNorm) pair of adjacent children, recursively; the count."""
    folded = 0
    names = list(module._modules)
    for first, second in itertools.pairwise(names):
        conv, bn = module._modules[first], module._modules[second]
        if not isinstance(conv, nn.Conv2d) or not isinstance(bn, nn.BatchNorm2d):
            continue
        stand_in = _replacement(bn)
        if stand_in is None or bn.num_features != conv.out_channels:
            continue
        _fold_into(conv, bn)
        module._modules[second] = stand_in
        folded += 1
    for child in module.children():
        folded += _fold_children(child)
    return folded


def same_function(a: nn.Module, b: nn.Module, probe: torch.Tensor) -> bool:
    """Whether ``b`` computes what ``a`` does on ``probe``, up to :data:`FOLD_TOLERANCE` of the
    output's magnitude (a rewritten copy of a model checked against the model)."""
    with torch.inference_mode():
        want, got = a(probe), b(probe)
    if not isinstance(want, torch.Tensor) or not isinstance(got, torch.Tensor):
        return False
    if want.shape != got.shape:
        return False
    scale = float(want.abs().max()) or 1.0
    return float((want - got).abs().max()) <= FOLD_TOLERANCE * scale


def fold_batchnorms(model: nn.Module, probe: torch.Tensor) -> nn.Module | None:
    """A copy of ``model`` (eval mode) with every adjacent (Conv2d, BatchNorm) pair folded.

    Plain ``BatchNorm2d`` becomes ``Identity``; timm's ``BatchNormAct2d`` keeps its dropout and
    activation. Returns None when nothing was folded, or when the copy differs from ``model``
    on ``probe`` (an input batch the model accepts) by more than float32 rounding.
    """
    if model.training:
        return None
    folded_model = copy.deepcopy(model)
    count = _fold_children(folded_model)
    if count == 0:
        return None
    return checked_copy(model, folded_model, probe, "BatchNorm folding")


def checked_copy(
    model: nn.Module, rewritten: nn.Module, probe: torch.Tensor, what: str
) -> nn.Module | None:
    """``rewritten`` if it computes what ``model`` does on ``probe`` (:func:`same_function`),
    else None: it changed the outputs, or the probe does not run (``what`` is logged)."""
    try:
        same = same_function(model, rewritten, probe)
    except Exception as exc:  # a probe the model does not accept, an unsupported layer
        logger.debug("%s not checked (%s): %s", what, type(model).__name__, exc)
        return None
    if not same:
        logger.debug("%s changed %s's outputs; not used", what, type(model).__name__)
        return None
    return rewritten
