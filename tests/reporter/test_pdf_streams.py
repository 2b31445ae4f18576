"""The report PDF's streams are binary (Flate only): no pure-Python ASCII85 pass on the plots."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab import rl_config

from tests.reporter.report_fixtures import rendered_minimal
from winnow_reporter.pdf import render_pdf


def test_pdf_streams_are_flate_without_ascii85_and_the_setting_is_restored() -> None:
    report, plots = rendered_minimal()
    before = rl_config.useA85
    pdf = render_pdf(report, plots)
    assert rl_config.useA85 == before
    assert b"/ASCII85Decode" not in pdf and b"/FlateDecode" in pdf
    reader = PdfReader(io.BytesIO(pdf))
    images = [image for page in reader.pages for image in page.images]
    # The plots are still there and decode to real pictures.
    assert images, "the report has no images"
    for image in images:
        assert image.image is not None and min(image.image.size) > 10
