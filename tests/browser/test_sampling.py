"""The Sampling page on the real stack (API, GPU worker): a dataset of 30 images on the stack's
S3 (an OBS INPUT datasource, so previews load) whose samples come from an uploaded embeddings
CSV; the page runs a CORESET job, shows the ranked scores, the keyboard moves the slider to 7 and
"Save tag" creates a tag that holds exactly the first 7 ranked samples (checked through the API).
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from typing import Any

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.api.conftest import make_user
from tests.api.helpers import insert_tag
from tests.browser.conftest import PHONE, Dashboard, open_dashboard
from tests.flow.conftest import Api, _image, s3  # noqa: F401 - the S3 fixture
from winnow_common.tags import bitmask_to_indices

N = 30
KEEP = 7
JOB_SIZE = 10

pytestmark = [pytest.mark.browser, pytest.mark.flow]


def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def _csv(names: list[str], rows: np.ndarray) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["filenames", *(f"embedding_{i}" for i in range(rows.shape[1])), "labels"])
    writer.writerows([n, *(repr(float(v)) for v in r), 0] for n, r in zip(names, rows, strict=True))
    return buf.getvalue().encode()


def _dataset(api: Api, services: dict[str, str], s3_client: Any) -> str:
    """30 images on S3 behind an OBS INPUT datasource, their embeddings and an initial-tag."""
    dataset_id: str = _json(
        api.call("POST", "/v1/datasets", json={"name": f"sampling-{uuid.uuid4().hex[:8]}"}), 201
    )["id"]
    prefix = f"sampling-{uuid.uuid4().hex[:8]}"
    bucket = services["S3_INPUT_BUCKET"]
    names = [f"img_{i:02d}.png" for i in range(N)]
    for i, name in enumerate(names):
        s3_client.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=_image(i, "PNG"))
    source = {
        "purpose": "INPUT",
        "type": "OBS",
        "fullPath": f"obs://{bucket}/{prefix}",
        "obsEndpoint": services["S3_ENDPOINT_URL"],
        "obsAccessKeyId": services["S3_ACCESS_KEY_ID"],
        "obsSecretAccessKey": services["S3_SECRET_ACCESS_KEY"],
    }
    _json(api.call("PUT", f"/v1/datasets/{dataset_id}/datasource", json=source))
    rows = np.random.default_rng(3).normal(size=(N, 6)).astype(np.float32)
    target = _json(
        api.call(
            "GET", f"/v1/datasets/{dataset_id}/embeddings/writeCSVUrl", params={"name": "uploaded"}
        )
    )
    put = httpx.put(target["signedWriteUrl"], content=_csv(names, rows), timeout=30)
    assert put.status_code == 200, put.text
    insert_tag(dataset_id, "initial-tag", hex((1 << N) - 1), N)
    return dataset_id


def _run_job(page: Any, tag_name: str) -> str:
    """Fill the form (the uploaded embedding, CORESET), process, wait for the scores."""
    page.get_by_label("Embedding").select_option(label="uploaded")
    page.get_by_label("Strategy").select_option("CORESET")
    page.get_by_label("Samples in the job's tag").fill(str(JOB_SIZE))
    page.get_by_label("Job tag name").fill(tag_name)
    page.get_by_role("button", name="Process").click()
    page.get_by_role("heading", name="Importance scores").wait_for(timeout=120_000)
    assert "FINISHED" in page.get_by_role("status").first.inner_text()
    job_id: str = page.locator(".sampling-status code").inner_text()
    return job_id


def _previews_loaded(page: Any, timeout_s: float = 30) -> None:
    """Every preview thumbnail came from the datasource through its signed read URL.

    Polled from here: ``wait_for_function`` evaluates strings, which the page's CSP refuses."""
    script = (
        "[...document.querySelectorAll('.sampling-preview img')]"
        ".every((img) => img.src && img.complete && img.naturalWidth > 0)"
    )
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script):
        assert time.monotonic() < deadline, "the preview thumbnails did not load"
        page.wait_for_timeout(200)


def test_sampling_job_then_slider_saves_a_tag_of_the_first_n(
    dashboard: Dashboard,
    services: dict[str, str],
    s3: Any,  # noqa: F811 - the imported fixture
    browser: Any,
) -> None:
    api = Api(services["API_PUBLIC_URL"], dashboard.user)
    dataset_id = _dataset(api, services, s3)
    page = dashboard.page
    dashboard.goto(f"#/datasets/{dataset_id}/sampling")
    page.get_by_role("heading", name="Sampling", exact=True).wait_for()
    dashboard.shot("sampling-form")

    job_id = _run_job(page, "coreset-job")
    slider = page.get_by_label("Samples to keep", exact=True)
    assert slider.input_value() == str(JOB_SIZE)
    assert page.locator("#sampling-keep-count").inner_text().startswith(f"{JOB_SIZE} of {N}")
    slider.focus()
    for _ in range(JOB_SIZE - KEEP):
        page.keyboard.press("ArrowLeft")
    count = page.locator("#sampling-keep-count")
    assert count.inner_text().startswith(f"{KEEP} of {N} samples kept")
    # The preview shows the kept samples, loaded from the datasource through signed URLs.
    figures = page.locator(".sampling-preview figure")
    expect(figures).to_have_count(KEEP)
    _previews_loaded(page)
    dashboard.shot("sampling-scores")

    page.get_by_label("Tag name", exact=True).fill("my-cut")
    page.get_by_role("button", name="Save tag").click()
    page.get_by_text(f"with {KEEP} samples").wait_for()
    dashboard.shot("sampling-saved")

    # Through the API: the tag holds exactly the first KEEP ranked samples.
    scores = _json(api.call("GET", f"/v1/jobs/{job_id}/scores"))
    tags = _json(api.call("GET", f"/v1/datasets/{dataset_id}/tags"))
    cut = next(t for t in tags if t["name"] == "my-cut")
    ids = _json(api.call("GET", f"/v1/datasets/{dataset_id}/mappings", params={"field": "_id"}))
    kept = {ids[i] for i in bitmask_to_indices(cut["bitMaskData"])}
    assert len(kept) == KEEP
    assert kept == {s["sampleId"] for s in scores["samples"][:KEEP]}
    assert cut["prevTagId"] == next(t["id"] for t in tags if t["name"] == "initial-tag")
    assert dashboard.external_requests() == []

    # Another user does not see the page's dataset.
    other = open_dashboard(browser, api.url, make_user(), dashboard.shots, PHONE)
    other.goto(f"#/datasets/{dataset_id}/sampling")
    other.page.get_by_role("alert").get_by_text("(404)").wait_for()
    other.page.context.close()


def test_sampling_page_reads_on_a_phone(
    browser: Any,
    services: dict[str, str],
    s3: Any,  # noqa: F811 - the imported fixture
    dashboard: Dashboard,
) -> None:
    api = Api(services["API_PUBLIC_URL"], dashboard.user)
    dataset_id = _dataset(api, services, s3)
    phone = open_dashboard(browser, api.url, dashboard.user, dashboard.shots, PHONE)
    page = phone.page
    phone.goto(f"#/datasets/{dataset_id}/sampling")
    _run_job(page, "phone-job")
    expect(page.locator(".sampling-preview figure")).to_have_count(JOB_SIZE)
    _previews_loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot("sampling-phone")
    assert phone.external_requests() == []
    phone.page.context.close()
