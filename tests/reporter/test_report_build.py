"""The report built from a run folder: report_v2.json valid against the committed schema, seeded."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from winnow_common.config import ReporterSettings
from winnow_common.embeddings_csv import write_embeddings_csv
from winnow_common.storage import LocalStore, RunKeys
from winnow_reporter.report import Report, build_report, load_run_outputs, thumbnails_for

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "services/reporter/src/winnow_reporter/report_v2.schema.json"
    ).read_text()
)
KEYS = RunKeys("run")
SETTINGS = ReporterSettings(analysis_points=200, scatter_points=200)
RUN_INFO: dict[str, Any] = {
    "run_id": "r" * 24,
    "dataset_id": "d" * 24,
    "dataset_name": "digits",
    "started_at_ms": 1_700_000_000_000,
    "ended_at_ms": 1_700_000_042_500,
    "model_trained": False,
    "model_description": "lightly resnet-18 with random weights (UNTRAINED)",
    "config_summary": {"n_samples": 20},
}


def _write(store: LocalStore, key: str, value: Any) -> None:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    store.write(key, data)


def _image(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def make_run_folder(
    root: Path,
    n: int = 120,
    n_selected: int = 20,
    *,
    rich: bool = True,
    datapool: int = 0,
    keys: RunKeys = KEYS,
) -> LocalStore:
    """A run folder as the worker writes it; ``rich`` adds metadata, predictions, datapool."""
    store = LocalStore(root)
    rng = np.random.default_rng(3)
    names = [f"img_{i:04d}.png" for i in range(n)]
    x = rng.standard_normal((n, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    selected = names[:: max(1, n // n_selected)][:n_selected]
    _write(store, keys.embeddings_csv, write_embeddings_csv(names, x))
    _write(store, keys.filenames("selected"), "".join(f"{s}\n" for s in selected).encode())
    _write(store, keys.corruptness_info, {"corrupt_samples": {"bad.png": "OSError"}})
    _write(store, keys.exact_duplicates, {"copy.png": names[0]})
    _write(store, keys.config, {"docker": {"nExampleImages": 4}})
    _write(
        store,
        keys.selection_info,
        {
            "n_input": n + 2,
            "stop_reason": "n_samples reached",
            "n_preselected_datapool": datapool,
            "strategies": [{"strategy": "DIVERSITY", "input": "EMBEDDINGS", "strength": 1.0}],
        },
    )
    lines = []
    for i, name in enumerate(names):
        record: dict[str, Any] = {
            "filename": name,
            "lightly": {"sharpness": float(i % 7), "sizeInBytes": 1000 + i, "shape": [24, 24, 3]},
        }
        if rich:
            record["custom"] = {
                "weather": ["sunny", "rainy", "fog"][i % 3],
                "road": {"lanes": i % 4},
            }
        lines.append(json.dumps(record))
    _write(store, keys.metadata, ("\n".join(lines) + "\n").encode())
    predictions: dict[str, Any] = {}
    if rich:
        predictions["det"] = {
            "taskType": "object-detection",
            "categoryIdToName": {"0": "car", "1": "person"},
            "samples": {
                name: {
                    "categories": ["car"] * (i % 3) + ["person"] * (i % 2),
                    "scores": {"object_frequency": 0.9 + 0.1 * (i % 2)},
                }
                for i, name in enumerate(names)
            },
        }
    _write(store, keys.predictions, predictions)
    if datapool:
        pool = rng.standard_normal((datapool, 16)).astype(np.float32)
        _write(
            store,
            keys.selected_embeddings_with_datapool_csv,
            write_embeddings_csv(
                [f"pool_{i}.png" for i in range(datapool)] + selected,
                np.concatenate([pool, x[[names.index(s) for s in selected]]]),
            ),
        )
    for i, name in enumerate(names):
        (root / "input").mkdir(exist_ok=True)
        (root / "input" / name).write_bytes(_image(i))
    return store


def _document(report: Report) -> dict[str, Any]:
    """The report_v2.json document as written."""
    doc: dict[str, Any] = json.loads(report.to_json())
    return doc


def test_full_report_matches_the_schema_and_the_run(tmp_path: Path) -> None:
    store = make_run_folder(tmp_path, datapool=5)
    report = _document(build_report(load_run_outputs(store, KEYS), RUN_INFO, SETTINGS))
    jsonschema.validate(report, SCHEMA)
    general = report["generalInformation"]
    assert general["datasetInformation"]["datasetSizes"] == {
        "nInput": 122,
        "nCorrupt": 1,
        "nDuplicate": 1,
        "nRemoved": 100,
        "nSelected": 20,
        "nPreselectedDatapool": 5,
        "nSelectedWithDatapool": 25,
    }
    assert general["runInformation"]["totalProcessingTimeS"] == 42.5
    savings = general["annotationSavings"]
    assert savings["nImagesNotLabelled"] == 100
    assert savings["imageClassification"]["costSavings"] == pytest.approx(100 * 0.05)
    assert savings["objectDetection"]["co2Savings"] == pytest.approx(
        100 * 60 / 3600 * 0.1, abs=1e-3
    )
    assert len(general["selectedAndRemovedImageExamples"]) == 4  # nExampleImages
    embedding = report["datasetAnalysis"]["embeddingInformation"]
    nn = embedding["distanceToNearestNeighborInSet"]
    assert {"input", "selected", "random", "preselectedDatapool", "selectedWithDatapool"} <= set(nn)
    assert sum(nn["selected"]["counts"]) == 20 and sum(nn["random"]["counts"]) == 20
    cover = embedding["distanceToCoverInput"]
    assert "input" not in cover and sum(cover["selected"]["counts"]) == 120
    scatter = embedding["scatterPlotData"]
    assert (
        scatter["nPoints"] == 120 and len(scatter["pcaEmbeddingData"]["input2dEmbeddings"]) == 120
    )
    assert len(scatter["pcaEmbeddingData"]["selectedExcludingDatapool2dEmbeddings"]) == 20
    assert set(scatter["umapEmbeddingData"]) == {"5", "15", "50"}
    metadata = report["datasetAnalysis"]["metadataInformation"]
    assert set(metadata["lightlyNumeric"]) == {"lightly.sharpness", "lightly.sizeInBytes"}
    assert set(metadata["customNumeric"]) == {"road.lanes"}
    weather = metadata["customCategorical"]["weather"]
    assert weather["input"]["counts"] == {"fog": 40, "rainy": 40, "sunny": 40}
    assert weather["input"]["metrics"]["giniImbalance"] == pytest.approx(0.0)
    det = report["predictionTaskInformation"]["det"]
    assert det["categoryDistribution"]["input"]["counts"] == {"car": 120, "person": 60}
    assert set(det["categoryToCountsPerSample"]) == {"car", "person"}
    assert set(det["activeLearningScoreDistributions"]) == {"object_frequency"}


def test_report_is_deterministic(tmp_path: Path) -> None:
    store = make_run_folder(tmp_path)
    first = build_report(load_run_outputs(store, KEYS), RUN_INFO, SETTINGS)
    second = build_report(load_run_outputs(store, KEYS), RUN_INFO, SETTINGS)
    assert first.to_json() == second.to_json()


def test_minimal_run_leaves_sections_out_with_notes(tmp_path: Path) -> None:
    store = make_run_folder(tmp_path, n=2, n_selected=1, rich=False)
    report = _document(build_report(load_run_outputs(store, KEYS), RUN_INFO, SETTINGS))
    jsonschema.validate(report, SCHEMA)
    assert report["predictionTaskInformation"] == {}
    assert (
        report["datasetAnalysis"]["embeddingInformation"]["scatterPlotData"]["umapEmbeddingData"]
        == {}
    )
    notes = " ".join(report["notes"])
    assert "custom metadata" in notes and "predictions" in notes and "UMAP" in notes


def test_thumbnails_of_unreadable_images_become_a_note(tmp_path: Path) -> None:
    store = make_run_folder(tmp_path, n=30, n_selected=5, rich=False)
    report = build_report(load_run_outputs(store, KEYS), RUN_INFO, SETTINGS)
    pairs = report.general_information.selected_and_removed_image_examples
    images = LocalStore(tmp_path / "input")
    thumbs = thumbnails_for(report, images.read)
    assert set(thumbs) == {p.selected_image for p in pairs} | {p.removed_image for p in pairs}
    assert all(t.startswith(b"\x89PNG") for t in thumbs.values())
    (tmp_path / "input" / pairs[0].removed_image).unlink()
    assert pairs[0].removed_image not in thumbnails_for(report, images.read)
    assert any("could not be read" in note for note in report.notes)


def test_render_report_writes_every_file_and_replaces_them(tmp_path: Path) -> None:
    from winnow_reporter.service import render_report

    store = make_run_folder(tmp_path, datapool=3)
    for _ in range(2):  # a re-run replaces the files
        render_report(store, KEYS, RUN_INFO, LocalStore(tmp_path / "input").read)
    written = set(store.list_files("run"))
    assert {KEYS.report_pdf, KEYS.report_json, KEYS.report_v2_json} <= written
    assert KEYS.plot("scatter_pca.png") in written and KEYS.plot("filter_decision_0.png") in written
    report = json.loads(store.read(KEYS.report_v2_json))
    jsonschema.validate(report, SCHEMA)
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(store.read(KEYS.report_pdf))).pages
    )
    sizes = report["generalInformation"]["datasetInformation"]["datasetSizes"]
    for value in (sizes["nInput"], sizes["nSelected"], sizes["nRemoved"]):
        assert f"{value:,}" in text
