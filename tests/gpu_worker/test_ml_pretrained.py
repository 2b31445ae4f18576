"""The pretrained default model: loaded from local files only, deterministic, meaningful."""

from __future__ import annotations

import socket
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps
from skimage import data as skdata

from winnow_gpu_worker.ml.embed import (
    CALIBRATION_MIN_COSINE,
    _min_cosine,
    rgb_to_array,
)
from winnow_gpu_worker.ml.inference_copy import inference_model
from winnow_gpu_worker.ml.pretrained import (
    PRETRAINED_DIM,
    PRETRAINED_INPUT_SIZE,
    load_pretrained,
    weights_path,
)


def _batch(*images: Image.Image) -> torch.Tensor:
    arrays = [rgb_to_array(img.convert("RGB"), PRETRAINED_INPUT_SIZE) for img in images]
    return torch.from_numpy(np.stack(arrays))


def _photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(skdata, name)())


def test_the_model_loads_without_any_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the pretrained model must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = load_pretrained()
    assert weights_path().is_file() and not model.training
    with torch.inference_mode():
        out = model(_batch(_photo("chelsea")))
    assert out.shape == (1, PRETRAINED_DIM) and torch.isfinite(out).all()


def test_embeddings_are_deterministic_across_loads() -> None:
    batch = _batch(_photo("chelsea"), _photo("coffee"), _photo("rocket"))
    with torch.inference_mode():
        first = load_pretrained()(batch)
        second = load_pretrained()(batch)
        again = load_pretrained()(batch)
    assert torch.equal(first, second) and torch.equal(second, again)


def test_the_features_carry_meaning() -> None:
    """A photo and its mirror image are nearer than two different photos (random weights
    cannot promise that)."""
    cat = _photo("chelsea")
    batch = _batch(cat, ImageOps.mirror(cat), _photo("coffee"), _photo("rocket"))
    with torch.inference_mode():
        feats = torch.nn.functional.normalize(load_pretrained()(batch), dim=1)
    cos = feats @ feats.T
    assert cos[0, 1] > 0.8
    assert cos[0, 1] > cos[0, 2] + 0.3 and cos[0, 1] > cos[0, 3] + 0.3


def _all_photos() -> list[Image.Image]:
    names = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "camera", "coins")
    names += ("moon", "grass", "gravel", "brick", "cell", "clock", "immunohistochemistry")
    return [_photo(name) for name in names]


def test_float32_forward_is_the_plain_network() -> None:
    """Without autocast the split forward (float32 lead, then the rest) is the network itself."""
    model = load_pretrained()
    batch = _batch(_photo("chelsea"), _photo("moon"))
    with torch.inference_mode():
        plain = model.network(batch * model.scale + model.shift).flatten(1)
        assert torch.equal(model(batch), plain)


def test_reduced_precision_passes_the_workers_calibration() -> None:
    """bf16 autocast of the model the worker runs (BatchNorms folded) keeps every photo within
    the calibration's cosine of float32, so runs on bf16 CPUs take the fast path. All-bf16
    (no float32 lead) gives 0.993 on the moon photo and would fall back to float32."""
    model = inference_model(load_pretrained(), PRETRAINED_INPUT_SIZE)
    batch = _batch(*_all_photos())
    with torch.inference_mode():
        reference = model(batch).numpy()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            reduced = model(batch).float().numpy()
    cosines = [_min_cosine(reduced[i : i + 1], reference[i : i + 1]) for i in range(len(batch))]
    assert min(cosines) >= CALIBRATION_MIN_COSINE, cosines
