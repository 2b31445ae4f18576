"""Object-level crops: padded boxes, crop pixels and names, the crop list and the crop reader.

Parents are scikit-image's sample photos written into ``LocalStore`` datasources, with
object-detection predictions in Lightly's ``.lightly/predictions/`` format.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from winnow_common.errors import PipelineError
from winnow_common.storage import LocalStore
from winnow_gpu_worker.ml.crops import (
    DEFAULT_PADDING,
    crop_image,
    crop_name,
    decode_full_rgb,
    padded_box,
)
from winnow_gpu_worker.ml.images import decode_rgb
from winnow_gpu_worker.stages.crops import CropReader, CropRef, list_crops

PRED = ".lightly/predictions"
BOXES = {
    "task_type": "object-detection",
    "categories": [{"id": 0, "name": "person"}, {"id": 1, "name": "cup"}, {"id": 7, "name": "cat"}],
}
WEATHER = {"task_type": "classification", "categories": [{"id": 0, "name": "sunny"}]}
ASTRONAUT_BOXES = [
    {"category_id": 0, "bbox": [150, 30, 200, 250], "score": 0.9},
    {"category_id": 1, "bbox": [400.5, 300.25, 60, 80]},  # no score: 1.0
]
# Eleven boxes: names sort as strings ("-10-" before "-2-").
COFFEE_BOXES = [
    {"category_id": 1, "bbox": [20 + 40 * i, 50 + 20 * i, 80, 60], "score": 0.05 * (i + 1)}
    for i in range(11)
]


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def _jpeg(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _write(root: Path, key: str, content: Any) -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())


@pytest.fixture
def stores(tmp_path: Path) -> tuple[LocalStore, LocalStore]:
    """(INPUT, LIGHTLY): three photos, boxes for two of them, and a classification task."""
    inp, lightly = tmp_path / "input", tmp_path / "lightly"
    _write(inp, "astronaut.png", _png(skdata.astronaut()))
    _write(inp, "sub/coffee.jpg", _jpeg(skdata.coffee()))
    _write(inp, "chelsea.png", _png(skdata.chelsea()))
    _write(lightly, f"{PRED}/tasks.json", ["boxes", "weather", "no_schema"])
    _write(lightly, f"{PRED}/boxes/schema.json", BOXES)
    _write(
        lightly,
        f"{PRED}/boxes/astronaut.json",
        {"file_name": "astronaut.png", "predictions": ASTRONAUT_BOXES},
    )
    _write(
        lightly,
        f"{PRED}/boxes/sub/coffee.json",
        {"file_name": "sub/coffee.jpg", "predictions": COFFEE_BOXES},
    )
    _write(lightly, f"{PRED}/weather/schema.json", WEATHER)
    _write(
        lightly,
        f"{PRED}/weather/chelsea.json",
        {"file_name": "chelsea.png", "predictions": [{"category_id": 0}]},
    )
    (lightly / PRED / "no_schema").mkdir()
    return LocalStore(inp), LocalStore(lightly)


PARENTS = ["astronaut.png", "sub/coffee.jpg", "chelsea.png"]


# --- padded_box ------------------------------------------------------------------------------


def test_padded_box_without_padding_is_the_box() -> None:
    assert padded_box([10, 20, 30, 40], 0.0, 100, 100) == (10, 20, 40, 60)
    # Fractional edges round outwards so the whole box is inside the crop.
    assert padded_box([10.4, 20.6, 5.2, 3.1], 0.0, 100, 100) == (10, 20, 16, 24)


def test_padded_box_grows_width_and_height_by_the_padding_centred() -> None:
    # 10 %: 100 x 50 grows by 10 x 5, half on each side.
    assert padded_box([100, 100, 100, 50], 0.1, 512, 512) == (95, 97, 205, 153)
    assert DEFAULT_PADDING == 0.1
    # 20 % of 100 x 100 -> 120 x 120 around the same centre (150, 150).
    left, top, right, bottom = padded_box([100, 100, 100, 100], 0.2, 512, 512)
    assert (right - left, bottom - top) == (120, 120)
    assert ((left + right) / 2, (top + bottom) / 2) == (150, 150)


def test_padded_box_clips_to_the_image() -> None:
    assert padded_box([0, 0, 50, 50], 0.5, 100, 100) == (0, 0, 63, 63)
    assert padded_box([80, 90, 20, 10], 1.0, 100, 100) == (70, 85, 100, 100)
    assert padded_box([-20, -20, 300, 300], 0.1, 64, 48) == (0, 0, 64, 48)


def test_padded_box_is_at_least_one_pixel_inside_the_image() -> None:
    assert padded_box([10, 10, 0, 0], 0.1, 100, 100) == (10, 10, 11, 11)
    assert padded_box([200, 200, 10, 10], 0.1, 100, 100) == (99, 99, 100, 100)
    assert padded_box([-30, -30, 5, 5], 0.0, 100, 100) == (0, 0, 1, 1)


def test_padded_box_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="padding"):
        padded_box([0, 0, 10, 10], -0.1, 100, 100)
    with pytest.raises(ValueError, match="bbox"):
        padded_box([0, 0, 10], 0.1, 100, 100)
    with pytest.raises(ValueError, match="image size"):
        padded_box([0, 0, 10, 10], 0.1, 0, 100)


# --- crop_image, crop_name, decode_full_rgb ---------------------------------------------------


def test_crop_pixels_equal_a_manual_pil_crop() -> None:
    image = Image.fromarray(skdata.astronaut())
    crop = crop_image(image, [150, 30, 200, 250], 0.1)
    # 200 x 250 grows by 20 x 25: 10 and 12.5 px per side, rounded outwards.
    manual = image.crop((140, 17, 360, 293))
    assert crop.mode == "RGB" and crop.size == (220, 276)
    assert np.array_equal(np.asarray(crop), np.asarray(manual))
    assert np.array_equal(np.asarray(crop), skdata.astronaut()[17:293, 140:360])


def test_crop_of_a_grey_or_rgba_image_is_rgb() -> None:
    grey = Image.fromarray(skdata.camera())
    crop = crop_image(grey, [10, 10, 20, 20], 0.0)
    assert crop.mode == "RGB" and crop.size == (20, 20)
    assert np.array_equal(np.asarray(crop)[..., 0], skdata.camera()[10:30, 10:30])
    rgba = Image.fromarray(skdata.astronaut()).convert("RGBA")
    assert crop_image(rgba, [0, 0, 5, 5], 0.0).mode == "RGB"


def test_crop_name_examples() -> None:
    assert crop_name("sub/img_1.jpg", "boxes", 3) == "boxes/sub/img_1-3-jpg.png"
    assert crop_name("a.PNG", "t", 0) == "t/a-0-PNG.png"
    assert crop_name("x/y.tar.gz", "t", 12) == "t/x/y.tar-12-gz.png"
    assert crop_name("noext", "t", 1) == "t/noext-1.png"
    # Deterministic, and different boxes or tasks give different names.
    assert crop_name("a.jpg", "t", 1) == crop_name("a.jpg", "t", 1)
    assert len({crop_name("a.jpg", t, i) for t in ("t", "u") for i in range(3)}) == 6


def test_decode_full_rgb_keeps_the_full_resolution_of_a_jpeg() -> None:
    data = _jpeg(skdata.coffee())
    assert decode_rgb(data, 64).size == (150, 100)  # the model decoder's draft shrink
    full = decode_full_rgb(data)
    assert full.mode == "RGB" and full.size == (600, 400)
    with Image.open(io.BytesIO(data)) as reference:
        assert np.array_equal(np.asarray(full), np.asarray(reference.convert("RGB")))


def test_decode_full_rgb_is_upright_by_exif() -> None:
    image = Image.fromarray(skdata.chelsea())
    exif = image.getexif()
    exif[0x0112] = 6  # rotated 90 degrees clockwise for display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    assert decode_full_rgb(out.getvalue()).size == (300, 451)


# --- list_crops -------------------------------------------------------------------------------


def test_list_crops_lists_every_box_sorted_by_name(stores: tuple[LocalStore, LocalStore]) -> None:
    _, lightly = stores
    crops = list_crops(lightly, PARENTS, "boxes")
    names = [c.name for c in crops]
    assert names == sorted(names)
    assert len(crops) == len(ASTRONAUT_BOXES) + len(COFFEE_BOXES)
    assert names[:4] == [
        "boxes/astronaut-0-png.png",
        "boxes/astronaut-1-png.png",
        "boxes/sub/coffee-0-jpg.png",
        "boxes/sub/coffee-1-jpg.png",
    ]
    assert names[4] == "boxes/sub/coffee-10-jpg.png"
    assert not any(c.parent == "chelsea.png" for c in crops)  # no prediction file: no crops
    first, second = crops[0], crops[1]
    assert first == CropRef(
        name="boxes/astronaut-0-png.png",
        parent="astronaut.png",
        task="boxes",
        index=0,
        category_id=0,
        score=0.9,
        bbox=(150.0, 30.0, 200.0, 250.0),
    )
    assert (second.category_id, second.score, second.bbox) == (1, 1.0, (400.5, 300.25, 60.0, 80.0))
    by_index = {c.index: c for c in crops if c.parent == "sub/coffee.jpg"}
    assert sorted(by_index) == list(range(11))
    for i, raw in enumerate(COFFEE_BOXES):
        assert by_index[i].name == crop_name("sub/coffee.jpg", "boxes", i)
        assert by_index[i].score == pytest.approx(raw["score"])
        assert by_index[i].bbox == tuple(float(v) for v in raw["bbox"])


def test_list_crops_only_for_the_given_parents(stores: tuple[LocalStore, LocalStore]) -> None:
    _, lightly = stores
    crops = list_crops(lightly, ["astronaut.png", "astronaut.png", "chelsea.png"], "boxes")
    assert [c.name for c in crops] == ["boxes/astronaut-0-png.png", "boxes/astronaut-1-png.png"]
    assert list_crops(lightly, ["chelsea.png"], "boxes") == []
    assert list_crops(lightly, [], "boxes") == []


@pytest.mark.parametrize(
    ("task", "reason"),
    [
        ("cars", "not listed"),
        ("weather", "classification"),
        ("no_schema", "schema.json"),
    ],
)
def test_list_crops_rejects_tasks_without_boxes(
    stores: tuple[LocalStore, LocalStore], task: str, reason: str
) -> None:
    _, lightly = stores
    with pytest.raises(PipelineError, match=reason) as caught:
        list_crops(lightly, PARENTS, task)
    assert repr(task) in caught.value.message


def test_list_crops_rejects_colliding_names(tmp_path: Path) -> None:
    lightly = tmp_path / "lightly"
    _write(lightly, f"{PRED}/tasks.json", ["boxes"])
    _write(lightly, f"{PRED}/boxes/schema.json", BOXES)
    box = {"category_id": 0, "bbox": [0, 0, 1, 1]}
    _write(lightly, f"{PRED}/boxes/a.json", {"file_name": "a.x-1-y", "predictions": [box]})
    _write(lightly, f"{PRED}/boxes/a-0-x.json", {"file_name": "a-0-x.y", "predictions": [box] * 2})
    with pytest.raises(PipelineError, match=re.escape("a-0-x-1-y.png")):
        list_crops(LocalStore(lightly), ["a.x-1-y", "a-0-x.y"], "boxes")


# --- CropReader -------------------------------------------------------------------------------


class CountingRead:
    """A picklable parent reader that counts its reads (per process)."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store
        self.reads: list[str] = []

    def __call__(self, name: str) -> bytes:
        self.reads.append(name)
        return self.store.read(name)


def _decode_png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        return np.asarray(image)


def test_crop_reader_reads_the_crop_pixels_as_png(stores: tuple[LocalStore, LocalStore]) -> None:
    inp, lightly = stores
    crops = list_crops(lightly, PARENTS, "boxes")
    reader = CropReader(inp.read, crops)
    for ref in crops:
        parent = decode_full_rgb(inp.read(ref.parent))
        expected = np.asarray(crop_image(parent, ref.bbox, DEFAULT_PADDING))
        assert np.array_equal(_decode_png(reader.read(ref.name)), expected)
    astronaut = _decode_png(reader.read("boxes/astronaut-0-png.png"))
    assert np.array_equal(astronaut, skdata.astronaut()[17:293, 140:360])
    unpadded = CropReader(inp.read, crops, padding=0.0).read("boxes/astronaut-0-png.png")
    assert np.array_equal(_decode_png(unpadded), skdata.astronaut()[30:280, 150:350])
    with pytest.raises(KeyError, match=re.escape("boxes/nothing.png")):
        reader.read("boxes/nothing.png")


def test_crop_reader_is_byte_stable_and_decodes_each_parent_once(
    stores: tuple[LocalStore, LocalStore],
) -> None:
    inp, lightly = stores
    crops = list_crops(lightly, PARENTS, "boxes")
    read = CountingRead(inp)
    reader = CropReader(read, crops)
    first = [reader.read(c.name) for c in crops]
    assert read.reads == ["astronaut.png", "sub/coffee.jpg"]
    again = [reader.read(c.name) for c in reversed(crops)][::-1]
    assert again == first
    assert CropReader(inp.read, crops).read(crops[0].name) == first[0]


def test_crop_reader_pickles_without_its_cached_image(
    stores: tuple[LocalStore, LocalStore],
) -> None:
    inp, lightly = stores
    crops = list_crops(lightly, PARENTS, "boxes")
    reader = CropReader(inp.read, crops)
    expected = reader.read(crops[0].name)  # fills the cache
    blob = pickle.dumps(reader)
    assert len(blob) < 20_000  # names and boxes only, not a decoded 512 x 512 parent
    clone = pickle.loads(blob)
    assert clone.read(crops[0].name) == expected


def test_crop_reader_works_in_spawned_worker_processes(
    stores: tuple[LocalStore, LocalStore],
) -> None:
    inp, lightly = stores
    crops = list_crops(lightly, PARENTS, "boxes")
    reader = CropReader(inp.read, crops)
    names = [c.name for c in crops]
    local = [reader.read(n) for n in names]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = list(pool.map(reader.read, names, chunksize=4))
    assert remote == local
