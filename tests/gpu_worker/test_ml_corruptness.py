import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from winnow_gpu_worker.ml.corruptness import check_image_bytes


def _encode(fmt: str, size: int = 32, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.png", "PNG"),
        ("a.jpg", "JPEG"),
        ("a.JPEG", "JPEG"),
        ("a.bmp", "BMP"),
        ("a.gif", "GIF"),
        ("a.tif", "TIFF"),
        ("a.tiff", "TIFF"),
        ("a.webp", "WEBP"),
    ],
)
def test_valid_images_pass(name: str, fmt: str) -> None:
    assert check_image_bytes(name, _encode(fmt)) is None


def test_empty_file_is_flagged() -> None:
    assert check_image_bytes("a.jpg", b"") == "empty file"


def test_png_with_jpg_extension_names_both() -> None:
    reason = check_image_bytes("photo.jpg", _encode("PNG"))
    assert reason is not None
    assert "PNG" in reason
    assert ".jpg" in reason
    assert "JPEG" in reason


def test_jpeg_with_tiff_extension_is_flagged() -> None:
    reason = check_image_bytes("scan.TIFF", _encode("JPEG"))
    assert reason is not None
    assert "JPEG" in reason
    assert ".tiff" in reason


def test_unknown_extension_only_checks_decodability() -> None:
    assert check_image_bytes("blob.bin", _encode("PNG")) is None


def test_not_an_image() -> None:
    reason = check_image_bytes("a.png", b"this is plain text, not pixels" * 10)
    assert reason == "cannot be identified as an image"


@pytest.mark.parametrize(("name", "fmt"), [("t.jpg", "JPEG"), ("t.png", "PNG")])
def test_truncated_images_are_flagged(name: str, fmt: str) -> None:
    data = _encode(fmt, size=64)
    reason = check_image_bytes(name, data[: len(data) // 2])
    assert reason is not None
    assert "truncated" in reason or "corrupt" in reason


def test_truncated_jpeg_flagged_even_if_pillow_global_allows_truncation() -> None:
    data = _encode("JPEG", size=64)
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        assert check_image_bytes("t.jpg", data[: len(data) // 2]) is not None
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def test_png_with_flipped_data_byte_is_flagged() -> None:
    data = bytearray(_encode("PNG", size=64))
    idat = data.index(b"IDAT")
    data[idat + 20] ^= 0xFF  # inside the compressed pixel data, so the chunk CRC no longer fits
    assert check_image_bytes("x.png", bytes(data)) is not None


@pytest.mark.parametrize(
    "data",
    [b"\x00", b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8\xff\xe0" + b"\x00" * 50],
)
def test_garbage_never_raises(data: bytes) -> None:
    reason = check_image_bytes("x.jpg", data)
    assert isinstance(reason, str)
    assert reason
