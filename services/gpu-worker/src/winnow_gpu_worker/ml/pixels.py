"""Model pixels: an image resized to the model's input (uint8), and its normalised float input.

The check stage keeps each clean file's model pixels (:func:`image_file_pixels`, a twelfth of
the float input's bytes) so that EMBEDDING need not read and decode the file again;
:func:`normalise_pixels` (one image) and :func:`prepared_batches` (a batch at a time) turn them
into the same float32 inputs, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from winnow_gpu_worker.ml.images import decode_rgb

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def model_pixels(image: Image.Image, size: int) -> np.ndarray:
    """The RGB image resized to the model's ``size`` x ``size`` (bilinear): uint8 HWC."""
    return np.asarray(image.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8)


def normalise_pixels(pixels: np.ndarray) -> np.ndarray:
    """uint8 HWC pixels as the model's input: /255, ImageNet mean/std, float32 CHW."""
    arr = pixels.astype(np.float32) / np.float32(255.0)
    arr = (arr - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(arr.transpose(2, 0, 1))


def image_file_pixels(data: bytes, size: int) -> np.ndarray:
    """An image file's model pixels (uint8 HWC), decoded as the embedding stage decodes it."""
    return model_pixels(decode_rgb(data, size), size)


if TYPE_CHECKING:
    from winnow_gpu_worker.ml.embed import Batch


def prepared_batches(
    names: Sequence[str], prepared: Mapping[str, np.ndarray], batch_size: int
) -> Iterator[Batch]:
    """Batches of ``names`` (all in ``prepared``) normalised a batch at a time.

    The same float32 operations as :func:`normalise_pixels` per value (so the same bits), in
    one vectorised pass per batch instead of one per image; the images come out in the
    channels_last layout the model runs in (an NCHW view of NHWC memory), with no copy.
    """
    import torch  # here: the check stage imports this module and needs no torch

    mean, std = torch.from_numpy(IMAGENET_MEAN), torch.from_numpy(IMAGENET_STD)
    for lo in range(0, len(names), batch_size):
        chunk = names[lo : lo + batch_size]
        pixels = torch.from_numpy(np.stack([prepared[name] for name in chunk]))
        images = pixels.float().div_(255.0).sub_(mean).div_(std).permute(0, 3, 1, 2)
        yield images, torch.arange(lo, lo + len(chunk)), [""] * len(chunk)
