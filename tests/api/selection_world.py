"""A dataset whose run selected images, a video frame and object crops (issue 14 API tests).

The run's results are recorded with the real ``record_selection`` (what the GPU worker calls);
the extracted frame and crop images lie in the LIGHTLY datasource of a real S3 bucket, where
the worker writes them (``storage.keys.frame_image_key`` / ``crop_image_key``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data as skdata

from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset, insert_run, make_bucket, set_real_obs
from winnow_common.db.session import session_factory
from winnow_common.lifecycle.results import (
    CropSample,
    FrameSample,
    WorkerStageResult,
    record_selection,
    register_result_artifacts,
)
from winnow_common.storage.keys import crop_image_key, frame_image_key

VIDEO = "clips/v1.mp4"
FRAME = "clips/v1-03-mp4.png"  # frame 3 of a 10-frame video, named as lightly names frames
OTHER_FRAME = "clips/v1-07-mp4.png"  # a frame the run saw but did not select
IMAGE = "a.png"
CROP_OF_IMAGE = "a-cars-0-png.png"
CROP_OF_FRAME = "clips/v1-03-mp4-cars-2-png.png"
UNSELECTED_CROP = "a-cars-1-png.png"
SEQUENCE_KEY = ".lightly/runs/{run_id}/data/sequence_information.json"


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def images() -> dict[str, bytes]:
    """Real pictures: the astronaut as the image, a coffee frame, boxes cut from both."""
    astronaut = np.asarray(skdata.astronaut())[::4, ::4]  # type: ignore[no-untyped-call]
    coffee = np.asarray(skdata.coffee())[::4, ::4]  # type: ignore[no-untyped-call]
    return {
        IMAGE: png(astronaut),
        FRAME: png(coffee),
        CROP_OF_IMAGE: png(astronaut[10:60, 20:70]),
        CROP_OF_FRAME: png(coffee[5:40, 30:90]),
    }


def result(
    selected: list[str], selected_crops: list[str], crop_dataset_name: str | None = None
) -> WorkerStageResult:
    """The GPU stage's result of an object-level run over an image and a video."""
    return WorkerStageResult(
        selected=selected,
        n_input=12,
        model_trained=False,
        model_description="random init",
        frames={
            FRAME: FrameSample(source_video=VIDEO, frame_index=3, timestamp_sec=0.1),
            OTHER_FRAME: FrameSample(source_video=VIDEO, frame_index=7, timestamp_sec=0.2333),
        },
        selected_crops=selected_crops,
        crops={
            CROP_OF_IMAGE: CropSample(IMAGE, "cars", 0, category_id=2, score=0.875),
            UNSELECTED_CROP: CropSample(IMAGE, "cars", 1, category_id=0, score=0.25),
            CROP_OF_FRAME: CropSample(FRAME, "cars", 2, category_id=1, score=1.0),
        },
        crop_dataset_name=crop_dataset_name,
    )


@dataclass
class World:
    """The dataset, its bucket and the files in it, and the run that recorded results."""

    dataset_id: str
    dataset_name: str
    bucket: str
    files: dict[str, bytes]
    run_id: str


def build(client: TestClient, user: ApiUser, *, crop_dataset_name: str | None = None) -> World:
    """A dataset on a real bucket (INPUT ``in/``, LIGHTLY ``lightly/``) and one recorded run
    that selected the image and the frame, and one crop of each."""
    files = images()
    objects = {
        f"in/{IMAGE}": files[IMAGE],
        f"in/{VIDEO}": b"the video (never read by the API)",
        f"lightly/{frame_image_key(FRAME)}": files[FRAME],
        f"lightly/{crop_image_key(CROP_OF_IMAGE)}": files[CROP_OF_IMAGE],
        f"lightly/{crop_image_key(CROP_OF_FRAME)}": files[CROP_OF_FRAME],
    }
    bucket = make_bucket(objects)
    name = f"objects-{bucket[-8:]}"
    dataset_id = create_dataset(client, user.params, name)
    set_real_obs(client, user.params, dataset_id, "INPUT", f"obs://{bucket}/in")
    set_real_obs(client, user.params, dataset_id, "LIGHTLY", f"obs://{bucket}/lightly")
    run_id = record(
        dataset_id,
        result([IMAGE, FRAME], [CROP_OF_IMAGE, CROP_OF_FRAME], crop_dataset_name),
    )
    return World(dataset_id, name, bucket, files, run_id)


def record(dataset_id: str, stage: WorkerStageResult, run_id: str | None = None) -> str:
    """Record ``stage`` for a new run of the dataset (or again for ``run_id``: a retry)."""
    with session_factory().begin() as session:
        if run_id is None:
            run_id = insert_run(session, dataset_id, state="EMBEDDING").id
        record_selection(session, run_id, stage)
    return run_id


def register_sequence_information(run_id: str) -> str:
    """Register the run's SEQUENCE_INFORMATION artifact; returns its key."""
    key = SEQUENCE_KEY.format(run_id=run_id)
    stage = WorkerStageResult([], 0, False, "", sequence_information_key=key)
    with session_factory().begin() as session:
        register_result_artifacts(session, run_id, stage)
    return key


def samples(client: TestClient, user: ApiUser, dataset_id: str) -> list[dict[str, Any]]:
    """Every sample of the dataset, ``mode=full``, in bit order."""
    response = client.get(
        f"/v1/datasets/{dataset_id}/samples/partial",
        params={**user.params, "mode": "full", "pageSize": 100, "pageOffset": 0},
    )
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def crops_dataset(client: TestClient, user: ApiUser, name: str) -> dict[str, Any]:
    """The user's dataset called ``name`` (the lightly client's lookup by name)."""
    response = client.get(f"/v1/datasets/query/name/{name}", params={**user.params, "exact": True})
    assert response.status_code == 200, response.text
    found = response.json()
    assert len(found) == 1, found
    dataset: dict[str, Any] = found[0]
    return dataset


def download(client: TestClient, url: str) -> bytes:
    """A signed URL's file, fetched without the token."""
    assert "token" not in url
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


def read_url(client: TestClient, user: ApiUser, dataset_id: str, sample_id: str) -> str:
    response = client.get(
        f"/v1/datasets/{dataset_id}/samples/{sample_id}/readurl", params=user.params
    )
    assert response.status_code == 200, response.text
    url: str = response.json()
    return url
