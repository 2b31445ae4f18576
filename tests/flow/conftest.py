"""Flow tests: the real API (uvicorn), GPU worker and reporter (Celery) as separate processes."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import numpy as np
import pytest
from PIL import Image

from tests.api.conftest import ApiUser, make_user
from tests.flow.lightly_venv import build_lightly_venv
from winnow_localstack import LocalStack

SERVICES = ("api", "gpu-worker", "reporter")


@pytest.fixture(scope="session")
def services(local_stack: LocalStack, migrated_db: str) -> Iterator[dict[str, str]]:
    for name in SERVICES:
        local_stack.start_service(name)
    try:
        yield dict(local_stack.env())
    finally:
        for name in SERVICES:
            local_stack.stop_service(name)


@pytest.fixture(scope="session")
def lightly_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway venv with the real lightly client; returns its interpreter."""
    return build_lightly_venv(tmp_path_factory.mktemp("lightly-client-venv"))


@dataclass
class Api:
    """A thin HTTP driver for the running API."""

    url: str
    user: ApiUser

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {**kwargs.pop("params", {}), **self.user.params}
        return httpx.request(method, f"{self.url}{path}", params=params, timeout=30, **kwargs)


@pytest.fixture
def api(services: dict[str, str]) -> Api:
    return Api(services["API_PUBLIC_URL"], make_user())


@pytest.fixture
def s3(services: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=services["S3_ENDPOINT_URL"],
        aws_access_key_id=services["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=services["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )


def _image(seed: int, fmt: str) -> bytes:
    """A distinct 48x48 image: a seeded colour field with a few bright rectangles."""
    rng = np.random.default_rng(seed)
    pixels = (rng.random((48, 48, 3)) * 60 + rng.integers(0, 190, 3)).astype(np.uint8)
    for _ in range(3):
        x, y = rng.integers(0, 36, 2)
        pixels[y : y + 12, x : x + 12] = rng.integers(0, 255, 3)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


@dataclass
class ImageSet:
    prefix: str
    files: dict[str, bytes]
    corrupt: set[str]
    duplicates: set[str]

    @property
    def n_images(self) -> int:
        return sum(1 for n in self.files if not n.endswith(".txt"))


def make_image_set(n_good: int = 16) -> ImageSet:
    """Distinct good images (PNG and JPEG, in subfolders), 2 exact copies, 2 corrupt files."""
    files = {}
    for i in range(n_good):
        fmt, ext = ("PNG", "png") if i % 2 else ("JPEG", "jpg")
        files[f"{'a' if i < n_good // 2 else 'b/c'}/img_{i:02d}.{ext}"] = _image(i, fmt)
    # Copies sort after their originals, so the originals are the ones kept.
    files["z_copies/img_00_copy.jpg"] = files["a/img_00.jpg"]
    files["z_copies/img_03_copy.png"] = files["a/img_03.png"]
    files["broken/truncated.jpg"] = _image(100, "JPEG")[:300]
    files["broken/png_named.jpg"] = _image(101, "PNG")
    files["notes.txt"] = b"not an image, ignored"
    return ImageSet(
        prefix=f"flow-{uuid.uuid4().hex[:8]}",
        files=files,
        corrupt={"broken/truncated.jpg", "broken/png_named.jpg"},
        duplicates={"z_copies/img_00_copy.jpg", "z_copies/img_03_copy.png"},
    )


def upload(s3: Any, bucket: str, image_set: ImageSet) -> None:
    for name, data in image_set.files.items():
        s3.put_object(Bucket=bucket, Key=f"{image_set.prefix}/{name}", Body=data)


def schedule_config(api: Api, dataset_id: str, config: dict[str, Any]) -> str:
    """Create a V4 worker config and schedule it on ``dataset_id``; returns the scheduled id."""
    created = api.call(
        "POST", "/v1/docker/worker/config/vX", json={"version": "V4", "config": config}
    )
    assert created.status_code == 201, created.text
    scheduled = api.call(
        "POST",
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        json={"configId": created.json()["id"], "priority": "MID", "runsOn": []},
    )
    assert scheduled.status_code == 201, scheduled.text
    scheduled_id: str = scheduled.json()["id"]
    return scheduled_id
