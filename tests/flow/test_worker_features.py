"""Worker features through the API on real servers: training, checkpoint reuse by run id,
SIMILARITY against another dataset's tag, the datapool across runs, corruptness artifact."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.flow.conftest import (
    Api,
    ImageSet,
    _image,
    make_image_set,
    schedule_config,
    upload,
)
from tests.flow.test_end_to_end import (
    _bucket_lines,
    _create_dataset_with_sources,
    _download,
    _follow,
)

pytestmark = pytest.mark.flow

TINY_TRAINING = {
    "loader": {"batchSize": 4, "numWorkers": 0},
    "trainer": {"maxEpochs": 1},
    "collate": {"inputSize": 32},
}


def _selected(api: Api, dataset_id: str, tag_name: str) -> list[str]:
    tags = {t["name"]: t for t in api.call("GET", f"/v1/datasets/{dataset_id}/tags").json()}
    export = api.call(
        "GET",
        f"/v1/datasets/{dataset_id}/tags/{tags[tag_name]['id']}/export/basic/filenames",
        params={"pageSize": 5000, "pageOffset": 0},
    )
    return [n for n in export.json().split("\n") if n]


def _dataset(api: Api, services: dict[str, str], images: ImageSet, lightly_prefix: str) -> str:
    return _create_dataset_with_sources(
        api,
        services,
        f"obs://{services['S3_INPUT_BUCKET']}/{images.prefix}",
        f"obs://{services['S3_LIGHTLY_BUCKET']}/{lightly_prefix}",
    )


def test_training_checkpoint_run_id_and_similarity_query_set(
    api: Api, services: dict[str, str], s3: Any
) -> None:
    images = make_image_set(12)
    upload(s3, services["S3_INPUT_BUCKET"], images)
    first_id = _dataset(api, services, images, f"{images.prefix}-a")
    training = {
        "docker": {"enableTraining": True},
        "lightly": TINY_TRAINING,
        "selection": {
            "nSamples": 4,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    }
    first, states = _follow(api, schedule_config(api, first_id, training))
    assert first["state"] == "COMPLETED", first["message"]
    assert "TRAINING" in states or "EMBEDDING" in states
    types = {a["type"] for a in first["artifacts"]}
    assert types >= {"CHECKPOINT", "CORRUPTNESS_CHECK_INFORMATION", "LOG", "REPORT_PDF"}
    corrupt = json.loads(_download(api, first, "CORRUPTNESS_CHECK_INFORMATION").content)
    assert set(corrupt["corrupt_samples"]) == images.corrupt
    checkpoint = _download(api, first, "CHECKPOINT").content
    assert checkpoint[:2] == b"PK"  # a torch.save zip archive
    assert json.loads(_download(api, first, "REPORT_JSON").content)["model"]["trained"] is True
    first_selected = _selected(api, first_id, "initial-tag")
    assert len(first_selected) == 4

    # A second dataset over the same images: the first run's model via checkpointRunId, and
    # the first dataset's tag as the SIMILARITY query set. Identical images have cosine 1, so
    # exactly the query images are selected.
    second_id = _dataset(api, services, images, f"{images.prefix}-b")
    similar = {
        "docker": {"checkpointRunId": first["id"]},
        "lightly": {"collate": {"inputSize": 32}},
        "selection": {
            "nSamples": 4,
            "strategies": [
                {
                    "input": {
                        "type": "EMBEDDINGS",
                        "datasetId": first_id,
                        "tagName": "initial-tag",
                    },
                    "strategy": {"type": "SIMILARITY"},
                }
            ],
        },
    }
    second, _ = _follow(api, schedule_config(api, second_id, similar))
    assert second["state"] == "COMPLETED", second["message"]
    assert "CHECKPOINT" not in {a["type"] for a in second["artifacts"]}
    report = json.loads(_download(api, second, "REPORT_JSON").content)
    assert report["model"]["trained"] is True
    assert f"checkpoint of run {first['id']}" in report["model"]["description"]
    assert sorted(_selected(api, second_id, "initial-tag")) == sorted(first_selected)


def test_checkpoint_run_id_of_a_run_without_training_fails_clearly(
    api: Api, services: dict[str, str], s3: Any
) -> None:
    images = make_image_set(8)
    upload(s3, services["S3_INPUT_BUCKET"], images)
    dataset_id = _dataset(api, services, images, images.prefix)
    plain = {
        "selection": {
            "nSamples": 2,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        }
    }
    first, _ = _follow(api, schedule_config(api, dataset_id, plain))
    assert first["state"] == "COMPLETED", first["message"]
    reuse = {**plain, "docker": {"checkpointRunId": first["id"]}}
    second, _ = _follow(api, schedule_config(api, dataset_id, reuse))
    assert second["state"] == "FAILED"
    assert "no CHECKPOINT artifact" in second["message"], second["message"]


def test_datapool_second_run_processes_only_new_files(
    api: Api, services: dict[str, str], s3: Any
) -> None:
    images = make_image_set(8)
    upload(s3, services["S3_INPUT_BUCKET"], images)
    dataset_id = _dataset(api, services, images, images.prefix)
    config = {
        "docker": {"useDatapool": True, "relevantFilenamesFile": ".lightly/relevant.txt"},
        "selection": {
            "nSamples": 3,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    }
    # Only the good images count: the relevant-filenames file leaves out the broken folder.
    s3.put_object(
        Bucket=services["S3_LIGHTLY_BUCKET"],
        Key=f"{images.prefix}/.lightly/relevant.txt",
        Body=b"a/*\nb/*\nz_copies/*\n",
    )
    first, _ = _follow(api, schedule_config(api, dataset_id, config))
    assert first["state"] == "COMPLETED", first["message"]
    assert "3 of 10 samples" in first["message"], first["message"]  # 8 good + 2 copies
    first_selected = _selected(api, dataset_id, "initial-tag")

    new_names = [f"a/new_{i}.png" for i in range(4)]
    for i, name in enumerate(new_names):
        s3.put_object(
            Bucket=services["S3_INPUT_BUCKET"],
            Key=f"{images.prefix}/{name}",
            Body=_image(200 + i, "PNG"),
        )
    second, _ = _follow(api, schedule_config(api, dataset_id, config))
    assert second["state"] == "COMPLETED", second["message"]
    assert "3 of 4 samples" in second["message"], second["message"]
    second_selected = _selected(api, dataset_id, f"run-{second['id']}")
    assert set(second_selected) <= set(new_names) and len(second_selected) == 3
    pool = _bucket_lines(
        s3, services["S3_LIGHTLY_BUCKET"], f"{images.prefix}/.lightly/datapool/datapool_latest.csv"
    )
    assert sorted(line.split(",")[0] for line in pool[1:]) == sorted(
        first_selected + second_selected
    )
