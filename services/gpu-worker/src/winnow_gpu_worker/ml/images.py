"""Image filename helpers, Pillow decoding guards and the model's one image decoder.

:func:`decode_rgb` is how every model input is decoded (embedding and training alike), so the
pixels a trained model saw and the pixels it later embeds come from the same code.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageFile, ImageOps

# The filename rule lives in winnow_common (the API lists input files by it too).
from winnow_common.input_files import (  # noqa: F401
    IMAGE_EXTENSIONS,
    file_extension,
    is_image_filename,
)

logger = logging.getLogger(__name__)


_truncation_lock = threading.Lock()


@contextmanager
def strict_truncation() -> Iterator[None]:
    """Make Pillow raise on truncated image data for the duration of the block.

    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is a process-wide global; if any library (or user code)
    enabled it, Pillow would silently pad truncated files with grey and we would neither report
    them as corrupt nor refuse to embed them. We only pay for the lock in that unusual case so
    the normal decode path stays lock-free for threaded callers.
    """
    if not ImageFile.LOAD_TRUNCATED_IMAGES:
        yield
        return
    with _truncation_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def decode_rgb(data: bytes, draft_size: int) -> Image.Image:
    """Decode ``data`` to an RGB image, upright by its EXIF orientation, for a model input.

    JPEGs are decoded at the smallest 1/2^k scale that keeps both sides at least
    ``draft_size`` pixels (libjpeg's draft mode), which is most of the decode cost for large
    photos when the network input is small. Truncated data raises (see
    :func:`strict_truncation`); a broken EXIF block leaves the image as stored. The result is
    detached from ``data`` (a converted copy).
    """
    with strict_truncation(), Image.open(io.BytesIO(data)) as img:
        if drafts(img):
            img.draft("RGB", (draft_size, draft_size))
        img.load()
        return upright_rgb(img)


def drafts(img: Image.Image) -> bool:
    """Whether :func:`decode_rgb` decodes ``img``'s format at a reduced scale (JPEG); every
    other format it decodes at full size, as ``Image.open(...).load()`` does."""
    return img.format == "JPEG"


def upright_rgb(img: Image.Image) -> Image.Image:
    """A loaded image upright by its EXIF orientation, as RGB: :func:`decode_rgb`'s last step
    (a broken EXIF block leaves it as stored; a converted copy)."""
    try:
        oriented = ImageOps.exif_transpose(img)
    except Exception:  # broken EXIF must not make good pixels unusable
        oriented = img
    return oriented.convert("RGB")


def decode_failure(exc: BaseException) -> str:
    """The per-file reason recorded when an image cannot be read or decoded for the model."""
    text = str(exc).strip()
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"could not decode image ({reason})"


def encode_png(image: Image.Image) -> bytes:
    """PNG bytes of ``image``: no metadata and fixed options, so equal pixels give equal bytes
    (the images the worker stores for crops and video frames)."""
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
