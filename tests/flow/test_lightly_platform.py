"""The platform half through the real ``lightly==1.5.26`` client, unmodified (two users).

tests/flow/lightly_platform_script.py runs in the client's throwaway venv against the running
stack (API, GPU worker, reporter as real processes) and calls the 32 ``ApiWorkflowClient``
methods the worker workflow does not; this test prepares the bucket, runs it and checks what
came back: results, not status codes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest

from tests.api.conftest import make_user
from tests.flow.conftest import ImageSet, _image, make_image_set, upload
from tests.flow.lightly_venv import client_env
from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.schemas.selection_config import (
    SelectionEntry,
    SelectionInput,
    SelectionStrategy,
)
from winnow_common.storage.keys import RunKeys
from winnow_gpu_worker.ml.embed import l2_normalize
from winnow_gpu_worker.ml.selection import ResolvedStrategy
from winnow_gpu_worker.ml.selection import select as engine_select

pytestmark = pytest.mark.flow

SCRIPT = Path(__file__).with_name("lightly_platform_script.py")
N_RUN = 10
SAMPLING_N = 4
TASK_NAME = "weather-classification"
LATE = {"late/late_00.png": _image(200, "PNG"), "late/late_01.jpg": _image(201, "JPEG")}
CUSTOM_EMBEDDINGS = b"filenames,embedding_0,embedding_1,labels\na/img_00.jpg,0.5,0.25,0\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _prepare_bucket(s3: Any, services: dict[str, str], images: ImageSet) -> int:
    """The first batch, then (a second later) the late batch; returns the second between."""
    upload(s3, services["S3_INPUT_BUCKET"], images)
    time.sleep(1.5)
    late_from = int(time.time())
    time.sleep(1.5)
    for name, data in LATE.items():
        s3.put_object(Bucket=services["S3_INPUT_BUCKET"], Key=f"{images.prefix}/{name}", Body=data)
    s3.put_object(
        Bucket=services["S3_LIGHTLY_BUCKET"],
        Key=f"{images.prefix}/.lightly/embeddings/custom.csv",
        Body=CUSTOM_EMBEDDINGS,
    )
    return late_from


@pytest.fixture(scope="module")
def module_s3(services: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=services["S3_ENDPOINT_URL"],
        aws_access_key_id=services["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=services["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )


@pytest.fixture(scope="module")
def platform_run(
    lightly_python: Path,
    services: dict[str, str],
    module_s3: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Any], dict[str, Any], ImageSet]:
    """Run the script once; returns its result, its arguments and the images."""
    images = make_image_set(n_good=12)
    late_from = _prepare_bucket(module_s3, services, images)
    owner, collaborator, stranger = make_user(), make_user(), make_user()
    bucket_path = f"{images.prefix}"
    args = {
        "dataset_name": f"platform {uuid.uuid4().hex[:8]}",
        "worker_name": f"platform-{uuid.uuid4().hex[:8]}",
        "n_samples": N_RUN,
        "sampling_n": SAMPLING_N,
        "output_dir": str(tmp_path_factory.mktemp("platform") / "out"),
        "obs": {
            "endpoint": services["S3_ENDPOINT_URL"],
            "access_key": services["S3_ACCESS_KEY_ID"],
            "secret_key": services["S3_SECRET_ACCESS_KEY"],
            "input_path": f"obs://{services['S3_INPUT_BUCKET']}/{bucket_path}",
            "lightly_path": f"obs://{services['S3_LIGHTLY_BUCKET']}/{bucket_path}",
        },
        "late_from": late_from,
        "custom_embedding_file": "custom.csv",
        "collaborator": {"email": collaborator.email, "token": collaborator.token},
        "stranger": {"email": stranger.email, "token": stranger.token},
    }
    env = client_env(
        {"LIGHTLY_SERVER_LOCATION": services["API_PUBLIC_URL"], "LIGHTLY_TOKEN": owner.token}
    )
    started = time.monotonic()
    proc = subprocess.run(
        [str(lightly_python), str(SCRIPT), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, (
        f"platform script exited {proc.returncode}\n--- stdout ---\n{proc.stdout[-4000:]}\n"
        f"--- stderr ---\n{proc.stderr[-12000:]}"
    )
    print(f"\nlightly platform script ended after {time.monotonic() - started:.1f}s")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result, args, images


def _image_names(images: ImageSet) -> list[str]:
    return sorted(n for n in images.files if not n.endswith(".txt"))


def test_datasource_listing_and_processed_until(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet],
) -> None:
    result, args, images = platform_run
    assert result["run_state"] == "COMPLETED"
    first = _image_names(images)
    assert result["raw_samples"] == sorted([*first, *LATE])
    assert result["raw_samples_dnc"] == result["raw_samples"]
    assert result["raw_samples_before_late"] == first
    fetched = result["raw_sample_fetch"]
    all_files = {**images.files, **LATE}
    assert fetched["sha256"] == _sha(all_files[fetched["fileName"]])
    assert result["processed_until_initial"] == 0
    assert result["processed_until_set"] == args["late_from"]
    assert result["new_raw_samples"] == sorted(LATE)
    assert result["processed_until_after_ok"] is True
    assert result["new_raw_samples_again"] == []
    assert result["custom_embedding_sha256"] == _sha(CUSTOM_EMBEDDINGS)


def test_embeddings_upload_download_and_the_runs_embedding(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet], s3: Any, services: dict
) -> None:
    result, args, _ = platform_run
    filenames = result["dataset_filenames"]
    assert len(filenames) == N_RUN
    # The run registered its embeddings before any upload.
    assert len(result["embeddings_before"]) == 1 == len(result["run_embedding_names"])
    uploaded = result["uploaded_embedding_id"]
    after = {e["id"]: e for e in result["embeddings_after"]}
    assert after[uploaded]["name"] == "my-embeddings" and after[uploaded]["is_processed"]
    assert result["embedding_by_name_id"] == uploaded == result["embedding_data_by_name_id"]
    assert result["latest_embedding_id"] == uploaded
    assert result["download_by_id_equal"] is True
    run_csv = s3.get_object(
        Bucket=services["S3_LIGHTLY_BUCKET"],
        Key=f"{args['obs']['lightly_path'].split('/', 3)[3]}/"
        f"{RunKeys.for_run(result['run_id']).embeddings_csv}",
    )["Body"].read()
    assert result["run_embeddings_sha256"] == _sha(run_csv) == result["latest_default_sha256"]
    assert result["run_embedding_names"][0].startswith("default_")
    assert result["appended_rows"] == N_RUN
    assert result["appended_filenames"] == sorted(filenames)


def test_sampling_on_stored_embeddings_and_scores(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet],
) -> None:
    result, args, _ = platform_run
    coreset = result["coreset_tag"]
    # tot_size is the dataset's size (lightly's row count), the tag's own size is its files.
    assert coreset["tot_size"] == N_RUN
    assert len(result["coreset_filenames"]) == SAMPLING_N
    assert set(result["coreset_filenames"]) <= set(result["dataset_filenames"])
    assert sorted(result["coreset_filenames"]) == _engine_coreset_picks(result, args)
    assert result["scores_uploaded"] == N_RUN
    assert len(result["al_filenames"]) == SAMPLING_N
    # Scores rise with the initial tag's order: active learning takes the last ones.
    assert sorted(result["al_filenames"]) == sorted(result["initial_tag_filenames"][-SAMPLING_N:])


def _engine_coreset_picks(result: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """What the selection engine picks (DIVERSITY) on the uploaded CSV, run here directly."""
    with (Path(args["output_dir"]) / "downloaded_by_id.csv").open() as f:
        rows = list(csv.reader(f))[1:]
    vectors = {row[0]: [float(v) for v in row[1:-1]] for row in rows}
    filenames = result["dataset_filenames_in_order"]  # bit order
    matrix = l2_normalize(np.array([vectors[n] for n in filenames], dtype=np.float32))
    diversity = SelectionEntry(
        input=SelectionInput(type=SelectionInputType.EMBEDDINGS),
        strategy=SelectionStrategy(type=SelectionStrategyType.DIVERSITY),
    )
    picks = engine_select([ResolvedStrategy(entry=diversity, values=matrix)], SAMPLING_N).indices
    return sorted(filenames[i] for i in picks)


def test_predictions_and_custom_metadata(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet],
) -> None:
    result, _, _ = platform_run
    posted: dict[str, int] = result["predictions_posted"]
    assert len(posted) == N_RUN
    stems = {name: f"{Path(name).with_suffix('.json')}" for name in posted}
    predictions_dir = f".lightly/predictions/{TASK_NAME}/"
    expected_files = sorted(predictions_dir + stem for stem in stems.values())
    assert result["prediction_files"] == expected_files == result["prediction_files_iter"]
    fetched = result["prediction_fetched"]
    assert fetched["json"] == result["prediction_read_url_json"]
    image_name = next(
        n for n, stem in stems.items() if predictions_dir + stem == fetched["fileName"]
    )
    assert fetched["json"]["file_name"] == image_name
    assert fetched["json"]["predictions"][0]["category_id"] == posted[image_name]
    metadata_files = sorted(".lightly/metadata/" + stem for stem in stems.values())
    assert result["metadata_files"] == metadata_files == result["metadata_files_iter"]
    metadata = result["metadata_fetched"]["json"]
    assert metadata == result["metadata_read_url_json"]
    assert metadata["metadata"]["weather"]["scenario"] == "cloudy"
    assert result["metadata_config_created"] is True


def test_exports_and_tag_deletion(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet],
) -> None:
    result, _, images = platform_run
    all_files = {**images.files, **LATE}
    picked = sorted(result["coreset_filenames"])
    assert result["tag_by_id_name"] == "coreset-pick"
    assert result["filenames_by_tag_id"] == picked == result["read_urls_by_tag_id"]
    expected = {name: _sha(all_files[name]) for name in picked}
    for key in ("label_studio", "label_box", "label_box_v4"):
        assert len(result[key]) == SAMPLING_N == len(result[f"{key}_by_name"]), key
        # Every tagged file, named, and its URL serves exactly that file.
        assert result[f"{key}_fetched"] == expected, key
    assert sorted(t["id"] for t in result["label_studio"]) == sorted(
        t["id"] for t in result["label_studio_by_name"]
    )
    assert (
        "scratch-1" in result["tags_before_delete"] and "scratch-2" in result["tags_before_delete"]
    )
    assert set(result["tags_before_delete"]) - set(result["tags_after_delete"]) == {
        "scratch-1",
        "scratch-2",
    }


def test_sharing_grants_then_revokes_access(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet],
) -> None:
    result, _, _ = platform_run
    dataset_id = result["dataset_id"]
    assert result["collaborator_shared"] == [dataset_id]
    assert result["collaborator_owned"] == []
    assert "coreset-pick" in result["collaborator_tags"]
    assert result["collaborator_export"] == sorted(result["coreset_filenames"])
    assert sorted(t["data"]["lightlyFileName"] for t in result["collaborator_label_studio"]) == (
        sorted(result["coreset_filenames"])
    )
    assert "by-collaborator" in result["tags_seen_by_owner"]
    assert result["collaborator_delete_status"] == 403
    assert result["collaborator_after_revoke_status"] == 404
    assert result["collaborator_shared_after_revoke"] == []
    assert result["stranger_status"] == 404


def test_dataset_lookups_run_downloads_and_client_side_helpers(
    platform_run: tuple[dict[str, Any], dict[str, Any], ImageSet],
) -> None:
    result, args, images = platform_run
    dataset_id = result["dataset_id"]
    assert result["dataset_name_exists"] is True and result["other_name_exists"] is False
    assert result["datasets_by_name"] == [dataset_id]
    assert result["all_datasets_has_it"] and result["datasets_iter_has_it"]
    assert result["dataset_type"] == "Images"
    # create_new_dataset_with_unique_name: the name was taken, so lightly appends "_1".
    assert result["unique_dataset_name"] == f"{args['dataset_name']}_1"
    assert result["set_by_name_id"] == dataset_id
    # The run's corruptness check lists the corrupt images; its report v2 and run listing.
    corrupt = result["corruptness_check"]
    assert sorted(corrupt["corrupt_samples"]) == sorted(images.corrupt), corrupt
    assert {"version", "generalInformation", "datasetAnalysis"} <= set(result["report_v2_keys"])
    assert result["runs_iter_ids"] == [result["run_id"]]
    # The memory log names the stages the run went through.
    assert all(stage in result["memlog"] for stage in ("LOADING_DATASET", "EMBEDDING", "SAMPLING"))
    # An untrained, image-only run has neither a checkpoint nor sequence information.
    assert result["checkpoint_url_error"] == "ArtifactNotExist"
    assert result["sequence_information_error"] == "ArtifactNotExist"
    assert len(result["worker_config_id"]) == 24
    # Client-side helpers and the raw signed upload.
    assert result["metadata_index"] == {"a.png": {"image_id": 0, "weather": "sunny"}}
    assert result["signed_upload_status"] == 200 and result["signed_upload_equal"] is True
