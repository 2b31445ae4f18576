"""Detect corrupt image files before they reach the embedding stage."""

from __future__ import annotations

import io

from PIL import Image, ImageFile, UnidentifiedImageError

from winnow_gpu_worker.ml.images import file_extension, strict_truncation

# Pillow format names accepted for each extension. MPO is how Pillow reports multi-picture JPEGs
# written by many phone cameras, and DIB is a header-less BMP variant; both are legitimate.
_EXPECTED_FORMATS: dict[str, frozenset[str]] = {
    ".jpg": frozenset({"JPEG", "MPO"}),
    ".jpeg": frozenset({"JPEG", "MPO"}),
    ".png": frozenset({"PNG"}),
    ".bmp": frozenset({"BMP", "DIB"}),
    ".gif": frozenset({"GIF"}),
    ".tif": frozenset({"TIFF"}),
    ".tiff": frozenset({"TIFF"}),
    ".webp": frozenset({"WEBP"}),
}

_FORMAT_LABEL: dict[str, str] = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# Formats that libjpeg can decode at a reduced scale (``Image.draft``) without skipping any of
# the compressed data: the entropy decoder still reads every block, only the inverse DCT,
# upsampling and colour conversion run at 1/8 scale.
_DRAFT_FORMATS = frozenset({"JPEG", "MPO"})
_DRAFT_SCALE = 8


def _verify_checks_more(image: Image.Image) -> bool:
    """True if the plugin's ``verify()`` checks something ``load()`` does not.

    ``ImageFile.verify`` (the default) only closes the file; plugins that override it do real
    checks (in Pillow 13 only PNG, which checks the CRC of every chunk, including the pixel data
    chunks that ``load()`` reads without checking). Asking the class keeps this right for
    plugins that add checks in later Pillow versions.
    """
    return type(image).verify is not ImageFile.ImageFile.verify


def _check(
    filename: str, data: bytes, *, full_resolution: bool
) -> tuple[str | None, Image.Image | None]:
    """Shared body of :func:`check_image_bytes` and :func:`check_and_decode`.

    Returns ``(reason, None)`` for a bad file, ``(None, image)`` for a good one, where ``image``
    is the loaded full-resolution first frame if ``full_resolution`` (the caller closes it),
    else ``None`` (JPEGs were then only decoded in draft mode and the image is closed here).
    """
    if not data:
        return "empty file", None
    ext = file_extension(filename)
    try:
        with strict_truncation():
            try:
                img = Image.open(io.BytesIO(data))
            except UnidentifiedImageError:
                return "cannot be identified as an image", None
            except Image.DecompressionBombError as exc:
                return f"image dimensions too large to decode safely ({exc})", None
            except Exception as exc:  # any plugin error means a broken header
                return f"corrupt image header ({_describe(exc)})", None
            keep = False
            try:
                detected = img.format or "unknown"
                expected = _EXPECTED_FORMATS.get(ext)
                if expected is not None and detected not in expected:
                    return (
                        f"content is {detected} but the extension '{ext}' "
                        f"expects {_FORMAT_LABEL[ext]}"
                    ), None
                if not full_resolution and detected in _DRAFT_FORMATS:
                    width, height = img.size
                    img.draft(
                        img.mode, (max(1, width // _DRAFT_SCALE), max(1, height // _DRAFT_SCALE))
                    )
                try:
                    # load() decodes the whole first frame, which is what catches truncated
                    # JPEG/PNG streams; opening alone only parses the header. In draft mode
                    # libjpeg still entropy-decodes every block, so truncation, a missing end
                    # of stream and broken Huffman data raise exactly as at full size.
                    img.load()
                except Image.DecompressionBombError as exc:
                    return f"image dimensions too large to decode safely ({exc})", None
                except Exception as exc:
                    return f"truncated or corrupt image data ({_describe(exc)})", None
                if _verify_checks_more(img):
                    # verify() needs a fresh file object; for PNG it checks the CRCs of the
                    # data chunks, so bit-flipped files are reported rather than embedded.
                    try:
                        with Image.open(io.BytesIO(data)) as fresh:
                            fresh.verify()
                    except Exception as exc:
                        return f"corrupt image data ({_describe(exc)})", None
                keep = full_resolution
                return None, (img if keep else None)
            finally:
                if not keep:
                    img.close()
    except Exception as exc:  # the contract is to never raise for bad input
        return f"unreadable image ({_describe(exc)})", None


def check_image_bytes(filename: str, data: bytes) -> str | None:
    """Check that ``data`` is a complete, decodable image matching ``filename``'s extension.

    Returns ``None`` for a good image, otherwise a short human-readable reason (empty file,
    content format does not match the extension, not an image, truncated or undecodable pixel
    data, bad PNG chunk CRC, implausibly large dimensions). Never raises for bad input.

    JPEGs are decoded in draft mode (1/8 scale), which reads and entropy-decodes the whole
    stream like a full decode, so it reports the same files, at about half the cost. Use
    :func:`check_and_decode` when the full-resolution pixels are needed afterwards.
    """
    return _check(filename, data, full_resolution=False)[0]


def check_and_decode(filename: str, data: bytes) -> tuple[str | None, Image.Image | None]:
    """Run :func:`check_image_bytes`'s checks and keep the decoded image of a good file.

    Returns ``(reason, None)`` for a bad file and ``(None, image)`` for a good one: ``image`` is
    the loaded, full-resolution first frame exactly as ``Image.open(...).load()`` gives it (so
    :func:`~winnow_gpu_worker.ml.metadata.compute_image_metadata` on it gives the same values
    as on ``data``). The caller owns and should close it. Reports the same files as
    :func:`check_image_bytes`; never raises for bad input.
    """
    return _check(filename, data, full_resolution=True)
