"""Object-level results: the crops dataset, CROP samples and their cropData, tags in both
datasets, idempotent re-recording, and the real lightly 1.5.26 models reading it all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api import selection_world as sw
from tests.api.conftest import ApiUser
from tests.api.helpers import create_dataset
from tests.flow.lightly_venv import build_lightly_venv, client_env, run_checked
from winnow_common.db.session import session_factory
from winnow_common.errors import PipelineError
from winnow_common.lifecycle.results import WorkerStageResult, record_selection


@pytest.fixture
def world(client: TestClient, user: ApiUser) -> sw.World:
    return sw.build(client, user)


def _tags(client: TestClient, user: ApiUser, dataset_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/datasets/{dataset_id}/tags", params=user.params)
    assert response.status_code == 200, response.text
    return sorted(response.json(), key=lambda t: t["createdAt"])


def test_the_crops_dataset_is_created_with_the_parents_storage(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    crops = sw.crops_dataset(client, user, f"{world.dataset_name}-crops")
    assert crops["type"] == "Crops" and crops["parentDatasetId"] == world.dataset_id
    assert crops["nSamples"] == 2 and len(crops["datasources"]) == 2
    parent = client.get(f"/v1/datasets/{world.dataset_id}", params=user.params).json()
    assert "parentDatasetId" not in parent
    for purpose in ("INPUT", "LIGHTLY"):
        copied = client.get(
            f"/v1/datasets/{crops['id']}/datasource", params={**user.params, "purpose": purpose}
        ).json()
        original = client.get(
            f"/v1/datasets/{world.dataset_id}/datasource",
            params={**user.params, "purpose": purpose},
        ).json()
        assert copied["fullPath"] == original["fullPath"]
        assert {k: v for k, v in copied.items() if k != "id"} == {
            k: v for k, v in original.items() if k != "id"
        }


def test_crop_samples_on_the_wire(client: TestClient, user: ApiUser, world: sw.World) -> None:
    image, frame = sw.samples(client, user, world.dataset_id)
    crops = sw.crops_dataset(client, user, f"{world.dataset_name}-crops")
    listed = sw.samples(client, user, crops["id"])
    assert [s["fileName"] for s in listed] == [sw.CROP_OF_IMAGE, sw.CROP_OF_FRAME]
    assert all(s["type"] == "CROP" and "videoFrameData" not in s for s in listed)
    of_image, of_frame = (s["cropData"] for s in listed)
    stamp = of_image["predictionUUIDTimestamp"]
    assert isinstance(stamp, int) and stamp > 1_700_000_000_000  # epoch milliseconds
    assert of_image == {
        "parentId": image["id"],
        "predictionUUIDTimestamp": stamp,
        "predictionIndex": 0,
        "predictionTaskName": "cars",
        "predictionTaskCategoryId": 2,
        "predictionTaskScore": 0.875,
    }
    assert of_frame["parentId"] == frame["id"]  # a crop of a video frame
    assert (of_frame["predictionIndex"], of_frame["predictionTaskCategoryId"]) == (2, 1)
    assert of_frame["predictionTaskScore"] == 1.0
    assert isinstance(of_frame["predictionTaskScore"], float)


def test_crop_read_urls_and_exports_stream_the_crop_images(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    crops = sw.crops_dataset(client, user, f"{world.dataset_name}-crops")
    listed = sw.samples(client, user, crops["id"])
    for sample, name in zip(listed, [sw.CROP_OF_IMAGE, sw.CROP_OF_FRAME], strict=True):
        url = sw.read_url(client, user, crops["id"], sample["id"])
        assert sw.download(client, url) == world.files[name]
    (initial,) = _tags(client, user, crops["id"])
    base = f"/v1/datasets/{crops['id']}/tags/{initial['id']}/export"
    query = {**user.params, "pageSize": 10, "pageOffset": 0}
    rows = client.get(f"{base}/LabelBoxV4/datarows", params=query).json()
    assert [r["global_key"] for r in rows] == [sw.CROP_OF_IMAGE, sw.CROP_OF_FRAME]
    assert sw.download(client, rows[1]["row_data"]) == world.files[sw.CROP_OF_FRAME]
    full = client.get(
        f"{base}/basic/filenames", params={**query, "fileNameFormat": "DATASOURCE_FULL"}
    ).json()
    assert full.split("\n") == [
        f"obs://{world.bucket}/lightly/.lightly/crops/{sw.CROP_OF_IMAGE}",
        f"obs://{world.bucket}/lightly/.lightly/crops/{sw.CROP_OF_FRAME}",
    ]


def test_selection_tags_in_both_datasets(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    crops = sw.crops_dataset(client, user, f"{world.dataset_name}-crops")
    (parent_tag,) = _tags(client, user, world.dataset_id)
    (crops_tag,) = _tags(client, user, crops["id"])
    for tag in (parent_tag, crops_tag):
        assert tag["name"] == "initial-tag" and tag["bitMaskData"] == "0x3"
        assert tag["totSize"] == 2 and tag["runId"] == world.run_id
    # A later run selects the other crop of the image: run-<id> tags below initial-tag.
    second = sw.record(world.dataset_id, sw.result([sw.IMAGE], [sw.UNSELECTED_CROP]))
    parent_tags = _tags(client, user, world.dataset_id)
    crops_tags = _tags(client, user, crops["id"])
    assert [t["name"] for t in parent_tags] == ["initial-tag", f"run-{second}"]
    assert [t["name"] for t in crops_tags] == ["initial-tag", f"run-{second}"]
    assert parent_tags[1]["bitMaskData"] == "0x1" and parent_tags[1]["totSize"] == 2
    assert crops_tags[1]["bitMaskData"] == "0x4" and crops_tags[1]["totSize"] == 3
    assert crops_tags[1]["prevTagId"] == crops_tags[0]["id"]
    run_tags = client.get(f"/v1/docker/runs/{second}/tags", params=user.params).json()
    assert sorted(t["datasetId"] for t in run_tags) == sorted([world.dataset_id, crops["id"]])


def test_recording_again_replaces_the_tags_and_keeps_the_samples(
    client: TestClient, user: ApiUser, world: sw.World
) -> None:
    crops = sw.crops_dataset(client, user, f"{world.dataset_name}-crops")
    before = (sw.samples(client, user, world.dataset_id), sw.samples(client, user, crops["id"]))
    tags_before = [_tags(client, user, d) for d in (world.dataset_id, crops["id"])]
    stage = sw.result([sw.IMAGE, sw.FRAME], [sw.CROP_OF_IMAGE, sw.CROP_OF_FRAME])
    sw.record(world.dataset_id, stage, run_id=world.run_id)  # a retried recording
    after = (sw.samples(client, user, world.dataset_id), sw.samples(client, user, crops["id"]))
    assert after == before  # same ids, indices and cropData (the first timestamp kept)
    tags_after = [_tags(client, user, d) for d in (world.dataset_id, crops["id"])]
    assert [[(t["name"], t["bitMaskData"]) for t in ts] for ts in tags_after] == [
        [("initial-tag", "0x3")],
        [("initial-tag", "0x3")],
    ]
    assert tags_after[0][0]["id"] != tags_before[0][0]["id"]  # replaced, not duplicated
    assert sw.crops_dataset(client, user, f"{world.dataset_name}-crops")["id"] == crops["id"]


def test_the_crops_dataset_name_from_the_config(client: TestClient, user: ApiUser) -> None:
    world = sw.build(client, user, crop_dataset_name="my object crops")
    crops = sw.crops_dataset(client, user, "my object crops")
    assert crops["parentDatasetId"] == world.dataset_id and crops["nSamples"] == 2
    listed = client.get(
        f"/v1/datasets/query/name/{world.dataset_name}-crops",
        params={**user.params, "exact": True},
    ).json()
    assert listed == []


def test_a_dataset_of_that_name_that_holds_no_crops_fails_the_recording(
    client: TestClient, user: ApiUser
) -> None:
    world = sw.build(client, user)
    taken = f"{world.dataset_name}-taken"
    create_dataset(client, user.params, taken)  # an Images dataset
    stage = sw.result([sw.IMAGE], [sw.CROP_OF_IMAGE], crop_dataset_name=taken)
    with pytest.raises(PipelineError) as info, session_factory().begin() as session:
        record_selection(session, world.run_id, stage)
    assert info.value.message.startswith(
        f"cropDatasetName: dataset {taken!r} already exists and is of type 'Images', not 'Crops'"
    )
    assert sw.samples(client, user, sw.crops_dataset(client, user, taken)["id"]) == []


def test_a_run_without_crops_creates_no_crops_dataset(client: TestClient, user: ApiUser) -> None:
    plain = create_dataset(client, user.params)
    name = client.get(f"/v1/datasets/{plain}", params=user.params).json()["name"]
    sw.record(plain, WorkerStageResult([sw.IMAGE, "b.png"], 2, False, "random init"))
    gone = client.get(
        f"/v1/datasets/query/name/{name}-crops", params={**user.params, "exact": True}
    ).json()
    assert gone == []
    assert [s["type"] for s in sw.samples(client, user, plain)] == ["IMAGE", "IMAGE"]


# --- the real lightly client's models ----------------------------------------------------------

LIGHTLY_CHECK = """
import json, sys
from lightly.openapi_generated.swagger_client.models import DatasetData, SampleDataModes

document = json.load(open(sys.argv[1]))
for sample in document["samples"]:
    # from_dict marks every key as set, so to_dict writes the absent ones as None.
    parsed = SampleDataModes.from_dict(sample).to_dict(by_alias=True)
    parsed = {key: value for key, value in parsed.items() if value is not None}
    assert parsed == sample, (parsed, sample)
for dataset in document["datasets"]:
    DatasetData.from_dict(dataset)
print("validated", len(document["samples"]), len(document["datasets"]))
"""


@pytest.fixture(scope="module")
def lightly_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real lightly 1.5.26 client in a throwaway venv (as the flow tests build it)."""
    return build_lightly_venv(tmp_path_factory.mktemp("lightly-client-venv"))


def test_lightly_reads_the_samples_and_datasets(
    client: TestClient,
    user: ApiUser,
    world: sw.World,
    lightly_python: Path,
    tmp_path: Path,
) -> None:
    crops = sw.crops_dataset(client, user, f"{world.dataset_name}-crops")
    samples = sw.samples(client, user, world.dataset_id) + sw.samples(client, user, crops["id"])
    assert {s["type"] for s in samples} == {"IMAGE", "VIDEO_FRAME", "CROP"}
    parent = client.get(f"/v1/datasets/{world.dataset_id}", params=user.params).json()
    document = tmp_path / "wire.json"
    document.write_text(json.dumps({"samples": samples, "datasets": [parent, crops]}))
    script = tmp_path / "check.py"
    script.write_text(LIGHTLY_CHECK)
    out = run_checked(
        [str(lightly_python), str(script), str(document)], timeout=120, env=client_env({})
    )
    assert out.split() == ["validated", "4", "2"]
