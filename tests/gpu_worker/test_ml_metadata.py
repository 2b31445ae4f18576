import io
import json
import math
import time
from typing import Any

import numpy as np
import pytest
from PIL import Image

from winnow_gpu_worker.ml.custom_metadata import (
    is_numeric_metadata,
    load_custom_metadata,
    load_metadata_schema,
    metadata_key,
    metadata_values,
    resolve_path,
)
from winnow_gpu_worker.ml.metadata import (
    LIGHTLY_METADATA_KEYS,
    compute_image_metadata,
    lightly_metadata_values,
    uniform_row_ratio,
)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _noise(h: int, w: int, channels: int = 3, seed: int = 0) -> np.ndarray:
    shape = (h, w, channels) if channels > 1 else (h, w)
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


# --- worker-computed lightly.* metadata ---------------------------------------------------


def test_keys_types_size_and_shape_from_bytes() -> None:
    data = _png(Image.new("RGB", (40, 30), (10, 20, 30)))
    meta = compute_image_metadata(data)
    assert tuple(meta) == LIGHTLY_METADATA_KEYS
    assert meta["sizeInBytes"] == len(data)
    assert meta["shape"] == [30, 40, 3]
    assert all(isinstance(v, int) for v in meta["shape"])
    assert isinstance(meta["sizeInBytes"], int)
    assert json.dumps(meta, allow_nan=False)  # JSON-serialisable, no NaN/inf


def test_uniform_grey_image() -> None:
    meta = compute_image_metadata(b"", Image.new("RGB", (64, 48), (128, 128, 128)))
    assert meta["uniformRowRatio"] == 1.0
    assert meta["sharpness"] == 0.0
    assert meta["std"] == [0.0, 0.0, 0.0]
    assert meta["mean"] == pytest.approx([128 / 255] * 3)
    assert meta["snr"] == 0.0  # constant image: no variation, defined as 0


def test_solid_red_white_and_black() -> None:
    red = compute_image_metadata(b"", Image.new("RGB", (8, 8), (255, 0, 0)))
    assert red["mean"] == [1.0, 0.0, 0.0]
    assert red["std"] == [0.0, 0.0, 0.0]
    assert red["luminance"] == pytest.approx(21.26)
    assert red["sumOfValues"] == [64.0, 0.0, 0.0]
    white = compute_image_metadata(b"", Image.new("RGB", (8, 8), (255, 255, 255)))
    assert white["luminance"] == pytest.approx(100.0)
    black = compute_image_metadata(b"", Image.new("RGB", (8, 8), (0, 0, 0)))
    assert black["luminance"] == 0.0
    assert black["snr"] == 0.0


def test_noise_image_is_sharp_and_has_no_uniform_rows() -> None:
    image = Image.fromarray(_noise(120, 160, channels=1))
    meta = compute_image_metadata(b"", image)
    # i.i.d. uniform noise: var(8c - 8 neighbours) = 72 * var(pixel) ~= 72 * 5461 ~= 393000.
    assert meta["sharpness"] == pytest.approx(72 * (256**2 - 1) / 12, rel=0.05)
    assert meta["uniformRowRatio"] == 0.0
    blurred = compute_image_metadata(b"", image.resize((40, 30)).resize((160, 120)))
    assert float(blurred["sharpness"]) < float(meta["sharpness"]) / 4  # type: ignore[arg-type]


def test_statistics_match_numpy_on_decoded_pixels() -> None:
    pixels = _noise(37, 53, seed=3)
    data = _png(Image.fromarray(pixels))
    meta = compute_image_metadata(data)
    values = pixels.reshape(-1, 3).astype(np.float64) / 255.0
    np.testing.assert_allclose(meta["mean"], values.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(meta["std"], values.std(axis=0), rtol=1e-9)
    np.testing.assert_allclose(meta["sumOfValues"], values.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(meta["sumOfSquares"], (values**2).sum(axis=0), rtol=1e-12)
    grey = np.asarray(Image.fromarray(pixels).convert("L"), dtype=np.float64)
    assert meta["snr"] == pytest.approx(grey.mean() / grey.std(), rel=1e-9)
    assert 0.0 <= meta["luminance"] <= 100.0  # type: ignore[operator]


def test_channel_counts_of_other_modes() -> None:
    assert compute_image_metadata(b"", Image.new("L", (5, 4), 255))["shape"] == [4, 5, 1]
    rgba = compute_image_metadata(b"", Image.new("RGBA", (5, 4), (255, 0, 0, 0)))
    assert rgba["shape"] == [4, 5, 4]
    assert rgba["mean"] == [1.0, 0.0, 0.0]
    grey = compute_image_metadata(b"", Image.new("L", (5, 4), 255))
    assert grey["mean"] == [1.0, 1.0, 1.0]
    assert grey["luminance"] == pytest.approx(100.0)


def test_sixteen_bit_images_are_scaled_not_clipped() -> None:
    meta = compute_image_metadata(b"", Image.new("I;16", (6, 6), 32896))
    assert meta["mean"] == pytest.approx([128 / 255] * 3)


def test_uniform_row_ratio_half_flat_half_noise() -> None:
    pixels = _noise(100, 100, channels=1)
    pixels[:50] = 90
    # Valid Laplacian rows are original rows 1..98; rows 1..48 see only flat neighbours.
    assert uniform_row_ratio(Image.fromarray(pixels)) == pytest.approx(48 / 98)


def test_images_smaller_than_three_pixels() -> None:
    meta = compute_image_metadata(b"", Image.fromarray(_noise(2, 50)))
    assert meta["uniformRowRatio"] == 0.0
    assert meta["sharpness"] == 0.0
    assert compute_image_metadata(b"", Image.new("RGB", (1, 1)))["shape"] == [1, 1, 3]


def _reference_uniform_row_ratio(image: Image.Image) -> float:
    """The published torch implementation (LightlyStudio's port of the worker's metric)."""
    torch = pytest.importorskip("torch")
    functional = pytest.importorskip("torch.nn.functional")
    grey = image.convert("L")
    width, height = grey.size
    if width < 3 or height < 3:
        return 0.0
    tensor = torch.from_numpy(np.asarray(grey).astype(np.float32) / 255.0)[None, None]
    shrink = 400 / height
    if shrink < 1:
        size = (int(height * shrink), max(3, int(width * shrink)))
        tensor = functional.interpolate(
            tensor, size=size, mode="bilinear", align_corners=False, antialias=False
        )
    kernel = torch.tensor([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=torch.float32)
    response = functional.conv2d(tensor, kernel.view(1, 1, 3, 3))[0, 0]
    uniform = ((response > -5 / 255) & (response < 5 / 255)).float()
    return float(torch.mean((uniform.mean(dim=1) > 0.97).float()).item())


@pytest.mark.parametrize(("h", "w"), [(100, 80), (480, 640), (1000, 700), (900, 5), (401, 1200)])
def test_uniform_row_ratio_matches_reference_implementation(h: int, w: int) -> None:
    rng = np.random.default_rng(h * w)
    pixels = np.tile(np.linspace(0, 255, w).astype(np.uint8), (h, 1))  # gentle gradient
    noisy = rng.random(h) < 0.4
    pixels[noisy] = rng.integers(0, 256, size=(int(noisy.sum()), w), dtype=np.uint8)
    pixels[h // 3 : h // 2] = 200
    image = Image.fromarray(pixels)
    ours = uniform_row_ratio(image)
    assert 0.0 < ours < 1.0
    assert ours == pytest.approx(_reference_uniform_row_ratio(image), abs=1e-6)


def test_fast_enough_for_a_640x480_image() -> None:
    image = Image.fromarray(_noise(480, 640, seed=1))
    compute_image_metadata(b"", image)
    timings = []
    for _ in range(15):
        start = time.perf_counter()
        compute_image_metadata(b"", image)
        timings.append(time.perf_counter() - start)
    # Budget is 5 ms; the bound is loose so shared CI machines don't flake.
    assert sorted(timings)[len(timings) // 2] < 0.05


def test_lightly_metadata_values_lookup() -> None:
    per_file = {
        "a.png": compute_image_metadata(b"12345", Image.new("RGB", (4, 4))),
        "b.png": compute_image_metadata(b"1", Image.new("RGB", (4, 4))),
    }
    values = lightly_metadata_values(per_file, "lightly.sizeInBytes", ["b.png", "x.png", "a.png"])
    assert values[0] == 1.0
    assert math.isnan(values[1])
    assert values[2] == 5.0
    with pytest.raises(ValueError, match=r"lightly\.sharpness"):
        lightly_metadata_values(per_file, "lightly.mean", ["a.png"])


# --- custom metadata in the datasource ------------------------------------------------------


class FakeDatasource:
    """A dict-backed LIGHTLY datasource with the pipeline's list_files/read semantics."""

    def __init__(self, files: dict[str, Any]) -> None:
        self.files = {
            k: v if isinstance(v, bytes) else json.dumps(v).encode() for k, v in files.items()
        }
        self.reads: list[str] = []

    def list_files(self, prefix: str = "") -> list[str]:
        base = prefix.strip("/") + "/" if prefix else ""
        return sorted(k for k in self.files if k.startswith(base))

    def read(self, key: str) -> bytes:
        self.reads.append(key)
        return self.files[key]


def _entry(name: str, path: str, default: Any, value_type: str) -> dict[str, Any]:
    return {"name": name, "path": path, "defaultValue": default, "valueDataType": value_type}


SCHEMA = [
    _entry("Scene", "scene", "undefined", "CATEGORICAL_STRING"),
    _entry("Temperature", "weather.temperature", 0.0, "NUMERIC_FLOAT"),
    _entry("Vehicle", "vehicle_id", 0, "CATEGORICAL_INT"),
]


def _record(file_name: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {"file_name": file_name, "type": "image", "metadata": metadata}


def _datasource() -> FakeDatasource:
    return FakeDatasource(
        {
            ".lightly/metadata/schema.json": SCHEMA,
            ".lightly/metadata/img_0.json": _record(
                "img_0.png",
                {"scene": "city", "weather": {"temperature": 23.5}, "vehicle_id": 321},
            ),
            ".lightly/metadata/sub/img_1.json": _record(
                "sub/img_1.jpg", {"scene": "highway", "weather": {"description": "sunny"}}
            ),
            ".lightly/metadata/img_3.json": _record("img_3.png", {"weather": {"temperature": 7}}),
            ".lightly/other/ignored.json": {},
        }
    )


FILES = ["img_0.png", "sub/img_1.jpg", "img_2.png", "img_3.png"]


def test_metadata_key_replaces_the_extension() -> None:
    assert metadata_key("sub/img_1.jpg") == ".lightly/metadata/sub/img_1.json"
    assert metadata_key("dir.v2/noext") == ".lightly/metadata/dir.v2/noext.json"


def test_load_per_file_records_reads_only_existing_files() -> None:
    ds = _datasource()
    records = load_custom_metadata(ds.list_files, ds.read, FILES)
    assert set(records) == {"img_0.png", "sub/img_1.jpg", "img_3.png"}
    assert records["img_0.png"]["weather"] == {"temperature": 23.5}
    assert ".lightly/metadata/img_2.json" not in ds.reads
    assert ".lightly/metadata/schema.json" not in ds.reads


def test_nested_numeric_key_with_missing_values_is_nan() -> None:
    ds = _datasource()
    records = load_custom_metadata(ds.list_files, ds.read, FILES)
    values = metadata_values(records, "weather.temperature", FILES)
    assert isinstance(values, np.ndarray)
    assert values.dtype == np.float64
    assert values[0] == 23.5
    assert math.isnan(values[1])  # record without the key
    assert math.isnan(values[2])  # no record at all
    assert values[3] == 7.0
    assert is_numeric_metadata(records, "weather.temperature", FILES)


def test_categorical_key_with_missing_values_is_none() -> None:
    ds = _datasource()
    records = load_custom_metadata(ds.list_files, ds.read, FILES)
    assert metadata_values(records, "scene", FILES) == ["city", "highway", None, None]
    assert metadata_values(records, "weather.description", FILES) == [None, "sunny", None, None]
    assert not is_numeric_metadata(records, "scene", FILES)


def test_schema_decides_type_and_default_value() -> None:
    ds = _datasource()
    schema = load_metadata_schema(ds.list_files, ds.read)
    assert [e.path for e in schema] == ["scene", "weather.temperature", "vehicle_id"]
    records = load_custom_metadata(ds.list_files, ds.read, FILES)
    temperature = metadata_values(records, "weather.temperature", FILES, schema)
    np.testing.assert_array_equal(temperature, [23.5, 0.0, 0.0, 7.0])
    assert metadata_values(records, "scene", FILES, schema) == [
        "city",
        "highway",
        "undefined",
        "undefined",
    ]
    # CATEGORICAL_INT: numbers, but categories.
    assert metadata_values(records, "vehicle_id", FILES, schema) == ["321", "0", "0", "0"]


def test_missing_schema_is_empty_and_invalid_schema_raises() -> None:
    assert load_metadata_schema(FakeDatasource({}).list_files, FakeDatasource({}).read) == []
    bad = FakeDatasource(
        {".lightly/metadata/schema.json": [{"name": "x", "path": "x", "valueDataType": "NOPE"}]}
    )
    with pytest.raises(ValueError, match="valueDataType"):
        load_metadata_schema(bad.list_files, bad.read)


def test_detection_booleans_arrays_and_objects() -> None:
    records = {
        "a": {"flash": True, "cams": [{"id": 4}, {"id": 5}], "obj": {"k": 1}, "n": 2},
        "b": {"flash": False, "cams": [{"id": 6}], "n": 2.5},
    }
    assert metadata_values(records, "flash", ["a", "b"]) == ["true", "false"]
    np.testing.assert_array_equal(metadata_values(records, "cams[0].id", ["a", "b"]), [4, 6])
    cams = metadata_values(records, "cams[1].id", ["a", "b"])
    assert isinstance(cams, np.ndarray)
    assert cams[0] == 5.0
    assert math.isnan(cams[1])
    # An object is not a scalar value: missing everywhere -> numeric NaN.
    assert np.isnan(metadata_values(records, "obj", ["a", "b"])).all()  # type: ignore[arg-type]
    np.testing.assert_array_equal(metadata_values(records, "n", ["a", "b"]), [2.0, 2.5])
    assert resolve_path({"a.b": 1, "a": {"b": 2}}, "a.b") == 1
    assert resolve_path({"a": [1]}, "a[3]") is None


def test_coco_like_single_file_from_the_platform_docs() -> None:
    coco = {
        "images": [{"file_name": "image0.jpg", "id": 0}, {"file_name": "image1.jpg", "id": 1}],
        "metadata": [
            {
                "image_id": 0,
                "number_of_pedestrians": 3,
                "weather": {"scenario": "cloudy", "temperature": 20.3},
            },
            {
                "image_id": 1,
                "number_of_pedestrians": 1,
                "weather": {"scenario": "rainy", "temperature": 15.0},
            },
        ],
    }
    ds = FakeDatasource(
        {
            ".lightly/metadata/custom_metadata.json": coco,
            ".lightly/metadata/image1.json": _record("image1.jpg", {"weather": {"scenario": "x"}}),
        }
    )
    names = ["image0.jpg", "image1.jpg"]
    records = load_custom_metadata(ds.list_files, ds.read, names)
    assert "image_id" not in records["image0.jpg"]
    only_coco = load_custom_metadata(ds.list_files, ds.read, ["image0.jpg"])
    assert only_coco["image0.jpg"]["weather"] == {"scenario": "cloudy", "temperature": 20.3}
    # The per-file record replaces the COCO-like entry of the same file as a whole.
    pedestrians = metadata_values(records, "number_of_pedestrians", names)
    assert isinstance(pedestrians, np.ndarray)
    assert pedestrians[0] == 3.0
    assert math.isnan(pedestrians[1])
    assert metadata_values(records, "weather.scenario", names) == ["cloudy", "x"]


def test_shared_metadata_file_goes_to_the_named_file() -> None:
    ds = FakeDatasource({".lightly/metadata/a.json": _record("a.jpg", {"v": 1})})
    records = load_custom_metadata(ds.list_files, ds.read, ["a.png", "a.jpg"], max_workers=1)
    assert set(records) == {"a.jpg"}
    unnamed = FakeDatasource({".lightly/metadata/a.json": {"metadata": {"v": 1}}})
    assert set(load_custom_metadata(unnamed.list_files, unnamed.read, ["a.png", "a.jpg"])) == {
        "a.png",
        "a.jpg",
    }


def test_invalid_metadata_files_raise() -> None:
    ds = FakeDatasource({".lightly/metadata/a.json": b"{not json"})
    with pytest.raises(ValueError, match=r"a\.json"):
        load_custom_metadata(ds.list_files, ds.read, ["a.png"])
    ds = FakeDatasource({".lightly/metadata/a.json": {"file_name": "a.png"}})
    with pytest.raises(ValueError, match="'metadata' object"):
        load_custom_metadata(ds.list_files, ds.read, ["a.png"])
