"""``ml.lite0`` builds timm's ``tf_efficientnet_lite0``: same weights, same numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from winnow_gpu_worker.ml import pretrained
from winnow_gpu_worker.ml.lite0 import EfficientNetLite0

timm = pytest.importorskip("timm")


def _timm_network() -> torch.nn.Module:
    network = timm.create_model("tf_efficientnet_lite0", pretrained=False, num_classes=0)
    state = torch.load(pretrained.weights_path(), map_location="cpu", weights_only=True)
    network.load_state_dict(pretrained._timm_keys(state), strict=True)
    return network.eval()


def _photos(side: int) -> torch.Tensor:
    data = pytest.importorskip("skimage.data")
    from PIL import Image

    from winnow_gpu_worker.ml.pixels import model_pixels, normalise_pixels

    names = ("astronaut", "coffee", "chelsea", "rocket", "camera")
    images = [Image.fromarray(getattr(data, n)()).convert("RGB") for n in names]
    return torch.from_numpy(np.stack([normalise_pixels(model_pixels(i, side)) for i in images]))


def test_the_same_parameters_and_buffers_as_timms_network() -> None:
    ours, theirs = EfficientNetLite0().state_dict(), _timm_network().state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[k].shape == theirs[k].shape for k in ours)


@pytest.mark.parametrize("side", [128, 97])  # odd sides: TF padding is asymmetric elsewhere
def test_the_same_features_as_timms_network(side: int) -> None:
    theirs = _timm_network()
    ours = pretrained.load_pretrained().network
    x = _photos(side)
    with torch.inference_mode():
        want, got = theirs(x), ours(x)
        assert torch.equal(got, want)
        # and in channels_last, as the worker runs it
        cl = x.contiguous(memory_format=torch.channels_last)
        theirs, ours = (m.to(memory_format=torch.channels_last) for m in (theirs, ours))
        assert torch.equal(ours(cl), theirs(cl))


def test_the_default_model_no_longer_imports_timm() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from winnow_gpu_worker.ml.pretrained import load_pretrained\n"
        "load_pretrained()\n"
        "print(sorted(m for m in ('timm', 'torchvision', 'lightly') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
