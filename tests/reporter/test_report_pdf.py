"""Tests for winnow_reporter.pdf."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from pypdf import PdfReader

from winnow_reporter.data import ReportData, build_report_data
from winnow_reporter.pdf import UNTRAINED_TEXT, render_report_pdf
from winnow_reporter.plots import render_plots

SECTIONS = [
    "Winnow curation report",
    "Job information",
    "Dataset statistics",
    "Pairwise distance before and after selection",
    "Corrupt files",
]


def _data(*, trained: bool = False, n_corrupt: int = 3, n_sel: int = 37) -> ReportData:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    names = [f"images/sample_{i:04d}.jpg" for i in range(120)]
    corrupt = {
        f"broken/file_{i:03d}.jpg": f"cannot identify image file #{i}" for i in range(n_corrupt)
    }
    dups = {"images/copy_a.jpg": "images/sample_0000.jpg", "x&y<z>.png": "images/sample_0001.jpg"}
    return build_report_data(
        embeddings=x,
        filenames=names,
        selected=names[:n_sel],
        corrupt=corrupt,
        duplicates=dups,
        n_input=120 + n_corrupt + len(dups),
        run_info={
            "run_id": "run_7f3a",
            "dataset_id": "ds_42",
            "dataset_name": "Street scenes",
            "started_at_ms": 1_700_000_000_000,
            "ended_at_ms": 1_700_003_725_000,
            "model_trained": trained,
            "model_description": "ResNet-18 backbone, 128-d projection",
            "config_summary": {
                "selection.strategy": "diversity",
                "selection.n_samples": n_sel,
                "embedding.batch_size": 64,
                "dedup.exact": True,
                "nested": {"a": [1, 2]},
            },
        },
    )


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture(scope="module")
def report() -> tuple[ReportData, bytes]:
    data = _data()
    return data, render_report_pdf(data, render_plots(data))


def test_pdf_header(report):
    _, pdf = report
    assert pdf.startswith(b"%PDF-")


def test_sections_and_counts(report):
    data, pdf = report
    text = _text(pdf)
    for heading in SECTIONS:
        assert heading in text, heading
    expected = {
        "Input samples": data.n_input,
        "Corrupt": data.n_corrupt,
        "Exact duplicates": data.n_duplicate,
        "Removed by selection": data.n_removed,
        "Selected": data.n_selected,
    }
    assert len(set(expected.values())) == 5  # distinct, so the check is meaningful
    for label, value in expected.items():
        assert re.search(rf"^{re.escape(label)}\s+{value}\b", text, re.MULTILINE), label
    assert UNTRAINED_TEXT in text
    assert "run_7f3a" in text
    assert "Street scenes" in text
    assert "1 h 02 min 05 s" in text
    assert "selection.strategy" in text
    assert "cannot identify image file #2" in text
    assert "x&y<z>.png" in text  # escaped for reportlab, restored in the PDF text


def test_trained_model_wording():
    data = _data(trained=True)
    text = _text(render_report_pdf(data, render_plots(data)))
    assert "untrained" not in text
    assert "trained" in text


def test_images_embedded(report):
    _, pdf = report
    reader = PdfReader(io.BytesIO(pdf))
    n_images = sum(len(page.images) for page in reader.pages)
    assert n_images >= 2


def test_page_numbers(report):
    _, pdf = report
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for i, page in enumerate(reader.pages, start=1):
        assert f"Page {i}" in (page.extract_text() or "")


def test_long_corrupt_list_truncated():
    data = _data(n_corrupt=130)
    text = _text(render_report_pdf(data, render_plots(data), max_listed=50))
    assert "... and 80 more" in text
    assert "file_049.jpg" in text
    assert "file_050.jpg" not in text


def test_missing_plots_and_empty_after():
    data = _data(n_corrupt=0, n_sel=1)
    pdf = render_report_pdf(data, {})
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "Plot not available" in text
    assert "No corrupt files were found" in text


def test_deterministic(report):
    data, pdf = report
    assert render_report_pdf(data, render_plots(data)) == pdf
