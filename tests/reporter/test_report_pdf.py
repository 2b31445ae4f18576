"""Tests for winnow_reporter.pdf: the complete report PDF, read from the typed Report."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.reporter.report_fixtures import rendered_full, rendered_minimal
from winnow_reporter.pdf import SECTIONS, TOC_TITLE, UNTRAINED_TEXT, render_pdf
from winnow_reporter.report import Report
from winnow_reporter.report.model import ModelInformation


@pytest.fixture(scope="module")
def full() -> tuple[Report, dict[str, bytes], bytes]:
    report, plots = rendered_full()
    return report, plots, render_pdf(report, plots)


@pytest.fixture(scope="module")
def minimal() -> tuple[Report, dict[str, bytes], bytes]:
    report, plots = rendered_minimal()
    return report, plots, render_pdf(report, plots)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """Whitespace collapsed: table cells come out of pypdf one per line."""
    return " ".join(text.split())


def _body(pdf: bytes) -> str:
    """The flattened text after the cover page (which repeats headings in the TOC)."""
    return _flat("\n".join(_pages(pdf)[1:]))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) not installed")
@pytest.mark.parametrize("which", ["full", "minimal"])
def test_pages_rasterise_and_are_not_blank(which, request, tmp_path: Path):
    _, _, pdf = request.getfixturevalue(which)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(io.BytesIO(pdf)).pages)
    for png in pngs:
        pixels = np.asarray(Image.open(png).convert("L"), dtype=np.float64)
        assert pixels.shape[0] > pixels.shape[1]  # A4 portrait
        assert pixels.std() > 3, png.name  # some ink on every page


@pytest.mark.parametrize("which", ["full", "minimal"])
def test_sections_toc_and_outline(which, request):
    _, _, pdf = request.getfixturevalue(which)
    pages = _pages(pdf)
    cover = _flat(pages[0])
    assert "Winnow curation report" in cover and TOC_TITLE in cover
    body = _body(pdf)
    position = -1
    for heading in SECTIONS:
        assert heading in cover, f"{heading} not in the table of contents"
        found = body.find(heading, position + 1)
        assert found > position, f"{heading} missing or out of order"
        position = found
    # the PDF outline lists the sections; each entry and the TOC point at the section's page
    reader = PdfReader(io.BytesIO(pdf))
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item["/Title"] for item in top] == list(SECTIONS)
    for item in top:
        heading, page_no = item["/Title"], reader.get_destination_page_number(item) + 1
        assert heading in pages[page_no - 1], heading
        # pypdf extracts a TOC line's dot leader and page number before or after its title
        h = re.escape(heading)
        assert re.search(rf"(?:\. )+{page_no} {h}|{h} (?:\. )+{page_no}\b", cover), heading


@pytest.mark.parametrize("which", ["full", "minimal"])
def test_page_numbers(which, request):
    _, _, pdf = request.getfixturevalue(which)
    pages = _pages(pdf)
    assert len(pages) >= 3
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in text


@pytest.mark.parametrize("which", ["full", "minimal"])
def test_every_plot_is_embedded_on_its_page(which, request):
    _, plots, pdf = request.getfixturevalue(which)
    reader = PdfReader(io.BytesIO(pdf))
    figures = 0
    for page in reader.pages:
        n = len(re.findall(r"Figure \d+:", page.extract_text() or ""))
        figures += n
        if n:
            assert len(page.images) > 0
    # one figure per plot, except the scatter pairs (two plots, one caption)
    n_scatter = sum(name.startswith("scatter_") for name in plots)
    assert figures == len(plots) - n_scatter // 2
    assert sum(len(page.images) for page in reader.pages) == len(plots)


def test_full_report_numbers_match_the_dict(full):
    typed, _, pdf = full
    report = json.loads(typed.to_json())  # the report_v2.json document
    body = _body(pdf)
    general = report["generalInformation"]
    sizes = general["datasetInformation"]["datasetSizes"]
    for label, key in (
        ("Input files", "nInput"),
        ("Corrupt", "nCorrupt"),
        ("Exact duplicates", "nDuplicate"),
        ("Removed by selection", "nRemoved"),
        ("Selected", "nSelected"),
        ("Preselected datapool", "nPreselectedDatapool"),
        ("Selected incl. datapool", "nSelectedWithDatapool"),
    ):
        assert f"{label} {sizes[key]:,}" in body, label
    assert f"Processed files {sizes['nInput']:,}" in body
    run = general["runInformation"]
    assert f"Total processing time {run['totalProcessingTimeS']:,.1f} s" in body
    assert f"Run ID {run['runId']}" in body
    assert f"Worker version {general['workerInformation']['buildVersion']}" in body
    name = general["datasetInformation"]["datasetName"]
    assert f"{name} ({general['datasetInformation']['datasetId']})" in body  # & and <> escaped

    savings = general["annotationSavings"]
    for label, key in (
        ("Image classification", "imageClassification"),
        ("Object detection", "objectDetection"),
        ("Semantic segmentation", "semanticSegmentation"),
    ):
        task = savings[key]
        assert (
            f"{label} {task['costPerImage']:,.2f} {task['secondsPerImage']:,.0f} "
            f"{task['costSavings']:,.2f} {task['co2Savings']:,.3f}"
        ) in body, label
    assert f"labelling the {savings['nImagesNotLabelled']:,} images" in body

    nn = report["datasetAnalysis"]["embeddingInformation"]["distanceToNearestNeighborInSet"]
    for metric in ("mean", "median", "min"):
        values = " ".join(
            f"{nn[s]['metrics'][metric]:.3f}"
            for s in ("input", "selected", "random", "selectedWithDatapool")
        )
        assert f"NN distance, {metric} {values}" in body, metric

    for i, pair in enumerate(general["selectedAndRemovedImageExamples"], start=1):
        assert f"{i} {pair['selectedImage']} {pair['removedImage']} {pair['distance']:.4f}" in body

    meta = report["datasetAnalysis"]["metadataInformation"]
    sharp = meta["lightlyNumeric"]["lightly.sharpness"]
    values = " ".join(f"{sharp[s]['metrics']['mean']:.3f}" for s in ("input", "selected", "random"))
    assert f"lightly.sharpness mean {values}" in body
    size = meta["lightlyNumeric"]["lightly.sizeInBytes"]
    values = " ".join(f"{size[s]['metrics']['mean']:,.1f}" for s in ("input", "selected", "random"))
    assert f"lightly.sizeInBytes mean {values}" in body

    task_name, task = next(iter(report["predictionTaskInformation"].items()))
    assert f"Task {task_name} ({task['taskType']})" in body
    counts = task["categoryDistribution"]
    for cid, cat in task["categoryIdToName"].items():
        row = " ".join(f"{counts[s]['counts'][cat]:,}" for s in ("input", "selected", "random"))
        assert f"{cat} {cid} {row}" in body, cat

    for note in report["notes"]:
        assert _flat(note) in body


def test_untrained_model_is_flagged(full, minimal):
    for _, _, pdf in (full, minimal):
        text = _flat("\n".join(_pages(pdf)))
        assert UNTRAINED_TEXT in text
        assert "The embedding model was not trained" in text


def test_trained_model_wording(minimal):
    report, plots, _ = minimal
    trained = report.model_copy(deep=True)
    trained.general_information.model_information = ModelInformation(
        trained=True,
        description="resnet-18 trained for 20 epochs",
    )
    pages = _pages(render_pdf(trained, plots))
    text = _flat("\n".join(pages))
    assert "Embedding model trained" in text
    assert "UNTRAINED" not in text and "not trained" not in text
    assert "resnet-18 trained for 20 epochs" in text
    # The cover names the model too (e.g. the pretrained default), not just "trained".
    assert "Embedding model trained: resnet-18 trained for 20 epochs" in _flat(pages[0])


def test_minimal_report_says_what_was_left_out(minimal):
    report, _, pdf = minimal
    body = _body(pdf)
    for line in (
        "No selected/removed example pairs in this report",
        "No metadata in this report",
        "No predictions in this report",
        "No UMAP views in this report",
    ):
        assert line in body
    for note in report.notes:
        assert _flat(note) in body
    sizes = report.general_information.dataset_information.dataset_sizes
    assert f"Input files {sizes.n_input} " in body and f"Selected {sizes.n_selected} " in body


def test_missing_plots_and_sparse_report_do_not_fail(minimal):
    report, _, _ = minimal
    text = _flat("\n".join(_pages(render_pdf(report, {}))))
    assert "Plot distance_distr_before.png not available" in text
    assert "Plots scatter_pca.png and scatter_pca_no_overlay.png not available" in text
    sparse = render_pdf(Report.model_validate({"version": 2, "notes": []}), {})
    text = _flat("\n".join(_pages(sparse)))
    for heading in SECTIONS:
        assert heading in text
    assert "No annotation savings in this report" in text


def test_pdf_is_deterministic(minimal):
    report, plots, pdf = minimal
    assert render_pdf(report, plots) == pdf
