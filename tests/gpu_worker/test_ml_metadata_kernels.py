"""The metadata's compiled resize and Laplacian passes give the numbers of the NumPy version.

The reference below is the NumPy implementation the kernels replaced (PyTorch's bilinear
resize and the 3x3 Laplacian, float32 operations in the same order); the images are real
photos (``skimage.data``) and synthetic edge cases.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from winnow_gpu_worker.ml.metadata import (
    RESIZE_MAX_HEIGHT,
    UNIFORM_ROW_PIXEL_RATIO,
    _source_coords,
    row_uniformity_and_sharpness,
)
from winnow_gpu_worker.ml.metadata_numba import laplacian_stats, resized

skimage_data = pytest.importorskip("skimage.data")


def _numpy_resized(pixels: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    y0, y1, fy = _source_coords(pixels.shape[0], out_h)
    x0, x1, fx = _source_coords(pixels.shape[1], out_w)
    rows = pixels[y0].astype(np.float32)
    delta = pixels[y1].astype(np.float32)
    delta -= rows
    delta *= fy[:, None]
    rows += delta
    out: np.ndarray = rows[:, x0]
    right = rows[:, x1]
    right -= out
    right *= fx
    out += right
    return out


def _numpy_laplacian(values: np.ndarray) -> np.ndarray:
    h, w = values.shape
    cols = values[:, :-2] + values[:, 1:-1]
    cols += values[:, 2:]
    box = cols[:-2] + cols[1:-1]
    box += cols[2:]
    out: np.ndarray = values[1 : h - 1, 1 : w - 1] * np.float32(9.0)
    out -= box
    return out


def _numpy_values(grey: np.ndarray) -> np.ndarray:
    height, width = grey.shape
    shrink = RESIZE_MAX_HEIGHT / height
    if shrink < 1:
        return _numpy_resized(grey, int(height * shrink), max(3, int(width * shrink)))
    return grey.astype(np.float32)


def _images() -> dict[str, Image.Image]:
    rng = np.random.default_rng(5)
    banded = np.tile(np.linspace(0, 255, 700).astype(np.uint8), (1000, 1))
    banded[300:500] = 200  # flat rows: uniform after the resize
    images = {
        name: Image.fromarray(getattr(skimage_data, name)())
        for name in ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "moon")
    }
    images |= {
        "noise 401x1200": Image.fromarray(rng.integers(0, 256, (401, 1200, 3), dtype=np.uint8)),
        "noise 900x5 grey": Image.fromarray(rng.integers(0, 256, (900, 5), dtype=np.uint8)),
        "noise 3x3": Image.fromarray(rng.integers(0, 256, (3, 3, 3), dtype=np.uint8)),
        "banded 1000x700": Image.fromarray(banded),
        "flat 50x60": Image.new("RGB", (60, 50), (128, 128, 128)),
    }
    return images


@pytest.mark.parametrize("name", sorted(_images()))
def test_the_laplacian_pass_equals_the_numpy_version(name: str) -> None:
    grey = np.asarray(_images()[name].convert("L"))
    want_values = _numpy_values(grey)
    height, width = grey.shape
    if height > RESIZE_MAX_HEIGHT:
        out_h, out_w = want_values.shape
        got_values = resized(grey, *_source_coords(height, out_h), *_source_coords(width, out_w))
        np.testing.assert_array_equal(got_values, want_values)  # the same float32 values
    response = _numpy_laplacian(want_values)
    uniform_rows, rows, total, squares = laplacian_stats(
        want_values, np.float32(5.0), np.float32(UNIFORM_ROW_PIXEL_RATIO)
    )
    uniform = np.abs(response) < np.float32(5.0)
    row_ratio = uniform.sum(axis=1).astype(np.float32) / np.float32(response.shape[1])
    assert rows == response.shape[0]
    assert uniform_rows == int(np.count_nonzero(row_ratio > np.float32(UNIFORM_ROW_PIXEL_RATIO)))
    flat = response.astype(np.float64).ravel()
    assert total == pytest.approx(flat.sum(), rel=1e-12, abs=1e-6)
    assert squares == pytest.approx(float(flat @ flat), rel=1e-12)
    ratio, sharpness = row_uniformity_and_sharpness(grey)
    assert ratio == uniform_rows / rows
    assert sharpness == pytest.approx(float(flat.var()), rel=1e-9, abs=1e-9)
