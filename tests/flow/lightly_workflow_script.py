"""The seeds' workflow with the real, unmodified ``lightly==1.5.26`` client against Winnow.

Run with the interpreter of a throwaway venv that holds the lightly client (not Winnow's venv):

    LIGHTLY_SERVER_LOCATION=http://127.0.0.1:8000 LIGHTLY_TOKEN=... \\
        python lightly_workflow_script.py '{"mode": "OBS", ...}'

The argument is a JSON object: ``mode`` (``OBS`` or ``LOCAL``), ``dataset_name``,
``worker_name``, ``n_samples``, ``output_dir``, ``share_with`` (emails), ``delete`` (delete the
dataset at the end), ``train`` (a tiny training run; downloads its checkpoint), ``priority``,
``datasource_secrets`` (``s3``, ``gcs``, ``azure``, ``obs``: set every datasource type on a
scratch dataset with these secrets and read each back), and per mode either ``obs``
(``endpoint``, ``access_key``, ``secret_key``, ``input_path``, ``lightly_path``:
``obs://bucket/prefix``) or ``local`` (``input_path``, ``lightly_path``: paths relative to the
workers' local datasource root).

Prints one JSON object on the last stdout line: what each client call returned, for the test to
assert on. Any exception escapes (non-zero exit, traceback on stderr).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from lightly.api import ApiWorkflowClient
from lightly.openapi_generated.swagger_client.models.dataset_type import DatasetType
from lightly.openapi_generated.swagger_client.models.datasource_purpose import DatasourcePurpose


def _log(message: str) -> None:
    print(f"[lightly-workflow {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _value(enum_or_str: Any) -> str:
    """An enum's wire value (the models use ``use_enum_values``, but be sure)."""
    return str(getattr(enum_or_str, "value", enum_or_str))


def _set_datasources(client: ApiWorkflowClient, args: dict[str, Any]) -> None:
    purposes = (
        ("input_path", DatasourcePurpose.INPUT),
        ("lightly_path", DatasourcePurpose.LIGHTLY),
    )
    if args["mode"] == "OBS":
        obs = args["obs"]
        for key, purpose in purposes:
            client.set_obs_config(
                resource_path=obs[key],
                obs_endpoint=obs["endpoint"],
                obs_access_key_id=obs["access_key"],
                obs_secret_access_key=obs["secret_key"],
                purpose=purpose,
            )
    else:
        for key, purpose in purposes:
            client.set_local_config(relative_path=args["local"][key], purpose=purpose)


def _every_datasource_type(client: ApiWorkflowClient, secrets: dict[str, str]) -> list[Any]:
    """All six ``set_*_config`` on the current dataset, each read back with ``get_datasource``."""
    purpose = DatasourcePurpose.INPUT
    setters = (
        lambda: client.set_local_config(relative_path="some/images", purpose=purpose),
        lambda: client.set_s3_config(
            resource_path="s3://a-bucket/images",
            region="eu-central-1",
            access_key="AKIAEXAMPLEKEY",
            secret_access_key=secrets["s3"],
            purpose=purpose,
        ),
        lambda: client.set_s3_delegated_access_config(
            resource_path="s3://a-bucket/images",
            region="us-east-1",
            role_arn="arn:aws:iam::123456789012:role/lightly-access",
            external_id="winnow-external-id",
            purpose=purpose,
        ),
        lambda: client.set_gcs_config(
            resource_path="gs://a-bucket/images",
            project_id="a-project",
            credentials=secrets["gcs"],
            purpose=purpose,
        ),
        lambda: client.set_azure_config(
            container_name="a-container/images",
            account_name="anaccount",
            sas_token=secrets["azure"],
            purpose=purpose,
        ),
        lambda: client.set_obs_config(
            resource_path="obs://a-bucket/images",
            obs_endpoint="https://obs.example.com",
            obs_access_key_id="OBSKEYID",
            obs_secret_access_key=secrets["obs"],
            purpose=purpose,
        ),
    )
    read_back = []
    for set_config in setters:
        set_config()
        read_back.append(client.get_datasource().to_dict())
    return read_back


def _create_dataset(client: ApiWorkflowClient, args: dict[str, Any], out: dict[str, Any]) -> str:
    """Create the dataset (it becomes current), read it back, set its two datasources."""
    client.create_dataset(args["dataset_name"], DatasetType.IMAGES)
    dataset_id = client.dataset_id
    out["dataset_id"] = dataset_id
    out["dataset_exists"] = client.dataset_exists(dataset_id)
    out["unknown_dataset_exists"] = client.dataset_exists("0123456789abcdef01234567")
    out["dataset_in_get_datasets"] = dataset_id in [d.id for d in client.get_datasets()]
    dataset = client.get_dataset_by_id(dataset_id)
    out["dataset"] = {"name": dataset.name, "img_type": dataset.img_type}
    _log(f"dataset {dataset_id} created")

    _set_datasources(client, args)
    datasource = client.get_datasource().to_dict()
    out["datasource"] = {k: datasource.get(k) for k in ("type", "purpose", "full_path")}
    out["datasource_permissions"] = client.list_datasource_permissions()
    return str(dataset_id)


def _share(
    client: ApiWorkflowClient, dataset_id: str, emails: list[str], out: dict[str, Any]
) -> None:
    """Sharing as the seeds do it: share, read back, append, share again."""
    first, *rest = emails
    client.share_dataset_only_with(dataset_id=dataset_id, user_emails=[first])
    out["shared_first"] = client.get_shared_users(dataset_id=dataset_id)
    users = client.get_shared_users(dataset_id=dataset_id)
    users.extend(rest)
    client.share_dataset_only_with(dataset_id=dataset_id, user_emails=users)
    out["shared_users"] = client.get_shared_users(dataset_id=dataset_id)


def _register_worker(client: ApiWorkflowClient, name: str, out: dict[str, Any]) -> str:
    """Register the worker twice (idempotent by name) and list the workers."""
    worker_id = client.register_compute_worker(name=name, labels=[])
    out["worker_id"] = worker_id
    out["worker_id_again"] = client.register_compute_worker(name=name, labels=[])
    out["worker_ids"] = client.get_compute_worker_ids()
    out["workers"] = [
        {"id": w.id, "name": w.name, "labels": w.labels, "state": _value(w.state)}
        for w in client.get_compute_workers()
    ]
    return str(worker_id)


def _schedule(client: ApiWorkflowClient, args: dict[str, Any], out: dict[str, Any]) -> str:
    """Schedule a DIVERSITY run (a tiny training run too with ``train``); list the schedule."""
    worker_config: dict[str, Any] = {"corruptness_check": {"corruption_threshold": 0.1}}
    lightly_config: dict[str, Any] = {"loader": {"batch_size": 16}}
    if args.get("train"):  # a tiny training run, so the run has a CHECKPOINT to download
        worker_config["enable_training"] = True
        lightly_config = {
            "loader": {"batch_size": 4, "num_workers": 0},
            "trainer": {"max_epochs": 1},
            "collate": {"input_size": 32},
        }
    scheduled_run_id = client.schedule_compute_worker_run(
        worker_config=worker_config,
        lightly_config=lightly_config,
        selection_config={
            "n_samples": int(args["n_samples"]),
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
        priority=args.get("priority", "MID"),
        runs_on=[],
    )
    out["scheduled_run_id"] = scheduled_run_id
    scheduled = client.get_scheduled_compute_worker_runs()
    out["scheduled_ids"] = [s.id for s in scheduled]
    out["scheduled_priorities"] = {s.id: _value(s.priority) for s in scheduled}
    _log(f"scheduled {scheduled_run_id}")
    return str(scheduled_run_id)


def _follow_run(
    client: ApiWorkflowClient, dataset_id: str, scheduled_run_id: str, out: dict[str, Any]
) -> Any:
    """Follow the run with the run-info generator until it ends; read the run every way."""
    infos = []
    for run_info in client.compute_worker_run_info_generator(scheduled_run_id=scheduled_run_id):
        _log(f"state={run_info.state} message={run_info.message}")
        infos.append({"state": _value(run_info.state), "message": run_info.message})
    out["run_infos"] = infos
    out["ended_successfully"] = run_info.ended_successfully()
    last_info = client.get_compute_worker_run_info(scheduled_run_id=scheduled_run_id)
    out["run_info"] = {"state": _value(last_info.state), "message": last_info.message}

    run = client.get_compute_worker_run_from_scheduled_run(scheduled_run_id=scheduled_run_id)
    out["run"] = {
        "id": run.id,
        "state": _value(run.state),
        "dataset_id": run.dataset_id,
        "scheduled_id": run.scheduled_id,
        "message": run.message,
        "artifact_types": sorted(_value(a.type) for a in run.artifacts or []),
    }
    out["get_run_id"] = client.get_compute_worker_run(run_id=run.id).id
    out["dataset_run_ids"] = [r.id for r in client.get_compute_worker_runs(dataset_id=dataset_id)]
    out["all_run_ids"] = [r.id for r in client.get_compute_worker_runs()]
    out["scheduled_ids_after"] = [s.id for s in client.get_scheduled_compute_worker_runs()]
    return run


def _download_artifacts(
    client: ApiWorkflowClient, run: Any, args: dict[str, Any], out: dict[str, Any]
) -> None:
    """The report seed: report PDF/JSON, log, checkpoint (trained runs), all artifacts."""
    output_dir = Path(args["output_dir"])
    artifacts = output_dir / "my_run" / "artifacts"
    client.download_compute_worker_run_report_pdf(
        run=run, output_path=str(artifacts / "report.pdf")
    )
    client.download_compute_worker_run_report_json(
        run=run, output_path=str(artifacts / "report.json")
    )
    client.download_compute_worker_run_log(run=run, output_path=str(artifacts / "log.txt"))
    out["report_pdf_head"] = (artifacts / "report.pdf").read_bytes()[:5].decode("latin-1")
    out["report_json"] = json.loads((artifacts / "report.json").read_text())
    out["log_size"] = (artifacts / "log.txt").stat().st_size
    if args.get("train"):
        checkpoint = artifacts / "checkpoint.ckpt"
        client.download_compute_worker_run_checkpoint(run=run, output_path=str(checkpoint))
        out["checkpoint_head"] = checkpoint.read_bytes()[:2].decode("latin-1")
        with urllib.request.urlopen(client.get_compute_worker_run_checkpoint_url(run)) as response:
            out["checkpoint_url_head"] = response.read(2).decode("latin-1")
    all_dir = output_dir / "all_artifacts"
    client.download_compute_worker_run_artifacts(run=run, output_dir=str(all_dir))
    out["all_artifacts"] = sorted(
        p.relative_to(all_dir).as_posix() for p in all_dir.rglob("*") if p.is_file()
    )
    out["artifact_file_names"] = sorted(a.file_name for a in run.artifacts or [])
    runs = client.get_compute_worker_runs(dataset_id=client.dataset_id)
    client.download_compute_worker_run_report_pdf(
        run=runs[-1], output_path=str(output_dir / "latest" / "report.pdf")
    )
    out["latest_pdf_equal"] = (output_dir / "latest" / "report.pdf").read_bytes() == (
        artifacts / "report.pdf"
    ).read_bytes()
    _log("artifacts downloaded")


def _tags_and_exports(client: ApiWorkflowClient, run: Any, out: dict[str, Any]) -> None:
    """The run's tags, the exports of ``initial-tag`` (one read URL fetched without a token),
    and a tag created from two of its file names."""
    out["run_tags"] = [
        {"name": t.name, "id": t.id, "run_id": t.run_id}
        for t in client.get_compute_worker_run_tags(run_id=run.id)
    ]
    out["all_tags"] = [t.name for t in client.get_all_tags()]
    initial = client.get_tag_by_name("initial-tag")
    out["initial_tag"] = {"id": initial.id, "tot_size": initial.tot_size}
    exported = client.export_filenames_by_tag_name("initial-tag")
    out["exported_filenames"] = exported.split("\n") if exported else []
    with_urls = client.export_filenames_and_read_urls_by_tag_name("initial-tag")
    out["read_url_entries"] = len(with_urls)
    out["read_url_file_names"] = [e["fileName"] for e in with_urls]
    out["datasource_urls"] = [e["datasourceUrl"] for e in with_urls]
    first_entry = with_urls[0]
    assert "token=" not in first_entry["readUrl"]
    with urllib.request.urlopen(first_entry["readUrl"], timeout=30) as response:  # no token
        out["read_url_fetch"] = {
            "fileName": first_entry["fileName"],
            "sha256": hashlib.sha256(response.read()).hexdigest(),
        }
    out["filenames_in_initial_tag"] = client.get_filenames_in_tag(initial)

    subset = sorted(out["exported_filenames"])[:2]
    created = client.create_tag_from_filenames(fnames_new_tag=subset, new_tag_name="subset-of-2")
    out["created_tag_id"] = created.id
    subset_tag = client.get_tag_by_name("subset-of-2")
    out["subset_tag_prev"] = subset_tag.prev_tag_id
    out["all_tags_after"] = [t.name for t in client.get_all_tags()]
    out["subset_filenames"] = client.get_filenames_in_tag(subset_tag)
    out["subset_minus_parent"] = client.get_filenames_in_tag(subset_tag, exclude_parent_tag=True)


def _metadata_and_download(
    client: ApiWorkflowClient, args: dict[str, Any], out: dict[str, Any]
) -> None:
    """Custom metadata (COCO-like) for the selected images, then ``download_dataset``."""
    names = out["exported_filenames"]
    client.upload_custom_metadata(
        {
            "images": [{"file_name": n, "id": i} for i, n in enumerate(names)],
            "metadata": [
                {"image_id": i, "number_of_people": i, "weather": {"scenario": "cloudy"}}
                for i in range(len(names))
            ],
        }
    )
    out["custom_metadata_uploaded"] = len(names)

    # Download the selected images (pre-create folders: the client's makedirs races).
    download_dir = Path(args["output_dir"]) / "download"
    for name in names:
        (download_dir / name).parent.mkdir(parents=True, exist_ok=True)
    client.download_dataset(str(download_dir), tag_name="initial-tag", verbose=False)
    out["downloaded"] = sorted(
        p.relative_to(download_dir).as_posix() for p in download_dir.rglob("*") if p.is_file()
    )
    _log("tags, exports, metadata and downloads done")


def _clean_up(
    client: ApiWorkflowClient,
    args: dict[str, Any],
    ids: tuple[str, str],
    out: dict[str, Any],
) -> None:
    """Revoke sharing, delete the worker, try every datasource type, maybe delete the dataset."""
    dataset_id, worker_id = ids
    client.share_dataset_only_with(dataset_id=dataset_id, user_emails=[])
    out["shared_after_revoke"] = client.get_shared_users(dataset_id=dataset_id)
    client.delete_compute_worker(worker_id)
    out["worker_ids_after_delete"] = client.get_compute_worker_ids()
    if args.get("datasource_secrets"):
        # A scratch dataset (create_dataset makes it current) for every datasource type.
        client.create_dataset(args["dataset_name"] + " datasources", DatasetType.IMAGES)
        out["datasource_types"] = _every_datasource_type(client, args["datasource_secrets"])
        client.delete_dataset_by_id(client.dataset_id)
        client.dataset_id = dataset_id
    if args.get("delete"):
        client.delete_dataset_by_id(dataset_id)
        out["exists_after_delete"] = ApiWorkflowClient().dataset_exists(dataset_id)


def main(args: dict[str, Any]) -> dict[str, Any]:
    """The whole workflow, step by step; what each client call returned, by name."""
    out: dict[str, Any] = {}
    client = ApiWorkflowClient()  # token from LIGHTLY_TOKEN, server from LIGHTLY_SERVER_LOCATION
    dataset_id = _create_dataset(client, args, out)
    _share(client, dataset_id, args["share_with"], out)
    worker_id = _register_worker(client, args["worker_name"], out)
    scheduled_run_id = _schedule(client, args, out)
    run = _follow_run(client, dataset_id, scheduled_run_id, out)
    _download_artifacts(client, run, args, out)
    _tags_and_exports(client, run, out)
    _metadata_and_download(client, args, out)
    _clean_up(client, args, (dataset_id, worker_id), out)
    return out


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    # The generator's 30 s sleeps make the run the slow part: say where the time went.
    started = time.monotonic()
    result = main(arguments)
    result["wall_s"] = round(time.monotonic() - started, 1)
    result["lightly_server_location"] = os.environ.get("LIGHTLY_SERVER_LOCATION")
    print(json.dumps(result, default=str))
