"""VIDEO_FRAME samples on the wire: type and videoFrameData, images from the LIGHTLY datasource,
and a sequence run's SEQUENCE_INFORMATION artifact."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api import selection_world as sw
from tests.api.conftest import ApiUser
from tests.api.helpers import s3_client
from winnow_common.db.models import Datasource
from winnow_common.db.session import session_factory


@pytest.fixture
def world(client: TestClient, user: ApiUser) -> sw.World:
    return sw.build(client, user)


def _strict_int(value: Any) -> bool:
    # lightly's StrictInt: an int, never a bool or an integral float.
    return isinstance(value, int) and not isinstance(value, bool)


def test_frames_and_images_on_the_wire(client: TestClient, user: ApiUser, world: sw.World) -> None:
    listed = sw.samples(client, user, world.dataset_id)
    assert [s["fileName"] for s in listed] == [sw.IMAGE, sw.FRAME]  # the selection, in order
    image, frame = listed
    assert image["type"] == "IMAGE" and "videoFrameData" not in image and "cropData" not in image
    assert frame["type"] == "VIDEO_FRAME" and "cropData" not in frame
    assert frame["videoFrameData"] == {
        "sourceVideo": sw.VIDEO,
        "sourceVideoFrameIndex": 3,
        "sourceVideoFrameTimestamp": 0.1,
    }
    data = frame["videoFrameData"]
    assert _strict_int(data["sourceVideoFrameIndex"])
    assert isinstance(data["sourceVideoFrameTimestamp"], float)
    assert set(frame) == {
        "id",
        "type",
        "datasetId",
        "fileName",
        "index",
        "createdAt",
        "videoFrameData",
    }
    assert (frame["datasetId"], frame["index"]) == (world.dataset_id, 1)
    # mode=fileNames stays exactly id and fileName.
    response = client.get(
        f"/v1/datasets/{world.dataset_id}/samples/partial",
        params={**user.params, "mode": "fileNames"},
    )
    assert [set(s) for s in response.json()] == [{"id", "fileName"}] * 2


def test_a_frame_read_url_streams_the_extracted_frame(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    image, frame = sw.samples(client, user, world.dataset_id)
    frame_url = sw.read_url(client, user, world.dataset_id, frame["id"])
    assert sw.download(client, frame_url) == world.files[sw.FRAME]
    image_url = sw.read_url(client, user, world.dataset_id, image["id"])
    assert sw.download(client, image_url) == world.files[sw.IMAGE]


def test_a_frame_whose_image_is_missing_is_a_404_naming_the_lightly_key(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    _, frame = sw.samples(client, user, world.dataset_id)
    url = sw.read_url(client, user, world.dataset_id, frame["id"])
    s3_client().delete_object(Bucket=world.bucket, Key=f"lightly/.lightly/frames/{sw.FRAME}")
    parts = url.split("testserver", 1)[1]
    response = client.get(parts)
    assert response.status_code == 404
    assert response.json()["error"] == (
        f"sampleId: sample {frame['id']}'s file is missing from the LIGHTLY datasource "
        f"(.lightly/frames/{sw.FRAME})"
    )


def test_a_frame_needs_the_lightly_datasource(client: TestClient, user: ApiUser) -> None:
    world = sw.build(client, user)
    _, frame = sw.samples(client, user, world.dataset_id)
    with session_factory().begin() as session:
        lightly = session.scalars(
            select(Datasource).where(
                Datasource.dataset_id == world.dataset_id, Datasource.purpose == "LIGHTLY"
            )
        ).one()
        session.delete(lightly)
    response = client.get(
        f"/v1/datasets/{world.dataset_id}/samples/{frame['id']}/readurl", params=user.params
    )
    assert response.status_code == 404
    assert response.json()["code"] == "DATASET_DATASOURCE_UNKNOWN"
    assert "LIGHTLY" in response.json()["error"]


def test_frame_exports_point_at_the_lightly_datasource(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    tags = client.get(f"/v1/datasets/{world.dataset_id}/tags", params=user.params).json()
    (initial,) = tags
    base = f"/v1/datasets/{world.dataset_id}/tags/{initial['id']}/export"
    query = {**user.params, "pageSize": 10, "pageOffset": 0}
    full = client.get(
        f"{base}/basic/filenames", params={**query, "fileNameFormat": "DATASOURCE_FULL"}
    )
    assert full.status_code == 200, full.text
    assert full.json().split("\n") == [
        f"obs://{world.bucket}/in/{sw.IMAGE}",
        f"obs://{world.bucket}/lightly/.lightly/frames/{sw.FRAME}",
    ]
    tasks = client.get(f"{base}/LabelStudio/tasks", params={**query, "includeMetaData": True})
    assert tasks.status_code == 200, tasks.text
    image_task, frame_task = tasks.json()
    assert sw.download(client, frame_task["data"]["image"]) == world.files[sw.FRAME]
    assert sw.download(client, image_task["data"]["image"]) == world.files[sw.IMAGE]
    info = frame_task["data"]["lightlyMetaInfo"]
    assert info["type"] == "VIDEO_FRAME" and info["videoFrameData"]["sourceVideo"] == sw.VIDEO


def test_sequence_information_is_a_run_artifact(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    key = sw.register_sequence_information(world.run_id)
    document = b'[{"video_name": "clips/v1.mp4", "frame_names": ["clips/v1-03-mp4.png"]}]'
    s3_client().put_object(Bucket=world.bucket, Key=f"lightly/{key}", Body=document)
    run = client.get(f"/v1/docker/runs/{world.run_id}", params=user.params).json()
    (artifact,) = [a for a in run["artifacts"] if a["type"] == "SEQUENCE_INFORMATION"]
    assert artifact["fileName"] == "sequence_information.json"
    url = client.get(
        f"/v1/docker/runs/{world.run_id}/artifacts/{artifact['id']}/readurl", params=user.params
    ).json()
    assert sw.download(client, url) == document
    # Registering again (a retried recording) keeps one artifact of the type.
    sw.register_sequence_information(world.run_id)
    run = client.get(f"/v1/docker/runs/{world.run_id}", params=user.params).json()
    assert [a["type"] for a in run["artifacts"]].count("SEQUENCE_INFORMATION") == 1
