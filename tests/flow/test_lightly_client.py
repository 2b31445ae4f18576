"""The real ``lightly==1.5.26`` PyPI client, unmodified, runs the seeds' workflow against Winnow.

The client lives in its own throwaway venv (``pip install --no-deps lightly==1.5.26`` plus the few
packages ``lightly.api`` imports; no torch), built once per session. The workflow itself is
tests/flow/lightly_workflow_script.py, run with that venv's python against the running stack
(API, GPU worker and reporter as real processes): create a dataset, set INPUT/LIGHTLY
datasources, register a worker, schedule a run, follow ``compute_worker_run_info_generator`` to
COMPLETED, download the report and artifacts, export the ``initial-tag``, tag, metadata and
download calls, share and read back. Once with OBS datasources on the local S3 server (a HIGH
priority run with a tiny training, whose checkpoint is downloaded) and once with LOCAL
datasources under the workers' local datasource root (a MID run; afterwards all six
``set_*_config`` on a scratch dataset, read back with masked secrets).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from sqlalchemy import select

from tests.api.conftest import ApiUser, make_user
from tests.flow.conftest import ImageSet, make_image_set, upload
from tests.flow.lightly_venv import client_env as _client_env
from winnow_common.db.models import Sample
from winnow_common.db.session import session_factory

pytestmark = pytest.mark.flow

SCRIPT = Path(__file__).with_name("lightly_workflow_script.py")
N_SAMPLES = 6
SHARE_WITH = ["first@example.com", "second@example.com"]
DATASOURCE_SECRETS = {
    "s3": "s3-secret-" + uuid.uuid4().hex,
    "gcs": "gcs-credentials-" + uuid.uuid4().hex,
    "azure": "azure-sas-" + uuid.uuid4().hex,
    "obs": "obs-secret-" + uuid.uuid4().hex,
}
# The secret field of each type, as the lightly models name it (snake_case attributes).
SECRET_FIELDS = {
    "S3": "s3_secret_access_key",
    "GCS": "gcs_credentials",
    "AZURE": "account_key",
    "OBS": "obs_secret_access_key",
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _datasource_args(
    mode: str, images: ImageSet, services: dict[str, str], s3: Any, tmp_path: Path
) -> dict[str, Any]:
    if mode == "OBS":
        upload(s3, services["S3_INPUT_BUCKET"], images)
        return {
            "obs": {
                "endpoint": services["S3_ENDPOINT_URL"],
                "access_key": services["S3_ACCESS_KEY_ID"],
                "secret_key": services["S3_SECRET_ACCESS_KEY"],
                "input_path": f"obs://{services['S3_INPUT_BUCKET']}/{images.prefix}",
                "lightly_path": f"obs://{services['S3_LIGHTLY_BUCKET']}/{images.prefix}",
            }
        }
    # LOCAL paths resolve inside WORKER_LOCAL_DATASOURCE_ROOT (default "/"); the services run
    # with this process's environment, so they see the same root.
    root = Path(os.environ.get("WORKER_LOCAL_DATASOURCE_ROOT", "/")).resolve()
    input_dir, lightly_dir = tmp_path / "local-input", tmp_path / "local-lightly"
    for name, data in images.files.items():
        (input_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (input_dir / name).write_bytes(data)
    lightly_dir.mkdir()
    return {
        "local": {
            "input_path": input_dir.resolve().relative_to(root).as_posix(),
            "lightly_path": lightly_dir.resolve().relative_to(root).as_posix(),
        }
    }


@dataclass
class WorkflowRun:
    """One invocation of the workflow script, running in the background."""

    mode: str
    args: dict[str, Any]
    images: ImageSet
    user: ApiUser
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    started: float

    def result(self, timeout_s: float = 420) -> dict[str, Any]:
        try:
            self.proc.wait(timeout=max(1.0, self.started + timeout_s - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        out, err = self.stdout.read_text(), self.stderr.read_text()
        assert self.proc.returncode == 0, (
            f"{self.mode} workflow exited {self.proc.returncode}\n"
            f"--- stdout ---\n{out[-4000:]}\n--- stderr ---\n{err[-8000:]}"
        )
        print(f"\n{self.mode}: lightly workflow ended after {time.monotonic() - self.started:.1f}s")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result


MODES = ("OBS", "LOCAL")


@pytest.fixture(scope="module")
def workflow_runs(
    lightly_python: Path, services: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, WorkflowRun]]:
    """Both workflows started at once: the client polls every 30 s, so they overlap well."""
    s3 = boto3.client(
        "s3",
        endpoint_url=services["S3_ENDPOINT_URL"],
        aws_access_key_id=services["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=services["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    runs: dict[str, WorkflowRun] = {}
    try:
        for mode in MODES:
            tmp_path = tmp_path_factory.mktemp(f"lightly-{mode.lower()}")
            images, user = make_image_set(), make_user()
            args = {
                "mode": mode,
                "dataset_name": f"lightly client {mode.lower()} {uuid.uuid4().hex[:8]}",
                "worker_name": f"lightly-client-{mode.lower()}-{uuid.uuid4().hex[:8]}",
                "n_samples": N_SAMPLES,
                "output_dir": str(tmp_path / "client-output"),
                "share_with": SHARE_WITH,
                # The OBS run also deletes its dataset; LOCAL keeps it for the metadata check.
                "delete": mode == "OBS",
                # OBS: a HIGH tiny training run (checkpoint download); LOCAL: MID, and every
                # set_*_config on a scratch dataset.
                "train": mode == "OBS",
                "priority": "HIGH" if mode == "OBS" else "MID",
                **({"datasource_secrets": DATASOURCE_SECRETS} if mode == "LOCAL" else {}),
                **_datasource_args(mode, images, services, s3, tmp_path),
            }
            env = _client_env(
                {"LIGHTLY_SERVER_LOCATION": services["API_PUBLIC_URL"], "LIGHTLY_TOKEN": user.token}
            )
            stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
            with stdout.open("wb") as out, stderr.open("wb") as err:
                proc = subprocess.Popen(
                    [str(lightly_python), str(SCRIPT), json.dumps(args)],
                    stdout=out,
                    stderr=err,
                    env=env,
                )
            runs[mode] = WorkflowRun(
                mode, args, images, user, proc, stdout, stderr, time.monotonic()
            )
        yield runs
    finally:
        for run in runs.values():
            if run.proc.poll() is None:
                run.proc.kill()
                run.proc.wait()


def _check_dataset_sharing_and_workers(
    result: dict[str, Any], args: dict[str, Any], mode: str
) -> None:
    # Dataset and datasources.
    assert result["dataset_exists"] is True and result["unknown_dataset_exists"] is False
    assert result["dataset_in_get_datasets"] is True
    assert result["dataset"] == {"name": args["dataset_name"], "img_type": "full"}
    assert result["datasource"]["type"] == mode and result["datasource"]["purpose"] == "INPUT"
    permissions = result["datasource_permissions"]
    assert permissions["can_read"] is True and permissions["can_list"] is True, permissions

    # Sharing: read back exactly what was shared; [] revokes.
    assert result["shared_first"] == SHARE_WITH[:1]
    assert result["shared_users"] == SHARE_WITH
    assert result["shared_after_revoke"] == []

    # Workers: idempotent registration, listed, deleted.
    worker_id = result["worker_id"]
    assert result["worker_id_again"] == worker_id
    assert worker_id in result["worker_ids"]
    listed = {w["id"]: w for w in result["workers"]}
    assert listed[worker_id]["name"] == args["worker_name"] and listed[worker_id]["labels"] == []
    assert worker_id not in result["worker_ids_after_delete"]


def _check_run(result: dict[str, Any], args: dict[str, Any], images: ImageSet) -> dict[str, Any]:
    """The run, followed with compute_worker_run_info_generator to success; returns it."""
    scheduled_id = result["scheduled_run_id"]
    assert scheduled_id in result["scheduled_ids"]
    assert result["scheduled_priorities"][scheduled_id] == args["priority"]
    assert scheduled_id not in result["scheduled_ids_after"]
    assert result["ended_successfully"] is True, result["run_infos"]
    assert result["run_infos"][-1]["state"] == "COMPLETED"
    assert result["run_info"]["state"] == "COMPLETED"
    run: dict[str, Any] = result["run"]
    assert run["state"] == "COMPLETED", run["message"]
    assert (run["dataset_id"], run["scheduled_id"]) == (result["dataset_id"], scheduled_id)
    assert f"{N_SAMPLES} of {images.n_images}" in run["message"]
    assert result["get_run_id"] == run["id"]
    assert result["dataset_run_ids"] == [run["id"]]
    assert run["id"] in result["all_run_ids"]
    return run


def _check_report_and_artifacts(
    result: dict[str, Any], args: dict[str, Any], images: ImageSet, run: dict[str, Any]
) -> None:
    n_clean = images.n_images - len(images.corrupt) - len(images.duplicates)
    assert result["report_pdf_head"] == "%PDF-"
    assert result["latest_pdf_equal"] is True
    assert result["report_json"]["counts"] == {
        "nInput": images.n_images,
        "nCorrupt": len(images.corrupt),
        "nDuplicate": len(images.duplicates),
        "nRemoved": n_clean - N_SAMPLES,
        "nSelected": N_SAMPLES,
    }
    assert result["log_size"] > 0
    assert {"REPORT_PDF", "REPORT_JSON", "REPORT_V2_JSON", "LOG"} <= set(run["artifact_types"])
    assert result["all_artifacts"] == result["artifact_file_names"]
    if args["train"]:
        assert "CHECKPOINT" in run["artifact_types"]
        assert result["checkpoint_head"] == "PK"  # a torch.save zip archive
        assert result["checkpoint_url_head"] == "PK"  # the same, through its read URL
    else:
        assert "CHECKPOINT" not in run["artifact_types"]


def _check_tags_and_exports(result: dict[str, Any], images: ImageSet, run: dict[str, Any]) -> None:
    # Tags and exports: initial-tag holds exactly the selected samples.
    run_tag_names = [t["name"] for t in result["run_tags"]]
    assert "initial-tag" in run_tag_names
    assert all(t["run_id"] == run["id"] for t in result["run_tags"])
    assert "initial-tag" in result["all_tags"]
    assert set(result["all_tags_after"]) == set(result["all_tags"]) | {"subset-of-2"}
    exported = result["exported_filenames"]
    assert len(exported) == N_SAMPLES == len(set(exported))
    assert set(exported) <= set(images.files)
    assert not set(exported) & (images.corrupt | images.duplicates)
    assert result["initial_tag"]["tot_size"] == N_SAMPLES
    assert sorted(result["filenames_in_initial_tag"]) == sorted(exported)
    assert result["read_url_entries"] == N_SAMPLES
    assert result["read_url_file_names"] == exported
    for file_name, url in zip(exported, result["datasource_urls"], strict=True):
        assert url.endswith(f"/{file_name}"), url
    fetched = result["read_url_fetch"]
    assert fetched["sha256"] == _sha256(images.files[fetched["fileName"]])

    # A tag from filenames, its files, and the difference with its parent (tag arithmetics).
    assert result["subset_tag_prev"] == result["initial_tag"]["id"]
    assert sorted(result["subset_filenames"]) == sorted(exported)[:2]
    assert result["subset_minus_parent"] == []

    # download_dataset wrote every selected image.
    assert result["downloaded"] == sorted(exported)


def _check_datasource_types(result: dict[str, Any]) -> None:
    """Every datasource type set through the client and read back, secrets masked."""
    read_back = result["datasource_types"]
    assert [d["type"] for d in read_back] == [
        "LOCAL",
        "S3",
        "S3DelegatedAccess",
        "GCS",
        "AZURE",
        "OBS",
    ]
    assert all(d["purpose"] == "INPUT" for d in read_back)
    for source in read_back:
        if source["type"] in SECRET_FIELDS:
            assert source[SECRET_FIELDS[source["type"]]] == "***", source
    assert [d["full_path"] for d in read_back] == [
        "some/images",
        "s3://a-bucket/images",
        "s3://a-bucket/images",
        "gs://a-bucket/images",
        "a-container/images",
        "obs://a-bucket/images",
    ]
    dumped = json.dumps(result)
    for secret in DATASOURCE_SECRETS.values():
        assert secret not in dumped


def _check_metadata_and_deletion(result: dict[str, Any], args: dict[str, Any]) -> None:
    # Custom metadata reached the samples; the OBS run deleted its dataset.
    assert result["custom_metadata_uploaded"] == N_SAMPLES
    if args["delete"]:
        assert result["exists_after_delete"] is False
    else:
        with session_factory().begin() as session:
            stored = session.scalars(
                select(Sample.custom_meta_data).where(Sample.dataset_id == result["dataset_id"])
            ).all()
        assert sorted(m["image_id"] for m in stored if m) == list(range(N_SAMPLES))


@pytest.mark.parametrize("mode", MODES)
def test_lightly_client_workflow(mode: str, workflow_runs: dict[str, WorkflowRun]) -> None:
    workflow = workflow_runs[mode]
    result = workflow.result()
    args, images = workflow.args, workflow.images
    _check_dataset_sharing_and_workers(result, args, mode)
    run = _check_run(result, args, images)
    _check_report_and_artifacts(result, args, images, run)
    _check_tags_and_exports(result, images, run)
    if "datasource_secrets" in args:
        _check_datasource_types(result)
    _check_metadata_and_deletion(result, args)
