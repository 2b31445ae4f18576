"""Object crops: the padded box of a predicted object, its pixels and its sample name.

Object-level runs (``docker.objectLevel.taskName``, or a V4 selection input
``{"type": "EMBEDDINGS", "task": T}``) cut every object-detection box of task ``T`` out of its
parent image and treat the crops as samples. Lightly's ``padding=X`` "enlarges width and height
by X*100 %" (object_level.rst); the box grows evenly around its centre and is clipped to the
image. Boxes are ``[x, y, w, h]`` in pixels of the upright parent (as :func:`decode_full_rgb`
returns it). Pure functions: PIL and the standard library only.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Sequence
from typing import Final

from PIL import Image

from winnow_gpu_worker.ml.images import decode_rgb

#: Lightly's default object-level padding (10 %: each side grows by 5 % of the box size).
DEFAULT_PADDING: Final[float] = 0.1

# A draft size no image reaches: libjpeg's draft mode then keeps the full resolution (Pillow
# picks the scale min(width // size, height // size) = 0, i.e. 1/1), so crops come from the
# same decoder as every other model input without being downscaled first.
_FULL_RESOLUTION: Final[int] = 1 << 30

# Box edges computed in floating point (x - w * 0 / 2, ...) can land a hair off an integer;
# without this slack floor/ceil would grow an exact integer box by one pixel.
_EPSILON: Final[float] = 1e-6


def padded_box(
    bbox: Sequence[float], padding: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """The pixel box ``(left, top, right, bottom)`` of ``bbox`` grown by ``padding``.

    ``bbox`` is ``[x, y, w, h]`` in pixels. Width and height grow by ``padding * 100`` %
    (``padding / 2`` of the size on each side, so the box stays centred); the edges are rounded
    outwards to whole pixels, clipped to the ``width`` x ``height`` image, and the result is at
    least 1 x 1 pixel inside the image (a box of zero size or outside the image still yields a
    pixel at its clipped position). ``right`` and ``bottom`` are exclusive (PIL's crop box).
    """
    if len(bbox) != 4:
        raise ValueError(f"bbox must be [x, y, width, height], got {list(bbox)!r}")
    if width < 1 or height < 1:
        raise ValueError(f"image size must be at least 1 x 1, got {width} x {height}")
    if padding < 0 or not math.isfinite(padding):
        raise ValueError(f"padding must be a finite number >= 0, got {padding!r}")
    x, y, w, h = (float(v) for v in bbox)
    grow_x, grow_y = w * padding / 2, h * padding / 2
    left = math.floor(x - grow_x + _EPSILON)
    top = math.floor(y - grow_y + _EPSILON)
    right = math.ceil(x + w + grow_x - _EPSILON)
    bottom = math.ceil(y + h + grow_y - _EPSILON)
    left = min(max(left, 0), width - 1)
    top = min(max(top, 0), height - 1)
    right = max(min(right, width), left + 1)
    bottom = max(min(bottom, height), top + 1)
    return left, top, right, bottom


def crop_image(
    image: Image.Image, bbox: Sequence[float], padding: float = DEFAULT_PADDING
) -> Image.Image:
    """The RGB crop of ``image`` at ``bbox`` grown by ``padding`` (see :func:`padded_box`)."""
    box = padded_box(bbox, padding, image.width, image.height)
    crop = image.crop(box)
    return crop if crop.mode == "RGB" else crop.convert("RGB")


def crop_name(parent: str, task: str, index: int) -> str:
    """The sample name of box ``index`` of ``task`` in ``parent``, deterministic in all three.

    ``f"{task}/{parent without extension}-{index}-{extension}.png"``, the extension without its
    dot and as written (``a.JPG`` and ``a.jpg`` stay apart), e.g.
    ``crop_name("sub/img_1.jpg", "boxes", 3) == "boxes/sub/img_1-3-jpg.png"``; mirrors Lightly's
    frame names (``video_1-099-mp4``). A parent without an extension gives ``{stem}-{index}.png``.
    """
    stem, ext = posixpath.splitext(parent)
    suffix = f"-{ext[1:]}" if ext else ""
    return f"{task}/{stem}-{index}{suffix}.png"


def decode_full_rgb(data: bytes) -> Image.Image:
    """Decode a parent image at full resolution, RGB and upright by its EXIF orientation.

    The model's one decoder (:func:`winnow_gpu_worker.ml.images.decode_rgb`) with its JPEG draft
    scaling disabled: boxes are in full-resolution pixels, so the parent must not be shrunk.
    """
    return decode_rgb(data, _FULL_RESOLUTION)
