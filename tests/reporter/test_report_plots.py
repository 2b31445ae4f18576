"""Tests for winnow_reporter.plots: every plot of the report, read from the typed Report."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import winnow_reporter
from tests.reporter.report_fixtures import (
    MISSING_THUMBNAIL,
    full_report,
    full_thumbnails,
    rendered_full,
    rendered_minimal,
    thumbnail,
)
from winnow_reporter import forking
from winnow_reporter.plots import (
    COLOR_INPUT,
    COLOR_SELECTED,
    PLOT_DISTANCE_AFTER,
    PLOT_DISTANCE_BEFORE,
    SET_COLORS,
    plot_filter_decision,
    plot_names,
    render_plots,
)
from winnow_reporter.report import Report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

FULL_NAMES = {
    "distance_distr_before.png",
    "distance_distr_after.png",
    "distance_to_cover.png",
    "scatter_pca.png",
    "scatter_pca_no_overlay.png",
    "scatter_umap_k_5.png",
    "scatter_umap_k_5_no_overlay.png",
    "scatter_umap_k_15.png",
    "scatter_umap_k_15_no_overlay.png",
    "scatter_umap_k_50.png",
    "scatter_umap_k_50_no_overlay.png",
    "filter_decision_0.png",
    "filter_decision_11.png",
    "filter_decision_22.png",
    "filter_decision_33.png",
    "filter_decision_44.png",
    "filter_decision_55.png",
    "metadata_lightly.sharpness.png",
    "metadata_lightly.sizeInBytes.png",
    "metadata_road.lanes.png",
    "metadata_weather.png",
    "metadata_camera_position_id.png",
    "predictions_object-detection_street_categories.png",
    "predictions_object-detection_street_uncertainty_entropy.png",
    "predictions_object-detection_street_object_frequency.png",
}
MINIMAL_NAMES = {
    "distance_distr_before.png",
    "distance_distr_after.png",
    "distance_to_cover.png",
    "scatter_pca.png",
    "scatter_pca_no_overlay.png",
}


def _decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_MAGIC)
    img = Image.open(io.BytesIO(png))
    img.load()
    return img


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(_decode(png).convert("RGB"))


def _count_color(pixels: np.ndarray, color: str) -> int:
    rgb = np.round(np.array(to_rgb(color)) * 255).astype(np.uint8)
    return int(np.all(pixels == rgb, axis=-1).sum())


def test_full_report_plot_file_names():
    report, plots = rendered_full()
    assert set(plots) == FULL_NAMES
    names = plot_names(report)
    listed = {names.distance_before, names.distance_after, names.distance_to_cover}
    listed |= {n for v in names.scatter for n in (v.overlay, v.no_overlay)}
    listed |= {n for _, n in names.filter_decisions}
    listed |= {n for *_, n in names.metadata}
    listed |= {n for c, s in names.predictions.values() for n in (c, *s.values())}
    assert listed == FULL_NAMES  # the PDF looks the plots up by these names


def test_minimal_report_plot_file_names():
    _, plots = rendered_minimal()
    assert set(plots) == MINIMAL_NAMES


def test_pngs_decode_with_sensible_sizes_and_content():
    for _, plots in (rendered_full(), rendered_minimal()):
        for name, png in plots.items():
            img = _decode(png)
            w, h = img.size
            assert 500 <= w <= 1400 and 300 <= h <= 1000, (name, img.size)
            if name.startswith("scatter_"):
                assert 0.8 <= w / h <= 1.25, name
            else:
                assert w > h, name
            assert _pixels(png).std() > 5, name  # not a blank canvas


def test_set_colours_are_distinct_and_used():
    assert len(set(SET_COLORS.values())) == len(SET_COLORS)
    _, plots = rendered_full()
    assert _count_color(_pixels(plots[PLOT_DISTANCE_BEFORE]), COLOR_INPUT) > 1000
    assert _count_color(_pixels(plots[PLOT_DISTANCE_AFTER]), COLOR_SELECTED) > 1000
    assert _count_color(_pixels(plots[PLOT_DISTANCE_AFTER]), COLOR_INPUT) == 0


def _placeholder_grey(png: bytes, x_frac: float) -> bool:
    """Whether the box of one example image (above its centre) is the placeholder grey."""
    px = _pixels(png)
    h, w, _ = px.shape
    patch = px[int(0.36 * h) : int(0.40 * h), int((x_frac - 0.02) * w) : int((x_frac + 0.02) * w)]
    return bool(np.all(np.abs(patch.astype(int) - 237) <= 2))


def test_missing_or_broken_thumbnails_become_placeholders():
    report, plots = rendered_full()
    pairs = report.general_information.selected_and_removed_image_examples
    assert pairs[2].removed_image == MISSING_THUMBNAIL
    missing = plots["filter_decision_22.png"]
    assert _placeholder_grey(missing, 0.75) and not _placeholder_grey(missing, 0.25)
    assert not _placeholder_grey(plots["filter_decision_0.png"], 0.75)

    pair = pairs[0]
    none = plot_filter_decision(pair, {})
    broken = plot_filter_decision(
        pair, {pair.selected_image: b"not an image", pair.removed_image: thumbnail(1)[:40]}
    )
    for png in (none, broken):
        assert _placeholder_grey(png, 0.25) and _placeholder_grey(png, 0.75)
    both = plot_filter_decision(pair, full_thumbnails(report))
    assert not _placeholder_grey(both, 0.25) and not _placeholder_grey(both, 0.75)


def test_plots_are_deterministic():
    report, plots = rendered_full()
    # a second render of part of the full report gives the same bytes for the same inputs
    part = report.model_copy(deep=True)
    part.dataset_analysis.embedding_information.scatter_plot_data.umap_embedding_data = {}
    general = part.general_information
    general.selected_and_removed_image_examples = general.selected_and_removed_image_examples[:3]
    meta = part.dataset_analysis.metadata_information
    meta.lightly_numeric, meta.custom_numeric = {}, {}
    meta.custom_categorical = {"weather": meta.custom_categorical["weather"]}
    for task in part.prediction_task_information.values():
        task.active_learning_score_distributions = {}
    again = render_plots(part, full_thumbnails(report))
    assert {"filter_decision_22.png", "metadata_weather.png", "scatter_pca.png"} <= set(again)
    for name, png in again.items():
        assert png == plots[name], name


def test_file_names_are_sanitised_and_unique():
    ndps = full_report().dataset_analysis.metadata_information.custom_numeric["road.lanes"]
    # a partial document: every section it leaves out takes the model's (empty) default
    report = Report.model_validate(
        {
            "datasetAnalysis": {
                "metadataInformation": {
                    "lightlyNumeric": {"../etc/passwd": ndps},
                    "customNumeric": {"a b": ndps, "a/b": ndps},
                    "customCategorical": {},
                }
            },
            "predictionTaskInformation": {
                "t": {"activeLearningScoreDistributions": {"categories": ndps}},
            },
        }
    )
    names = plot_names(report)
    assert [n for *_, n in names.metadata] == [
        "metadata_etc_passwd.png",
        "metadata_a_b.png",
        "metadata_a_b_2.png",
    ]
    assert names.predictions["t"] == (
        "predictions_t_categories.png",
        {"categories": "predictions_t_categories_2.png"},
    )


def test_sparse_report_still_renders():
    plots = render_plots(Report.model_validate({"version": 2, "notes": []}), {})
    assert set(plots) == {
        "distance_distr_before.png",
        "distance_distr_after.png",
        "distance_to_cover.png",
    }
    for png in plots.values():
        _decode(png)


def test_no_heavy_or_global_imports():
    """The reporter must not pull in pyplot, torch or fastapi."""
    code = (
        "import sys, winnow_reporter.report, winnow_reporter.plots, winnow_reporter.pdf\n"
        "bad = [m for m in ('matplotlib.pyplot', 'torch', 'fastapi') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    src = str(Path(winnow_reporter.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    assert out == ""


def test_plots_drawn_in_worker_processes_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch):
    """The standalone report draws its plots in forked processes: same files, same bytes."""
    report, plots = rendered_full()  # drawn in this process or in workers, as it falls
    monkeypatch.setattr(forking, "fork_is_safe", lambda: True)  # plots use no numba
    monkeypatch.setattr(forking, "usable_cpus", lambda: 2)
    calls: list[int] = []
    real_map = forking.map_forked

    def spy(jobs: Any, workers: int) -> Any:
        calls.append(workers)
        return real_map(jobs, workers)

    monkeypatch.setattr(forking, "map_forked", spy)
    forked = render_plots(report, full_thumbnails(report))
    here = render_plots(report, full_thumbnails(report), processes=False)
    assert calls == [2]
    assert list(forked) == list(here) == list(plots)
    for name, png in here.items():
        assert forked[name] == png == plots[name], name
