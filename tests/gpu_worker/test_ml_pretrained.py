"""The pretrained default model: loaded from local files only, deterministic, meaningful."""

from __future__ import annotations

import socket
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps
from skimage import data as skdata

from winnow_gpu_worker.ml.embed import rgb_to_array
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
