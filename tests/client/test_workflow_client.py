"""WinnowWorkflowClient (lightly's ApiWorkflowClient method names) against the running stack:
real API, GPU worker and reporter processes, S3 (SeaweedFS) and PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import make_user
from tests.flow.conftest import Api, ImageSet, make_image_set, upload
from winnow_client import (
    ApiWorkflowClient,
    ArtifactNotExist,
    TagDoesNotExistError,
    WinnowApiError,
    WinnowClient,
    WinnowWorkflowClient,
)
from winnow_client.generated.api.samples import get_samples_partial
from winnow_client.generated.models import GetSamplesPartialMode, RunData, TagData
from winnow_client.workflow import to_camel_keys

pytestmark = pytest.mark.flow

N_SAMPLES = 6


def _client(api: Api) -> WinnowWorkflowClient:
    return WinnowWorkflowClient(api.user.token, server_location=api.url)


def _dataset_with_sources(
    client: WinnowWorkflowClient, services: dict[str, str], s3: Any
) -> ImageSet:
    images = make_image_set()
    upload(s3, services["S3_INPUT_BUCKET"], images)
    client.create_dataset(f"client {time.time_ns()}")
    for purpose, bucket in (("INPUT", "S3_INPUT_BUCKET"), ("LIGHTLY", "S3_LIGHTLY_BUCKET")):
        client.set_obs_config(
            f"obs://{services[bucket]}/{images.prefix}",
            services["S3_ENDPOINT_URL"],
            services["S3_ACCESS_KEY_ID"],
            services["S3_SECRET_ACCESS_KEY"],
            purpose=purpose,
        )
    return images


def test_snake_case_config_keys_become_camel_case_like_lightly() -> None:
    config = {
        "n_samples": 5,
        "strategies": [
            {
                "input": {"type": "PREDICTIONS", "task": "t", "name": "CLASS_DISTRIBUTION"},
                "strategy": {
                    "type": "BALANCE",
                    "target": {"traffic_light": 0.5, "car_x": 0.5},
                    "stopping_condition_minimum_distance": 0.1,
                    "target_range": {"min_sum": 1},
                },
            }
        ],
    }
    strategy = to_camel_keys(config)["strategies"][0]["strategy"]
    assert to_camel_keys(config)["nSamples"] == 5
    assert strategy["target"] == {"traffic_light": 0.5, "car_x": 0.5}
    assert strategy["stopping_condition_minimum_distance"] == 0.1
    assert strategy["targetRange"] == {"minSum": 1}


def test_server_and_token_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WINNOW_TOKEN", "LIGHTLY_TOKEN", "WINNOW_SERVER_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", "http://127.0.0.1:1/prefix/")
    with pytest.raises(ValueError, match="token"):
        ApiWorkflowClient()
    monkeypatch.setenv("LIGHTLY_TOKEN", "t0ken")
    client = ApiWorkflowClient()
    assert client.server_location == "http://127.0.0.1:1/prefix" and client.token == "t0ken"
    monkeypatch.delenv("LIGHTLY_SERVER_LOCATION")
    with pytest.raises(ValueError, match="server"):
        ApiWorkflowClient(token="t0ken")


def test_datasets_workers_and_sharing(api: Api, services: dict[str, str], s3: Any) -> None:
    client = _client(api)
    name = f"client-datasets {time.time_ns()}"
    client.create_dataset(name)
    dataset_id = client.dataset_id
    assert client.dataset_exists(dataset_id)
    assert [d.id for d in client.get_datasets_by_name(name)] == [dataset_id]
    assert dataset_id in {d.id for d in client.get_datasets()}
    with pytest.raises(ValueError, match="already exists"):
        client.create_dataset(name)

    # A second client of the same user: the dataset_id setter checks the id exists.
    other = WinnowClient(api.url, api.user.token)
    other.dataset_id = dataset_id
    with pytest.raises(ValueError, match="does not exist"):
        other.dataset_id = "0" * 24

    client.set_obs_config(
        f"obs://{services['S3_INPUT_BUCKET']}/nothing-here",
        services["S3_ENDPOINT_URL"],
        services["S3_ACCESS_KEY_ID"],
        services["S3_SECRET_ACCESS_KEY"],
        purpose="INPUT",
    )
    source = client.get_datasource()
    assert source.type_ == "OBS" and source.full_path.endswith("/nothing-here")
    permissions = client.list_datasource_permissions()
    flags = ("can_read", "can_write", "can_list", "can_overwrite")
    assert all(isinstance(permissions[flag], bool) for flag in flags), permissions
    assert set(permissions.get("errors", {})) <= set(flags)

    worker_name = f"client-worker-{time.time_ns()}"
    worker_id = client.register_compute_worker(worker_name, labels=["gpu"])
    assert client.register_compute_worker(worker_name, labels=["gpu"]) == worker_id
    assert worker_id in client.get_compute_worker_ids()
    assert next(w for w in client.get_compute_workers() if w.id == worker_id).labels == ["gpu"]
    client.delete_compute_worker(worker_id)
    assert worker_id not in client.get_compute_worker_ids()

    client.share_dataset_only_with(dataset_id, ["friend@winnow.test"])
    assert client.get_shared_users(dataset_id) == ["friend@winnow.test"]
    client.share_dataset_only_with(dataset_id, [])
    assert client.get_shared_users(dataset_id) == []

    stranger = _client(Api(api.url, make_user()))
    with pytest.raises(WinnowApiError):
        stranger.get_dataset_by_id(dataset_id)

    client.delete_dataset_by_id(dataset_id)
    assert not client.dataset_exists(dataset_id)


def _run_to_the_end(client: WinnowWorkflowClient, scheduled_id: str) -> RunData:
    """Follow the scheduled run with the info generator until it ends; its completed run."""
    infos = []
    deadline = time.monotonic() + 420
    for info in client.compute_worker_run_info_generator(scheduled_id, poll_interval_s=0.5):
        infos.append(info)
        assert time.monotonic() < deadline, infos
    assert infos[-1].ended_successfully(), infos
    assert all(not i.in_end_state() for i in infos[:-1])

    run = client.get_compute_worker_run_from_scheduled_run(scheduled_id)
    assert isinstance(run, RunData) and run.state == "COMPLETED"
    assert run.dataset_id == client.dataset_id and run.scheduled_id == scheduled_id
    assert client.get_compute_worker_run(run.id).id == run.id
    assert run.id in [r.id for r in client.get_compute_worker_runs(client.dataset_id)]
    assert run.id in [r.id for r in client.get_compute_worker_runs()]
    assert scheduled_id not in [s.id for s in client.get_scheduled_compute_worker_runs()]
    assert scheduled_id in [s.id for s in client.get_scheduled_compute_worker_runs("DONE")]
    return run


def _check_artifacts(client: WinnowWorkflowClient, run: RunData, tmp_path: Path) -> None:
    """The report, log and all artifacts download; a missing MEMLOG is ArtifactNotExist."""
    client.download_compute_worker_run_report_pdf(run, tmp_path / "report.pdf")
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    client.download_compute_worker_run_report_json(run, tmp_path / "report.json")
    assert isinstance(json.loads((tmp_path / "report.json").read_text()), dict)
    client.download_compute_worker_run_log(run, tmp_path / "log.txt")
    assert (tmp_path / "log.txt").stat().st_size > 0
    client.download_compute_worker_run_artifacts(run, tmp_path / "all")
    assert {a.file_name for a in run.artifacts} <= {
        p.relative_to(tmp_path / "all").as_posix()
        for p in (tmp_path / "all").rglob("*")
        if p.is_file()
    }
    if "MEMLOG" not in {a.type_ for a in run.artifacts}:
        with pytest.raises(ArtifactNotExist):
            client.download_compute_worker_run_memory_log(run, tmp_path / "mem.txt")


def _check_selection_tag(
    client: WinnowWorkflowClient, run: RunData, images: ImageSet
) -> tuple[TagData, list[str]]:
    """initial-tag holds the selected samples, exported by name and with signed read URLs;
    the tag and its filenames."""
    assert "initial-tag" in {t.name for t in client.get_all_tags()}
    initial = client.get_tag_by_name("initial-tag")
    assert initial.tot_size == N_SAMPLES
    with pytest.raises(TagDoesNotExistError):
        client.get_tag_by_name("no-such-tag")
    assert initial.id in {t.id for t in client.get_compute_worker_run_tags(run.id)}
    selected = client.export_filenames_by_tag_name("initial-tag").splitlines()
    assert len(selected) == N_SAMPLES and set(selected) <= set(images.files)
    assert sorted(client.get_filenames_in_tag(initial)) == sorted(selected)

    with_urls = client.export_filenames_and_read_urls_by_tag_name("initial-tag")
    assert [row["fileName"] for row in with_urls] == selected
    first = with_urls[0]
    assert first["datasourceUrl"].endswith(first["fileName"])
    # Signed read URLs work without the token.
    fetched = httpx.get(first["readUrl"], follow_redirects=True, timeout=30)
    assert fetched.status_code == 200 and fetched.content == images.files[first["fileName"]]
    return initial, selected


def test_a_run_through_the_workflow_client(
    api: Api, services: dict[str, str], s3: Any, tmp_path: Path
) -> None:
    client = _client(api)
    images = _dataset_with_sources(client, services, s3)
    scheduled_id = client.schedule_compute_worker_run(
        worker_config={"enable_corruptness_check": True, "remove_exact_duplicates": True},
        selection_config={
            "n_samples": N_SAMPLES,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    )
    run = _run_to_the_end(client, scheduled_id)
    _check_artifacts(client, run, tmp_path)
    initial, selected = _check_selection_tag(client, run, images)

    subset = sorted(selected)[:2]
    created = client.create_tag_from_filenames(subset, "client-subset")
    tag = client.get_tag_by_name("client-subset")
    assert tag.id == created.id and tag.prev_tag_id == initial.id
    assert sorted(client.export_filenames_by_tag_name("client-subset").splitlines()) == subset
    assert client.get_filenames_in_tag(tag, exclude_parent_tag=True) == []
    with pytest.raises(RuntimeError, match="already exists"):
        client.create_tag_from_filenames(subset, "client-subset")

    # Custom metadata lands on the samples, the whole entry included.
    client.upload_custom_metadata(
        {
            "images": [{"id": 7, "file_name": selected[0]}],
            "metadata": [{"image_id": 7, "weather": {"sunny": True}}],
        }
    )
    samples = get_samples_partial.sync(
        client.dataset_id, client=client.api, mode=GetSamplesPartialMode("full")
    )
    assert isinstance(samples, list)
    sample = next(s for s in samples if s.file_name == selected[0])
    assert sample.custom_meta_data.to_dict() == {"image_id": 7, "weather": {"sunny": True}}
