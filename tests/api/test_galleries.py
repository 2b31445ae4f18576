"""The Galleries page's data route on a real completed run (API, GPU worker and reporter as
processes): corrupt files with reasons, duplicates with their originals, each removed sample's
nearest selected one (as numpy finds it in embeddings.csv), histograms, thumbnails, access."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest

from tests.api.conftest import make_user
from tests.flow.conftest import s3, services  # noqa: F401 - the stack's processes
from tests.flow.galleries_run import N_WITH_CUSTOM, GalleriesRun, completed_run
from winnow_common.embeddings_csv import read_embeddings_csv

pytestmark = pytest.mark.flow


@pytest.fixture
def run(services: dict[str, str], s3: Any) -> GalleriesRun:  # noqa: F811
    return completed_run(services, s3)


def _galleries(run: GalleriesRun) -> dict[str, Any]:
    response = run.api.call("GET", f"/dashboard/api/runs/{run.run_id}/galleries")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _bucket(s3: Any, run: GalleriesRun, rel: str) -> bytes:  # noqa: F811
    data: bytes = s3.get_object(Bucket=run.lightly_bucket, Key=f"{run.root}/{rel}")["Body"].read()
    return data


def test_corrupt_files_and_duplicates(run: GalleriesRun) -> None:
    body = _galleries(run)
    assert body["available"] is True and body["state"] == "COMPLETED"
    corrupt = {c["fileName"]: c["reason"] for c in body["corrupt"]}
    assert set(corrupt) == run.images.corrupt
    assert all(reason for reason in corrupt.values())
    assert "truncat" in corrupt["broken/truncated.jpg"].lower()
    duplicates = {d["fileName"]: d["of"] for d in body["duplicates"]}
    assert duplicates == {
        "z_copies/img_00_copy.jpg": "a/img_00.jpg",
        "z_copies/img_03_copy.png": "a/img_03.png",
    }
    assert body["counts"] == {
        "nSamples": 8,
        "nCorrupt": 2,
        "nDuplicates": 2,
        "nSelected": 4,
        "nRemoved": 4,
    }
    # Thumbnails: same-origin signed URLs streaming the INPUT file's bytes, no token needed.
    dup = body["duplicates"][0]
    assert dup["ofUrl"].startswith(f"/v1/files/datasets/{run.dataset_id}/datasource/input/")
    image = httpx.get(f"{run.api.url}{dup['ofUrl']}")
    assert image.status_code == 200 and image.content == run.images.files[dup["of"]]


def test_each_removed_sample_names_its_nearest_selected_one(
    run: GalleriesRun,
    s3: Any,  # noqa: F811
) -> None:
    body = _galleries(run)
    names, embeddings, _ = read_embeddings_csv(_bucket(s3, run, "data/embeddings.csv"))
    selected = _bucket(s3, run, "filenames/selected_filenames.txt").decode().split()
    removed = _bucket(s3, run, "filenames/removed_filenames.txt").decode().split()
    vectors = dict(zip(names, embeddings.astype(np.float64), strict=True))
    chosen = np.stack([vectors[n] for n in selected])
    expected = {}
    for name in removed:
        distances = np.linalg.norm(chosen - vectors[name], axis=1)
        expected[name] = (selected[int(np.argmin(distances))], float(distances.min()))
    pairs = body["pairs"]
    assert {p["removed"] for p in pairs} == set(removed) and len(pairs) == len(removed)
    for pair in pairs:
        near, distance = expected[pair["removed"]]
        assert pair["selected"] == near
        assert pair["distance"] == pytest.approx(distance, rel=1e-6)
    assert [p["distance"] for p in pairs] == sorted(p["distance"] for p in pairs)


def test_histograms_count_every_sample(run: GalleriesRun) -> None:
    histograms = {h["name"]: h for h in _galleries(run)["histograms"]}
    assert {"lightly.sharpness", "lightly.luminance", "lightly.sizeInBytes"} <= set(histograms)
    for histogram in histograms.values():
        assert sum(histogram["counts"]) + histogram["nMissing"] == 8
        assert len(histogram["edges"]) == len(histogram["counts"]) + 1
        assert histogram["edges"] == sorted(histogram["edges"])
    assert sum(histograms["lightly.sizeInBytes"]["counts"]) == 8
    # Custom metadata: numeric values only, samples without one counted as missing.
    temperature = histograms["custom.weather.temperature"]
    assert (sum(temperature["counts"]), temperature["nMissing"]) == (N_WITH_CUSTOM, 2)
    assert temperature["edges"][0] == 10.5 and temperature["edges"][-1] == 10.5 + 2 * 5
    assert "custom.camera" not in histograms


def test_a_stranger_gets_404(run: GalleriesRun) -> None:
    stranger = make_user()
    response = httpx.get(
        f"{run.api.url}/dashboard/api/runs/{run.run_id}/galleries", params=stranger.params
    )
    assert response.status_code == 404, response.text
    assert response.json()["error"].startswith("runId")
    anonymous = httpx.get(f"{run.api.url}/dashboard/api/runs/{run.run_id}/galleries")
    assert anonymous.status_code == 401
