"""One small completed curation run (12 images: 8 distinct, 2 exact copies, 2 corrupt files),
made once per test session and shared by the galleries' API and browser tests."""

from __future__ import annotations

import json
import posixpath
import time
from dataclasses import dataclass
from typing import Any

from tests.api.conftest import make_user
from tests.flow.conftest import Api, ImageSet, make_image_set, schedule_config, upload
from winnow_common.enums import RunState

N_GOOD = 8
N_SAMPLES = 4
# Hand-placed custom metadata (Lightly's datasource format) for the first 6 good images: a
# numeric value (a histogram) and a string (no histogram).
N_WITH_CUSTOM = 6


@dataclass(frozen=True)
class GalleriesRun:
    """The run, its dataset and owner, and where its outputs lie in the LIGHTLY bucket."""

    api: Api
    images: ImageSet
    dataset_id: str
    run_id: str
    lightly_bucket: str

    @property
    def root(self) -> str:
        return f"{self.images.prefix}/.lightly/runs/{self.run_id}"


_made: dict[str, GalleriesRun] = {}


def _dataset(api: Api, services: dict[str, str], prefix: str) -> str:
    response = api.call("POST", "/v1/datasets", json={"name": f"galleries {time.time_ns()}"})
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    buckets = {"INPUT": services["S3_INPUT_BUCKET"], "LIGHTLY": services["S3_LIGHTLY_BUCKET"]}
    for purpose, bucket in buckets.items():
        body = {
            "purpose": purpose,
            "type": "OBS",
            "fullPath": f"obs://{bucket}/{prefix}",
            "obsEndpoint": services["S3_ENDPOINT_URL"],
            "obsAccessKeyId": services["S3_ACCESS_KEY_ID"],
            "obsSecretAccessKey": services["S3_SECRET_ACCESS_KEY"],
        }
        put = api.call("PUT", f"/v1/datasets/{dataset_id}/datasource", json=body)
        assert put.status_code == 200, put.text
    return dataset_id


def _wait(api: Api, scheduled_id: str, timeout_s: float = 420) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = api.call("GET", f"/v1/docker/runs/schedule/{scheduled_id}")
        if response.status_code == 200 and RunState(response.json()["state"]).is_terminal:
            run: dict[str, Any] = response.json()
            return run
        time.sleep(0.5)
    raise AssertionError(f"the galleries run did not end within {timeout_s}s")


def _custom_metadata(s3: Any, bucket: str, images: ImageSet) -> None:
    good = sorted(n for n in images.files if n.startswith(("a/", "b/")))[:N_WITH_CUSTOM]
    for i, name in enumerate(good):
        doc = {
            "file_name": name,
            "type": "image",
            "metadata": {"weather": {"temperature": 10.5 + 2 * i}, "camera": f"cam-{i}"},
        }
        key = f"{images.prefix}/.lightly/metadata/{posixpath.splitext(name)[0]}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(doc).encode())


def completed_run(services: dict[str, str], s3: Any) -> GalleriesRun:
    """The shared completed run (scheduled and awaited on first use)."""
    if "run" not in _made:
        api = Api(services["API_PUBLIC_URL"], make_user())
        images = make_image_set(N_GOOD)
        upload(s3, services["S3_INPUT_BUCKET"], images)
        _custom_metadata(s3, services["S3_LIGHTLY_BUCKET"], images)
        dataset_id = _dataset(api, services, images.prefix)
        config = {
            "workerType": "FULL",
            "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
            "selection": {
                "nSamples": N_SAMPLES,
                "strategies": [
                    {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
                ],
            },
        }
        run = _wait(api, schedule_config(api, dataset_id, config))
        assert run["state"] == "COMPLETED", run["message"]
        _made["run"] = GalleriesRun(
            api, images, dataset_id, run["id"], services["S3_LIGHTLY_BUCKET"]
        )
    return _made["run"]
