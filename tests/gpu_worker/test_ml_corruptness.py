import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from winnow_gpu_worker.ml.corruptness import check_and_decode, check_image_bytes
from winnow_gpu_worker.ml.metadata import compute_image_metadata


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


# --- draft-mode check vs full-resolution check_and_decode -----------------------------------


def _photo_jpeg(size: tuple[int, int] = (160, 120), seed: int = 0, **save: object) -> bytes:
    """A smooth, photo-like JPEG (noise-only JPEGs are unusually large and dense)."""
    rng = np.random.default_rng(seed)
    grid = rng.integers(30, 226, (3, 4, 3)).astype(np.uint8)
    image = Image.fromarray(grid).resize(size, Image.Resampling.BICUBIC)
    pixels = np.asarray(image, dtype=np.int16) + rng.integers(-6, 7, (size[1], size[0], 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buf, "JPEG", **save)
    return buf.getvalue()


def _both(name: str, data: bytes) -> tuple[str | None, str | None]:
    """Reasons from check_image_bytes and check_and_decode; they must always agree."""
    reason, image = check_and_decode(name, data)
    if reason is None:
        assert image is not None
        image.close()
    else:
        assert image is None
    return check_image_bytes(name, data), reason


def test_check_and_decode_returns_full_resolution_loaded_image() -> None:
    data = _photo_jpeg((160, 120))
    reason, image = check_and_decode("a.jpg", data)
    assert reason is None
    assert image is not None
    with image, Image.open(io.BytesIO(data)) as reference:
        reference.load()
        assert image.size == (160, 120)
        assert image.mode == reference.mode
        assert image.tobytes() == reference.tobytes()


@pytest.mark.parametrize(
    "save", [{}, {"progressive": True}, {"subsampling": 0}, {"quality": 30}], ids=str
)
def test_good_jpeg_variants_pass_both_checks(save: dict[str, object]) -> None:
    assert _both("a.jpg", _photo_jpeg(**save)) == (None, None)


def test_greyscale_and_cmyk_jpegs_pass_both_checks() -> None:
    for mode in ("L", "CMYK"):
        buf = io.BytesIO()
        Image.open(io.BytesIO(_photo_jpeg())).convert(mode).save(buf, "JPEG")
        assert _both("a.jpg", buf.getvalue()) == (None, None)


def test_tiny_jpeg_smaller_than_the_draft_scale_passes() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (3, 2), (10, 200, 30)).save(buf, "JPEG")
    assert _both("a.jpg", buf.getvalue()) == (None, None)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_jpeg_flagged_by_both(keep: float) -> None:
    for save in ({}, {"progressive": True}):
        data = _photo_jpeg((320, 240), **save)
        draft, full = _both("t.jpg", data[: int(len(data) * keep)])
        assert draft is not None and full is not None
        assert "truncated" in draft and draft == full


def test_jpeg_without_end_of_image_marker_flagged_by_both() -> None:
    # Cutting a few bytes more than the 2-byte EOI marker takes part of the last scan too.
    data = _photo_jpeg((320, 240))
    draft, full = _both("t.jpg", data[:-16])
    assert draft is not None and draft == full


def test_damaged_jpegs_flagged_identically_in_draft_and_full_mode() -> None:
    # Detection must not depend on the decode scale: every kind of damage is reported (or
    # not, where libjpeg itself only warns) identically by both entry points.
    rng = np.random.default_rng(3)
    flagged = 0
    for seed in range(12):
        data = _photo_jpeg((200, 150), seed=seed, progressive=seed % 2 == 1)
        n = len(data)
        damaged = [data[: n * 3 // 10], data[: n - 64], data[: n - 2]]
        flipped = bytearray(data)
        for pos in rng.integers(n // 3, n - 16, 8):
            flipped[pos] ^= 1 << int(rng.integers(0, 8))
        damaged.append(bytes(flipped))
        header = bytearray(data)
        header[n // 2 : n // 2 + 64] = bytes(64)
        damaged.append(bytes(header))
        for bad in damaged:
            draft, full = _both("x.jpg", bad)
            assert draft == full
            flagged += draft is not None
    assert flagged >= 36  # at least all the truncated copies


def test_truncated_png_flagged_by_both() -> None:
    data = _encode("PNG", size=64)
    for keep in (len(data) // 3, len(data) // 2, len(data) - 20):
        draft, full = _both("t.png", data[:keep])
        assert draft is not None and draft == full


def test_png_with_bad_crc_flagged_by_both() -> None:
    data = bytearray(_encode("PNG", size=64))
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    data[idat + 4 + length] ^= 0x01  # the stored CRC itself: the pixel data still decodes
    draft, full = _both("x.png", bytes(data))
    assert draft is not None and draft == full
    assert "corrupt image data" in draft


def test_png_named_jpg_and_jpeg_named_png_flagged_by_both() -> None:
    draft, full = _both("photo.jpg", _encode("PNG"))
    assert draft == full == "content is PNG but the extension '.jpg' expects JPEG"
    draft, full = _both("photo.png", _photo_jpeg())
    assert draft == full == "content is JPEG but the extension '.png' expects PNG"


def test_zero_byte_file_flagged_by_both() -> None:
    assert _both("a.jpg", b"") == ("empty file", "empty file")
    assert _both("a.png", b"") == ("empty file", "empty file")


def test_text_file_named_jpg_flagged_by_both() -> None:
    text = b"name,label\nimg_0001.jpg,cat\nimg_0002.jpg,dog\n" * 5
    expected = "cannot be identified as an image"
    assert _both("labels.jpg", text) == (expected, expected)


@pytest.mark.parametrize(("name", "fmt"), [("a.png", "PNG"), ("a.gif", "GIF"), ("a.webp", "WEBP")])
def test_check_and_decode_other_formats(name: str, fmt: str) -> None:
    data = _encode(fmt)
    reason, image = check_and_decode(name, data)
    assert reason is None and image is not None
    with image:
        assert image.size == (32, 32)
        assert image.getpixel((0, 0)) is not None


def test_check_and_decode_metadata_equals_decoding_again() -> None:
    samples: list[tuple[str, bytes]] = [("p.jpg", _photo_jpeg((640, 480), seed=5))]
    samples.append(("p.png", _encode("PNG", size=48)))
    for name, data in samples:
        reason, image = check_and_decode(name, data)
        assert reason is None and image is not None
        with image:
            assert compute_image_metadata(data, image=image) == compute_image_metadata(data)


def _real_images() -> list[tuple[str, np.ndarray]]:
    images: list[tuple[str, np.ndarray]] = []
    skimage_data = pytest.importorskip("skimage.data")
    for name in ("astronaut", "coffee", "chelsea", "camera", "rocket"):
        images.append((name, np.asarray(getattr(skimage_data, name)())))
    return images


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_metadata_from_check_and_decode_matches_on_real_images(fmt: str) -> None:
    ext = ".jpg" if fmt == "JPEG" else ".png"
    for name, pixels in _real_images():
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, fmt)
        data = buf.getvalue()
        assert check_image_bytes(name + ext, data) is None
        reason, image = check_and_decode(name + ext, data)
        assert reason is None and image is not None
        with image:
            assert image.size == (pixels.shape[1], pixels.shape[0])
            reused = compute_image_metadata(data, image=image)
        assert reused == compute_image_metadata(data), name
