"""Tests for the report's summary (report.json): counts, pairwise distance histograms."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

from winnow_reporter.report import Histogram, Report, RunInfo, RunSummary, report_json, summarize

RUN_INFO = {
    "run_id": "run-1",
    "dataset_id": "ds-1",
    "dataset_name": "cats",
    "started_at_ms": 1_700_000_000_000,
    "ended_at_ms": 1_700_000_090_500,
    "model_trained": False,
    "model_description": "resnet18, 128-d",
    "config_summary": {"n_samples": 10, "method": "coreset"},
}


def _unit(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _build(n: int, n_sel: int, **kw) -> RunSummary:
    x = kw.pop("embeddings", None)
    if x is None:
        x = _unit(n)
    names = [f"img_{i:05d}.jpg" for i in range(n)]
    corrupt = {"bad1.jpg": "cannot identify image file", "bad2.png": "truncated"}
    dups = {"copy.jpg": "img_00000.jpg"}
    return summarize(
        embeddings=x,
        filenames=names,
        selected=names[:n_sel],
        corrupt=corrupt,
        duplicates=dups,
        n_input=n + 3,
        **kw,
    )


def _report(data: RunSummary) -> Report:
    """A report carrying ``data`` and the run facts of ``RUN_INFO`` (as build_report sets them)."""
    info = RunInfo.from_mapping(RUN_INFO)
    return Report.model_validate(
        {
            "generalInformation": {
                "runInformation": {
                    "runId": info.run_id,
                    "startTimestamp": info.started_at_ms,
                    "endTimestamp": info.ended_at_ms,
                    "totalProcessingTimeS": info.total_processing_time_s,
                },
                "datasetInformation": {
                    "datasetId": info.dataset_id,
                    "datasetName": info.dataset_name,
                },
                "modelInformation": {
                    "trained": info.model_trained,
                    "description": info.model_description,
                },
            },
            "summary": data,
        }
    )


def test_counts_and_shared_edges():
    data = _build(40, 10)
    assert (data.n_input, data.n_corrupt, data.n_duplicate) == (43, 2, 1)
    assert data.n_selected == 10
    assert data.n_removed == 30
    assert data.corrupt_files["bad2.png"] == "truncated"
    assert data.duplicate_files == {"copy.jpg": "img_00000.jpg"}
    b, a = data.distance_before, data.distance_after
    assert b.bin_edges == a.bin_edges
    assert len(b.bin_edges) == 51
    assert len(b.counts) == 50
    # unit-normalised -> [0, 2]
    assert b.bin_edges[0] == 0.0
    assert b.bin_edges[-1] == pytest.approx(2.0)
    assert sum(b.counts) == b.n_pairs == 40 * 39 // 2
    assert sum(a.counts) == a.n_pairs == 10 * 9 // 2
    assert not b.sampled
    assert not a.sampled
    assert (b.n_points, b.n_points_total) == (40, 40)


def test_statistics_match_bruteforce():
    x = _unit(60, seed=3)
    data = _build(60, 20, embeddings=x)
    diff = x[:, None, :].astype(np.float64) - x[None, :, :]
    full = np.sqrt((diff**2).sum(-1))
    iu = np.triu_indices(60, k=1)
    d = full[iu]
    h = data.distance_before
    assert h.mean == pytest.approx(d.mean(), rel=1e-6)
    assert h.min == pytest.approx(d.min(), abs=1e-5)
    assert h.max == pytest.approx(d.max(), abs=1e-5)
    assert h.median == pytest.approx(np.median(d), abs=2.0 / 4096 * 2)
    expected, _ = np.histogram(d, bins=np.asarray(h.bin_edges))
    assert h.counts == expected.tolist()


def test_non_normalised_edges_span_max_distance():
    x = np.random.default_rng(1).normal(scale=5.0, size=(30, 8))
    data = _build(30, 5, embeddings=x)
    b, a = data.distance_before, data.distance_after
    assert b.bin_edges == a.bin_edges
    assert b.bin_edges[-1] == pytest.approx(max(b.max, a.max))
    assert b.bin_edges[-1] > 2.0
    assert sum(b.counts) == 30 * 29 // 2  # the max itself lands in the last bin


def test_sampled_path_bounded_memory():
    n, max_points = 5000, 500
    x = _unit(n, d=32)
    tracemalloc.start()
    try:
        data = _build(n, 1200, embeddings=x, max_points=max_points)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < (n * n * 4) / 10, f"peak {peak} bytes looks like an N x N allocation"
    b, a = data.distance_before, data.distance_after
    assert b.sampled
    assert a.sampled
    assert (b.n_points, b.n_points_total) == (500, 5000)
    assert (a.n_points, a.n_points_total) == (500, 1200)
    assert b.n_pairs == sum(b.counts) == 500 * 499 // 2
    assert data.n_removed == 3800
    assert data.n_selected == 1200


def test_sampling_is_seeded():
    x = _unit(300)
    d1 = _build(300, 100, embeddings=x, max_points=50, seed=7)
    d2 = _build(300, 100, embeddings=x, max_points=50, seed=7)
    d3 = _build(300, 100, embeddings=x, max_points=50, seed=8)
    assert d1.distance_before == d2.distance_before
    assert d1.distance_before != d3.distance_before


@pytest.mark.parametrize("n_sel", [0, 1])
def test_zero_or_one_selected_gives_empty_after(n_sel):
    data = _build(20, n_sel)
    a = data.distance_after
    assert a.n_pairs == 0
    assert a.is_empty
    assert sum(a.counts) == 0
    assert a.bin_edges == data.distance_before.bin_edges
    assert a.mean is None
    assert a.median is None
    assert data.n_selected == n_sel
    assert data.n_removed == 20 - n_sel
    json.dumps(report_json(_report(data)))


def test_no_embeddings_at_all():
    data = summarize(
        embeddings=np.zeros((0, 8), dtype=np.float32),
        filenames=[],
        selected=[],
        corrupt={"a.jpg": "bad"},
        duplicates={},
        n_input=1,
    )
    assert data.distance_before.is_empty
    assert data.distance_after.is_empty
    assert data.n_removed == 0
    assert data.n_selected == 0


def test_validation_errors():
    x = _unit(5)
    names = [f"{i}.jpg" for i in range(5)]
    common = {"corrupt": {}, "duplicates": {}, "n_input": 5}
    with pytest.raises(ValueError, match="not among embedded"):
        summarize(embeddings=x, filenames=names, selected=["nope.jpg"], **common)
    with pytest.raises(ValueError, match="rows"):
        summarize(embeddings=x, filenames=names[:4], selected=[], **common)
    with pytest.raises(ValueError, match="unknown run_info"):
        RunInfo.from_mapping({**RUN_INFO, "typo": 1})
    with pytest.raises(ValueError, match="missing 'dataset_id'"):
        RunInfo.from_mapping({"run_id": "r"})


def test_processing_time_and_roundtrip():
    data = _build(10, 3)
    info = RunInfo.from_mapping(RUN_INFO)
    assert info.total_processing_time_s == pytest.approx(90.5)
    again = RunSummary.model_validate_json(data.model_dump_json())
    assert again == data
    partial = info.model_copy(update={"ended_at_ms": None})
    assert partial.total_processing_time_s is None


def test_report_json_shape():
    data = _build(12, 4)
    doc = report_json(_report(data))
    json.dumps(doc)  # serialisable
    assert set(doc) == {
        "runId",
        "datasetId",
        "datasetName",
        "counts",
        "timing",
        "model",
        "distanceDistribution",
    }
    assert doc["counts"] == {
        "nInput": 15,
        "nCorrupt": 2,
        "nDuplicate": 1,
        "nRemoved": 8,
        "nSelected": 4,
    }
    assert doc["timing"]["totalProcessingTimeS"] == pytest.approx(90.5)
    assert doc["timing"]["startedAt"] == "2023-11-14T22:13:20.000Z"
    assert doc["model"] == {"trained": False, "description": "resnet18, 128-d"}
    before = doc["distanceDistribution"]["before"]
    assert before["binEdges"] == doc["distanceDistribution"]["after"]["binEdges"]
    assert before["nPairs"] == 66
    assert before["sampled"] is False


def test_histogram_model_is_plain_python():
    h = _build(8, 3).distance_before
    assert isinstance(h, Histogram)
    assert all(type(v) is float for v in h.bin_edges)
    assert all(type(c) is int for c in h.counts)
    assert type(h.mean) is float
