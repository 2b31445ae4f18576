from PIL import ImageFile

from winnow_gpu_worker.ml.images import (
    IMAGE_EXTENSIONS,
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
