import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from winnow_gpu_worker.ml.images import (
    IMAGE_EXTENSIONS,
    decode_failure,
    decode_rgb,
    file_extension,
    is_image_filename,
    strict_truncation,
)


def test_extensions_cover_the_supported_formats() -> None:
    expected = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
    assert expected == IMAGE_EXTENSIONS


def test_is_image_filename_is_case_insensitive_and_uses_last_component() -> None:
    assert is_image_filename("a.jpg")
    assert is_image_filename("dir/sub/B.JPEG")
    assert is_image_filename("x.TiF")
    assert is_image_filename("weird.name.webp")
    assert not is_image_filename("notes.txt")
    assert not is_image_filename("noext")
    assert not is_image_filename("dir.png/file")
    assert not is_image_filename(".png")  # hidden file, no extension
    assert not is_image_filename("archive.jpg.zip")


def test_file_extension() -> None:
    assert file_extension("a/b/c.PNG") == ".png"
    assert file_extension("c") == ""
    assert file_extension("a\\b.Gif") == ".gif"


def test_strict_truncation_restores_global_flag() -> None:
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        with strict_truncation():
            assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _encode(image: Image.Image, fmt: str, orientation: int | None = None) -> bytes:
    buf = io.BytesIO()
    if orientation is None:
        image.save(buf, format=fmt)
    else:
        exif = image.getexif()
        exif[0x0112] = orientation
        image.save(buf, format=fmt, exif=exif)
    return buf.getvalue()


def test_decode_rgb_uprights_converts_and_drafts_jpegs() -> None:
    pixels = np.random.default_rng(0).integers(0, 256, size=(64, 256, 3), dtype=np.uint8)
    photo = Image.fromarray(pixels)
    # EXIF orientation 6 (rotate 90 degrees clockwise) is applied: width and height swap.
    assert decode_rgb(_encode(photo, "JPEG", orientation=6), 1000).size == (64, 256)
    # JPEGs decode at the smallest 1/2^k scale keeping both sides >= draft_size.
    assert decode_rgb(_encode(photo, "JPEG"), 16).size == (64, 16)
    # Other formats decode at full size; every mode comes back as RGB.
    grey = decode_rgb(_encode(photo.convert("L"), "PNG"), 16)
    assert grey.mode == "RGB" and grey.size == (256, 64)


def test_decode_rgb_refuses_truncated_data_and_describes_failures() -> None:
    data = _encode(Image.new("RGB", (64, 64), "red"), "PNG")
    with pytest.raises(OSError) as info:
        decode_rgb(data[: len(data) // 2], 64)
    assert decode_failure(info.value).startswith("could not decode image (OSError: ")
    assert decode_failure(ValueError()) == "could not decode image (ValueError)"
