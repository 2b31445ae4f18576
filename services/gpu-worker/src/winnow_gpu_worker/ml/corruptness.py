"""Detect corrupt image files before they reach the embedding stage."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

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


def check_image_bytes(filename: str, data: bytes) -> str | None:
    """Check that ``data`` is a complete, decodable image matching ``filename``'s extension.

    Returns ``None`` for a good image, otherwise a short human-readable reason (empty file,
    content format does not match the extension, not an image, truncated or undecodable pixel
    data, implausibly large dimensions). Never raises for bad input.
    """
    if not data:
        return "empty file"
    ext = file_extension(filename)
    try:
        with strict_truncation():
            try:
                img = Image.open(io.BytesIO(data))
            except UnidentifiedImageError:
                return "cannot be identified as an image"
            except Image.DecompressionBombError as exc:
                return f"image dimensions too large to decode safely ({exc})"
            except Exception as exc:  # any plugin error means a broken header
                return f"corrupt image header ({_describe(exc)})"
            with img:
                detected = img.format or "unknown"
                expected = _EXPECTED_FORMATS.get(ext)
                if expected is not None and detected not in expected:
                    return (
                        f"content is {detected} but the extension '{ext}' "
                        f"expects {_FORMAT_LABEL[ext]}"
                    )
                try:
                    # load() decodes every pixel of the first frame, which is what catches
                    # truncated JPEG/PNG streams; opening alone only parses the header.
                    img.load()
                except Image.DecompressionBombError as exc:
                    return f"image dimensions too large to decode safely ({exc})"
                except Exception as exc:
                    return f"truncated or corrupt image data ({_describe(exc)})"
            # verify() needs a fresh file object; it checks what load() does not, such as the
            # CRCs of PNG data chunks, so bit-flipped files are reported rather than embedded.
            try:
                with Image.open(io.BytesIO(data)) as fresh:
                    fresh.verify()
            except Exception as exc:
                return f"corrupt image data ({_describe(exc)})"
    except Exception as exc:  # the contract is to never raise for bad input
        return f"unreadable image ({_describe(exc)})"
    return None
