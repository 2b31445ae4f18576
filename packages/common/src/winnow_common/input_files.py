"""Which files of an INPUT datasource are input images or videos (one rule for the worker and
the API).

The GPU worker's LOADING_DATASET stage and the API's datasource listing
(``GET /v1/datasets/{id}/datasource/list``) both use :func:`is_input_image`, so a client lists
exactly the files a run would look at.
"""

from __future__ import annotations

from typing import Final

#: Lower-case extensions (with the leading dot) that the pipeline treats as images.
IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
)

#: Lower-case extensions of the videos the worker decodes (with PyAV) into frames.
VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm"})

#: Winnow's (and Lightly's) own folder: never input, even when INPUT and LIGHTLY share a bucket
#: (it holds earlier runs' outputs, and ``dump_dataset`` copies are images too).
LIGHTLY_FOLDER: Final[str] = ".lightly/"


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


def is_input_image(key: str) -> bool:
    """True if the INPUT datasource file ``key`` is an image a run considers."""
    return is_image_filename(key) and not key.startswith(LIGHTLY_FOLDER)


def is_video_filename(name: str) -> bool:
    """Return True if ``name`` has one of :data:`VIDEO_EXTENSIONS` (case-insensitive)."""
    return file_extension(name) in VIDEO_EXTENSIONS


def is_input_video(key: str) -> bool:
    """True if the INPUT datasource file ``key`` is a video a run decodes into frames."""
    return is_video_filename(key) and not key.startswith(LIGHTLY_FOLDER)


def is_input_file(key: str) -> bool:
    """True if the INPUT datasource file ``key`` is an image or a video a run considers."""
    return is_input_image(key) or is_input_video(key)
