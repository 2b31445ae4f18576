"""The whole flow through the HTTP API on real servers: API -> Postgres -> Celery/Redis ->
GPU worker -> S3 -> reporter, on a generated image set with duplicates and corrupt files."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from pypdf import PdfReader

from tests.flow.conftest import Api, ImageSet, make_image_set, schedule_config, upload
from winnow_common.enums import RunState

pytestmark = pytest.mark.flow

REPORT_V2_SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "services/reporter/src/winnow_reporter/report_v2.schema.json"
    ).read_text()
)

N_SAMPLES = 6
PIPELINE_ORDER = [s.value for s in RunState]


def _create_dataset_with_sources(
    api: Api,
    services: dict[str, str],
    input_path: str,
    lightly_path: str,
    dataset_type: str = "Images",
) -> str:
    body = {"name": f"flow {time.time_ns()}", "type": dataset_type}
    response = api.call("POST", "/v1/datasets", json=body)
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    for purpose, path in (("INPUT", input_path), ("LIGHTLY", lightly_path)):
        body = {
            "purpose": purpose,
            "type": "OBS",
            "fullPath": path,
            "obsEndpoint": services["S3_ENDPOINT_URL"],
            "obsAccessKeyId": services["S3_ACCESS_KEY_ID"],
            "obsSecretAccessKey": services["S3_SECRET_ACCESS_KEY"],
        }
        put = api.call("PUT", f"/v1/datasets/{dataset_id}/datasource", json=body)
        assert put.status_code == 200, put.text
    return dataset_id


def _schedule(api: Api, dataset_id: str, n_samples: int) -> str:
    config = {
        "workerType": "FULL",
        "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
        "selection": {
            "nSamples": n_samples,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    }
    return schedule_config(api, dataset_id, config)


def _follow(
    api: Api, scheduled_id: str, timeout_s: float = 420
) -> tuple[dict[str, Any], list[str]]:
    """Poll like the lightly client does; return the final run and the states seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = api.call("GET", f"/v1/docker/runs/schedule/{scheduled_id}")
        if response.status_code == 200:
            run: dict[str, Any] = response.json()
            if not seen or seen[-1] != run["state"]:
                seen.append(run["state"])
            if RunState(run["state"]).is_terminal:
                return run, seen
        else:
            assert response.status_code == 404, response.text
        time.sleep(0.5)
    raise AssertionError(f"run did not end within {timeout_s}s; states seen: {seen}")


def _download(api: Api, run: dict[str, Any], type_: str) -> httpx.Response:
    artifact = next(a for a in run["artifacts"] if a["type"] == type_)
    url = api.call("GET", f"/v1/docker/runs/{run['id']}/artifacts/{artifact['id']}/readurl")
    assert url.status_code == 200, url.text
    # A plain GET, no token: the URL authorises itself.
    response = httpx.get(url.json(), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert "content-encoding" not in response.headers
    return response


def _bucket_lines(s3: Any, bucket: str, key: str) -> list[str]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [line for line in body.splitlines() if line]


def _check_selection(api: Api, dataset_id: str, run: dict[str, Any], images: ImageSet) -> list[str]:
    """The selection: exactly n_samples, never a corrupt file or a duplicate; returns it."""
    tags = api.call("GET", f"/v1/datasets/{dataset_id}/tags").json()
    assert [t["name"] for t in tags] == ["initial-tag"] and tags[0]["runId"] == run["id"]
    export = api.call(
        "GET",
        f"/v1/datasets/{dataset_id}/tags/{tags[0]['id']}/export/basic/filenames",
        params={"pageSize": 5000, "pageOffset": 0},
    )
    selected: list[str] = export.json().split("\n")
    assert len(selected) == N_SAMPLES == len(set(selected))
    assert not set(selected) & (images.corrupt | images.duplicates)
    assert set(selected) <= set(images.files)
    past_end = api.call(
        "GET",
        f"/v1/datasets/{dataset_id}/tags/{tags[0]['id']}/export/basic/filenames",
        params={"pageSize": 5000, "pageOffset": 5000},
    )
    assert past_end.json() == ""
    return selected


def _check_bucket_outputs(
    s3: Any, lightly_bucket: str, images: ImageSet, run: dict[str, Any], selected: list[str]
) -> dict[str, list[str]]:
    """The outputs in the LIGHTLY bucket agree with each other; returns the filename lists."""
    root = f"{images.prefix}/.lightly/runs/{run['id']}"
    lists = {
        kind: _bucket_lines(s3, lightly_bucket, f"{root}/filenames/{kind}_filenames.txt")
        for kind in ("corrupt", "duplicate", "removed", "selected")
    }
    assert set(lists["corrupt"]) == images.corrupt
    assert set(lists["duplicate"]) == images.duplicates
    assert sorted(lists["selected"]) == sorted(selected)
    n_clean = images.n_images - len(images.corrupt) - len(images.duplicates)
    assert len(lists["removed"]) == n_clean - N_SAMPLES
    embeddings_csv = _bucket_lines(s3, lightly_bucket, f"{root}/data/embeddings.csv")
    assert embeddings_csv[0].startswith("filenames,embedding_0,")
    assert embeddings_csv[0].endswith(",labels") and len(embeddings_csv) == n_clean + 1
    return lists


def _check_reports_and_log(
    api: Api, run: dict[str, Any], images: ImageSet, lists: dict[str, list[str]]
) -> None:
    """The report JSONs, the PDF and the log agree with the bucket's outputs."""
    report = json.loads(_download(api, run, "REPORT_JSON").content)
    assert report["counts"] == {
        "nInput": images.n_images,
        "nCorrupt": len(lists["corrupt"]),
        "nDuplicate": len(lists["duplicate"]),
        "nRemoved": len(lists["removed"]),
        "nSelected": len(lists["selected"]),
    }
    assert report["model"]["trained"] is False
    report_v2 = json.loads(_download(api, run, "REPORT_V2_JSON").content)
    jsonschema.validate(report_v2, REPORT_V2_SCHEMA)
    sizes = report_v2["generalInformation"]["datasetInformation"]["datasetSizes"]
    assert (sizes["nInput"], sizes["nSelected"]) == (images.n_images, N_SAMPLES)
    # The reporter read the input images from S3 for the example thumbnails.
    assert not any("thumbnail" in note or "not reachable" in note for note in report_v2["notes"])

    pdf = _download(api, run, "REPORT_PDF")
    assert pdf.content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for label, value in (
        ("Input files", images.n_images),
        ("Corrupt", len(images.corrupt)),
        ("Exact duplicates", len(images.duplicates)),
        ("Selected", N_SAMPLES),
    ):
        assert label in text and str(value) in text
    assert "UNTRAINED" in text and "Table of contents" in text

    log = _download(api, run, "LOG").text
    assert "UNTRAINED" in log and "corrupt" in log


def test_curation_run_end_to_end(api: Api, services: dict[str, str], s3: Any) -> None:
    images: ImageSet = make_image_set()
    input_bucket, lightly_bucket = services["S3_INPUT_BUCKET"], services["S3_LIGHTLY_BUCKET"]
    upload(s3, input_bucket, images)
    dataset_id = _create_dataset_with_sources(
        api,
        services,
        f"obs://{input_bucket}/{images.prefix}",
        f"obs://{lightly_bucket}/{images.prefix}",
    )
    scheduled_id = _schedule(api, dataset_id, N_SAMPLES)
    run, states = _follow(api, scheduled_id)

    assert run["state"] == "COMPLETED", run["message"]
    assert run["datasetId"] == dataset_id and run["scheduledId"] == scheduled_id
    assert f"{N_SAMPLES} of {images.n_images}" in run["message"]
    # States only move forward through the pipeline.
    assert states == sorted(states, key=PIPELINE_ORDER.index), states
    assert {a["type"] for a in run["artifacts"]} >= {
        "REPORT_PDF",
        "REPORT_JSON",
        "REPORT_V2_JSON",
        "LOG",
    }
    listed = api.call("GET", f"/v1/docker/runs/query/datasetId/{dataset_id}").json()
    assert [r["id"] for r in listed] == [run["id"]]
    assert api.call("GET", f"/v1/datasets/{dataset_id}/docker/worker/schedule").json() == []

    selected = _check_selection(api, dataset_id, run, images)
    lists = _check_bucket_outputs(s3, lightly_bucket, images, run, selected)
    _check_reports_and_log(api, run, images, lists)


def test_signed_urls_cannot_be_tampered_with(api: Api, services: dict[str, str]) -> None:
    response = httpx.get(
        f"{services['API_PUBLIC_URL']}/v1/files/runs/{'a' * 24}/artifacts/{'b' * 24}",
        params={"expires": int(time.time()) + 60, "signature": "0" * 64},
    )
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED"


def test_a_worker_exception_fails_the_run_and_the_api_stays_healthy(
    api: Api, services: dict[str, str]
) -> None:
    dataset_id = _create_dataset_with_sources(
        api,
        services,
        "obs://no-such-bucket-for-winnow/in",
        f"obs://{services['S3_LIGHTLY_BUCKET']}/failing",
    )
    run, _ = _follow(api, _schedule(api, dataset_id, 3), timeout_s=180)
    assert run["state"] == "FAILED"
    assert "no-such-bucket-for-winnow" in run["message"], run["message"]
    assert "LOADING_DATASET" in run["message"]
    assert {a["type"] for a in run["artifacts"]} == {"LOG"}

    health = httpx.get(f"{services['API_PUBLIC_URL']}/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert api.call("GET", f"/v1/datasets/{dataset_id}").status_code == 200
