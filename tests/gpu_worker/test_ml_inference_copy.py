"""The inference copy of a model is made once per model, and again when the model changed."""

from __future__ import annotations

import torch
from torch import nn

from winnow_gpu_worker.ml import inference_copy as copies


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU()).eval()


def test_the_copy_is_made_once_and_again_after_a_change() -> None:
    model = _model()
    first = copies.inference_copy(model, 16)
    assert first is not model  # folded: a copy
    assert copies.inference_copy(model, 16) is first
    with torch.no_grad():
        model[0].weight.add_(1.0)  # changed in place: the old copy is stale
    changed = copies.inference_copy(model, 16)
    assert changed is not first
    x = torch.randn(2, 3, 16, 16)
    with torch.inference_mode():
        torch.testing.assert_close(changed(x), model(x), rtol=1e-5, atol=1e-5)
    model[1].running_var.fill_(4.0)  # a buffer too
    assert copies.inference_copy(model, 16) is not changed
    assert copies.inference_copy(model.train(), 16) is model  # training: no copy at all


def test_the_copies_die_with_their_models() -> None:
    import gc

    before = len(copies._copies)
    model = _model()
    copies.inference_copy(model, 16)
    assert len(copies._copies) == before + 1
    del model
    gc.collect()
    assert len(copies._copies) == before
