"""Image filename helpers and Pillow decoding guards shared by the ML stages."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import ImageFile

logger = logging.getLogger(__name__)

#: Lower-case extensions (with the leading dot) that the pipeline treats as images.
IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
)


def file_extension(name: str) -> str:
    """Return the lower-case extension of ``name`` including the dot, or ``""`` if it has none.

    Only the last path component counts, so ``"a.b/c"`` has no extension, and a dot-file such as
    ``".jpg"`` is a hidden file without an extension (matching :func:`os.path.splitext`).
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    if dot <= 0:
        return ""
    return base[dot:].lower()


def is_image_filename(name: str) -> bool:
    """Return True if ``name`` has one of :data:`IMAGE_EXTENSIONS` (case-insensitive)."""
    return file_extension(name) in IMAGE_EXTENSIONS


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
