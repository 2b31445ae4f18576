"""Tests for winnow_reporter.plots."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import winnow_reporter
from winnow_reporter.data import Histogram, build_report_data
from winnow_reporter.plots import (
    COLOR_INPUT,
    COLOR_SELECTED,
    PLOT_DISTANCE_AFTER,
    PLOT_DISTANCE_BEFORE,
    plot_distance_histogram,
    render_plots,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _hist(sampled: bool = False) -> Histogram:
    counts = [0, 3, 20, 150, 900, 400, 60, 5, 0, 1]
    return Histogram(
        bin_edges=[i * 0.2 for i in range(11)],
        counts=counts,
        n_pairs=sum(counts),
        sampled=sampled,
        n_points=50,
        n_points_total=5000 if sampled else 50,
        mean=0.9,
        median=0.88,
        min=0.21,
        max=1.9,
    )


def _decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_MAGIC)
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def test_histogram_png():
    img = _decode(plot_distance_histogram(_hist(), "Before", COLOR_INPUT))
    w, h = img.size
    assert 600 <= w <= 2000
    assert 300 <= h <= 1200
    assert w > h


def test_sampled_and_empty_histograms_render():
    _decode(plot_distance_histogram(_hist(sampled=True), "Sampled", COLOR_SELECTED))
    empty = Histogram(bin_edges=[0.0, 1.0, 2.0], counts=[0, 0], n_pairs=0)
    _decode(plot_distance_histogram(empty, "Empty", COLOR_SELECTED))


def test_render_plots_keys():
    x = np.random.default_rng(0).normal(size=(30, 8))
    names = [f"{i}.jpg" for i in range(30)]
    data = build_report_data(
        embeddings=x,
        filenames=names,
        selected=names[:1],
        corrupt={},
        duplicates={},
        n_input=30,
        run_info={"run_id": "r", "dataset_id": "d"},
    )
    plots = render_plots(data)
    assert set(plots) == {PLOT_DISTANCE_BEFORE, PLOT_DISTANCE_AFTER}
    for png in plots.values():
        _decode(png)


def test_no_heavy_or_global_imports():
    """The reporter must not pull in pyplot, torch or fastapi."""
    code = (
        "import sys, winnow_reporter.data, winnow_reporter.plots, winnow_reporter.pdf\n"
        "bad = [m for m in ('matplotlib.pyplot', 'torch', 'fastapi') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    src = str(Path(winnow_reporter.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    assert out == ""
