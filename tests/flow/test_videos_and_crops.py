"""Videos, sequences and object-level crops through the API on real servers.

Real PyAV videos and real photos go into the S3 bucket; the runs go through the API, the GPU
worker and the reporter as real processes; the samples are read back with the real, unmodified
``lightly==1.5.26`` client (tests/flow/lightly_samples_script.py), whose strict models validate
``videoFrameData`` and ``cropData``.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from tests.flow.conftest import Api, schedule_config
from tests.flow.lightly_venv import client_env
from tests.flow.test_end_to_end import _create_dataset_with_sources, _download, _follow
from tests.videos import decode_all, write_moving_shapes, write_truncated
from winnow_common.video_frames import frame_name

pytestmark = pytest.mark.flow

SCRIPT = Path(__file__).with_name("lightly_samples_script.py")
VIDEOS = {"clips/moving.mp4": 40, "clips/other.avi": 12}


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def video_files() -> dict[str, bytes]:
    """Two good videos (an MP4 with a scene cut, an AVI) and a truncated MP4."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_moving_shapes(root / "moving.mp4", n_frames=40, scene_cut_at=20, gop_size=8)
        write_moving_shapes(root / "other.avi", n_frames=12)
        write_truncated(root / "truncated.mp4", n_frames=40)
        return {
            "clips/moving.mp4": (root / "moving.mp4").read_bytes(),
            "clips/other.avi": (root / "other.avi").read_bytes(),
            "bad/truncated.mp4": (root / "truncated.mp4").read_bytes(),
        }


def _dataset(api: Api, services: dict[str, str], prefix: str, type_: str = "Images") -> str:
    return _create_dataset_with_sources(
        api,
        services,
        f"obs://{services['S3_INPUT_BUCKET']}/{prefix}",
        f"obs://{services['S3_LIGHTLY_BUCKET']}/{prefix}",
        type_,
    )


def _put(s3: Any, bucket: str, prefix: str, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=data)


def _videos_dataset(api: Api, services: dict[str, str], s3: Any, files: dict[str, bytes]) -> str:
    """A ``Videos`` dataset over ``files`` uploaded under a fresh prefix."""
    prefix = f"videos-{uuid.uuid4().hex[:8]}"
    _put(s3, services["S3_INPUT_BUCKET"], prefix, files)
    return _dataset(api, services, prefix, "Videos")


def _read_with_lightly(
    lightly_python: Path, services: dict[str, str], api: Api, args: dict[str, Any]
) -> dict[str, Any]:
    env = client_env(
        {"LIGHTLY_SERVER_LOCATION": services["API_PUBLIC_URL"], "LIGHTLY_TOKEN": api.user.token}
    )
    proc = subprocess.run(
        [str(lightly_python), str(SCRIPT), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, f"{proc.stdout[-3000:]}\n{proc.stderr[-8000:]}"
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _dataset_name(api: Api, dataset_id: str) -> str:
    name: str = api.call("GET", f"/v1/datasets/{dataset_id}").json()["name"]
    return name


def _decoded(video_files: dict[str, bytes], video: str) -> list[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(video).name
        path.write_bytes(video_files[video])
        return decode_all(path)


def test_a_video_run_through_the_api(
    api: Api,
    services: dict[str, str],
    s3: Any,
    lightly_python: Path,
    video_files: dict[str, bytes],
) -> None:
    dataset_id = _videos_dataset(api, services, s3, video_files)
    config = {
        "selection": {
            "nSamples": 6,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        }
    }
    run, _ = _follow(api, schedule_config(api, dataset_id, config))
    assert run["state"] == "COMPLETED", run["message"]
    corrupt = json.loads(_download(api, run, "CORRUPTNESS_CHECK_INFORMATION").content)
    assert list(corrupt["corrupt_videos"]) == ["bad/truncated.mp4"]

    read = _read_with_lightly(
        lightly_python, services, api, {"dataset_name": _dataset_name(api, dataset_id)}
    )
    dataset = read["dataset"]
    assert dataset["dataset_type"] == "Videos"
    assert len(dataset["tag_filenames"]) == 6
    samples = dataset["samples"]
    assert sorted(s["file_name"] for s in samples) == dataset["tag_filenames"]
    for sample in samples:
        assert sample["type"] == "VIDEO_FRAME"
        frame = sample["video_frame_data"]
        video, index = frame["source_video"], int(frame["source_video_frame_index"])
        decoded = _decoded(video_files, video)
        assert sample["file_name"] == frame_name(video, index, len(decoded))
        assert frame["source_video_frame_timestamp"] == pytest.approx(decoded[index].time)

    # A frame sample's image is the frame itself, extracted by the run.
    sample = samples[0]
    url = api.call("GET", f"/v1/datasets/{dataset_id}/samples/{sample['id']}/readurl")
    assert url.status_code == 200, url.text
    image = httpx.get(url.json())
    assert image.status_code == 200
    frame = sample["video_frame_data"]
    decoded = _decoded(video_files, frame["source_video"])
    assert image.content == _png(decoded[int(frame["source_video_frame_index"])].image)

    # The dashboard's galleries show a selected frame from where the run extracted it.
    galleries = api.call("GET", f"/dashboard/api/runs/{run['id']}/galleries").json()
    pair = galleries["pairs"][0]
    assert "/datasource/lightly/.lightly/frames/" in pair["selectedUrl"]
    thumbnail = httpx.get(f"{api.url}{pair['selectedUrl']}")
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\x89PNG")


def test_a_sequence_run_and_its_sequence_information(
    api: Api,
    services: dict[str, str],
    s3: Any,
    lightly_python: Path,
    video_files: dict[str, bytes],
) -> None:
    good = {k: v for k, v in video_files.items() if k in VIDEOS}
    dataset_id = _videos_dataset(api, services, s3, good)
    config = {
        "docker": {
            "selectedSequenceLength": 4,
            "enableCorruptnessCheck": False,
            "removeExactDuplicates": False,
        },
        "selection": {
            "nSamples": 8,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    }
    run, _ = _follow(api, schedule_config(api, dataset_id, config))
    assert run["state"] == "COMPLETED", run["message"]
    with tempfile.TemporaryDirectory() as out:
        read = _read_with_lightly(
            lightly_python,
            services,
            api,
            {
                "dataset_name": _dataset_name(api, dataset_id),
                "sequence_run_id": run["id"],
                "output_dir": out,
            },
        )
    sequences = read["sequence_information"]
    assert len(sequences) == 2
    names = []
    for seq in sequences:
        decoded = _decoded(video_files, seq["video_name"])
        first = seq["frame_indices"][0]
        assert seq["frame_indices"] == list(range(first, first + 4))
        assert seq["frame_timestamps_pts"] == [decoded[i].pts for i in seq["frame_indices"]]
        names += seq["frame_names"]
    assert sorted(names) == read["dataset"]["tag_filenames"]


def _photo(name: str) -> np.ndarray:
    return np.asarray(Image.fromarray(getattr(skdata, name)()).convert("RGB").resize((160, 120)))


def test_an_object_level_run_selects_crops_and_tags_their_parents(
    api: Api, services: dict[str, str], s3: Any, lightly_python: Path
) -> None:
    prefix = f"objects-{uuid.uuid4().hex[:8]}"
    photos = ("astronaut", "coffee", "chelsea", "rocket")
    images = {}
    for photo in photos:
        buf = io.BytesIO()
        Image.fromarray(_photo(photo)).save(buf, format="PNG")
        images[f"img/{photo}.png"] = buf.getvalue()
    _put(s3, services["S3_INPUT_BUCKET"], prefix, images)
    boxes = [[10, 10, 40, 30], [80, 40, 50, 60], [20, 70, 30, 30]]
    lightly_files = {
        ".lightly/predictions/tasks.json": b'["boxes"]',
        ".lightly/predictions/boxes/schema.json": json.dumps(
            {"task_type": "object-detection", "categories": [{"id": 0, "name": "thing"}]}
        ).encode(),
    }
    for photo in photos[:3]:  # the rocket has no predictions: it cannot be a parent
        predictions = [
            {"category_id": 0, "bbox": box, "score": 0.5 + 0.1 * i} for i, box in enumerate(boxes)
        ]
        lightly_files[f".lightly/predictions/boxes/img/{photo}.json"] = json.dumps(
            {"file_name": f"img/{photo}.png", "predictions": predictions}
        ).encode()
    _put(s3, services["S3_LIGHTLY_BUCKET"], prefix, lightly_files)
    dataset_id = _dataset(api, services, prefix)
    config = {
        "docker": {"objectLevel": {"taskName": "boxes", "cropDatasetName": f"{prefix}-crops"}},
        "selection": {
            "nSamples": 3,
            "strategies": [
                {
                    "input": {"type": "EMBEDDINGS", "task": "boxes"},
                    "strategy": {"type": "DIVERSITY"},
                }
            ],
        },
    }
    run, _ = _follow(api, schedule_config(api, dataset_id, config))
    assert run["state"] == "COMPLETED", run["message"]
    assert "9 objects of task 'boxes' on 3 images" in _download(api, run, "LOG").text
    read = _read_with_lightly(
        lightly_python,
        services,
        api,
        {"dataset_name": _dataset_name(api, dataset_id), "crops_dataset_name": f"{prefix}-crops"},
    )
    crops, parents = read["crops"], read["dataset"]
    assert crops["dataset_type"] == "Crops"
    assert len(crops["tag_filenames"]) == 3
    parent_ids = {s["id"]: s["file_name"] for s in parents["samples"]}
    holders = set()
    for sample in crops["samples"]:
        assert sample["type"] == "CROP"
        crop = sample["crop_data"]
        assert crop["prediction_task_name"] == "boxes"
        assert crop["parent_id"] in parent_ids
        parent = parent_ids[crop["parent_id"]]
        index = crop["prediction_index"]
        assert sample["file_name"] == f"boxes/{parent[:-4]}-{index}-png.png"
        assert crop["prediction_task_score"] == pytest.approx(0.5 + 0.1 * index)
        holders.add(parent)
    # The full images holding a selected object are the parent dataset's selection.
    assert parents["tag_filenames"] == sorted(holders)
    assert "img/rocket.png" not in holders

    # The galleries' samples are crops: a selected crop's image is where the run stored it.
    galleries = api.call("GET", f"/dashboard/api/runs/{run['id']}/galleries").json()
    pair = galleries["pairs"][0]
    assert "/datasource/lightly/.lightly/crops/boxes/img/" in pair["selectedUrl"]
    thumbnail = httpx.get(f"{api.url}{pair['selectedUrl']}")
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\x89PNG")
