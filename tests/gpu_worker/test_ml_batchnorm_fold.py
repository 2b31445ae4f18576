"""BatchNorm folding by module structure (``ml/batchnorm_fold.py``), timm's BatchNormAct2d too."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from winnow_gpu_worker.ml.batchnorm_fold import fold_batchnorms
from winnow_gpu_worker.ml.inference_copy import inference_model


def _randomise_statistics(model: nn.Module) -> nn.Module:
    generator = torch.Generator().manual_seed(0)
    for module in model.modules():  # non-default statistics, as a trained checkpoint has
        if isinstance(module, nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.rand(n, generator=generator) * 0.4 - 0.2)
            module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
            module.bias.data.copy_(torch.rand(n, generator=generator) * 0.4 - 0.2)
    return model.eval()


def _probe(size: int = 32) -> torch.Tensor:
    rng = np.random.default_rng(1)
    return torch.from_numpy(rng.normal(size=(4, 3, size, size)).astype(np.float32))


def test_timm_batchnorm_act_is_folded_and_keeps_its_activation() -> None:
    from timm.layers import BatchNormAct2d

    model = _randomise_statistics(
        nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, bias=False),
            BatchNormAct2d(8, act_layer=nn.ReLU6),
            nn.Conv2d(8, 4, 1),
            BatchNormAct2d(4, apply_act=False),
        )
    )
    folded = fold_batchnorms(model, _probe())
    assert folded is not None
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    assert any(isinstance(m, nn.ReLU6) for m in folded.modules())  # the activation stays
    x = _probe(24)
    with torch.inference_mode():
        np.testing.assert_allclose(folded(x).numpy(), model(x).numpy(), rtol=1e-4, atol=1e-5)
    assert any(isinstance(m, nn.BatchNorm2d) for m in model.modules())  # caller's model as it was


class _NormBeforeConv(nn.Module):
    """The conv is registered before the BatchNorm but the data flows the other way."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.bn(x))  # type: ignore[no-any-return]


def test_a_pair_that_is_not_conv_then_norm_in_data_flow_is_not_folded() -> None:
    model = _randomise_statistics(_NormBeforeConv())
    assert fold_batchnorms(model, _probe()) is None
    # inference_model then falls back to fx, which folds nothing here: same function.
    out = inference_model(model, probe_size=16)
    x = _probe(16)
    with torch.inference_mode():
        np.testing.assert_allclose(out(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)


def test_training_mode_and_norm_free_models_are_left_alone() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    assert fold_batchnorms(model.train(), _probe()) is None
    assert fold_batchnorms(nn.Sequential(nn.Conv2d(3, 4, 3)).eval(), _probe()) is None


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_default_pretrained_model_loses_every_batchnorm_and_keeps_its_function() -> None:
    from winnow_gpu_worker.ml.pretrained import PRETRAINED_INPUT_SIZE, load_pretrained

    model = load_pretrained().eval()
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 49
    folded = inference_model(model, PRETRAINED_INPUT_SIZE)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    x = _probe(PRETRAINED_INPUT_SIZE)
    with torch.inference_mode():
        want, got = model(x), folded(x)
    cosine = nn.functional.cosine_similarity(want, got, dim=1)
    assert float(cosine.min()) > 0.99999
    assert float((want - got).abs().max()) <= 1e-4 * float(want.abs().max())
