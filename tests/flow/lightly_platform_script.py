"""The platform half with the real, unmodified ``lightly==1.5.26`` client against Winnow.

Run with the interpreter of a throwaway venv that holds the lightly client (not Winnow's venv):

    LIGHTLY_SERVER_LOCATION=http://127.0.0.1:8000 LIGHTLY_TOKEN=<owner token> \\
        python lightly_platform_script.py '{"dataset_name": ..., ...}'

Calls every one of the 32 ``ApiWorkflowClient`` methods that the worker workflow
(lightly_workflow_script.py) does not: datasource listing and ``processedUntilTimestamp``,
embeddings upload/download, sampling on stored embeddings and scores, predictions, the custom
metadata configuration, tag deletion, the LabelStudio/LabelBox exports, and sharing with a
second user (who reads, writes a tag, then loses access).

The argument is a JSON object: ``dataset_name``, ``worker_name``, ``n_samples`` (of the worker
run that creates the dataset's samples), ``output_dir``, ``obs`` (``endpoint``, ``access_key``,
``secret_key``, ``input_path``, ``lightly_path``), ``late_from`` (epoch seconds between the
first and the late batch of images), ``custom_embedding_file`` (a CSV the test put under the
LIGHTLY datasource's ``.lightly/embeddings/``), ``collaborator`` and ``stranger``
(``{"email", "token"}``) and ``sampling_n``.

Prints one JSON object on the last stdout line: what each call returned, for the test to check.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
from lightly.active_learning.config.selection_config import SelectionConfig
from lightly.api import ApiWorkflowClient
from lightly.openapi_generated.swagger_client.models import (
    ConfigurationEntry,
    ConfigurationValueDataType,
    DatasetType,
    DatasourcePurpose,
    PredictionSingleton,
    PredictionSingletonClassification,
    PredictionTaskSchema,
    PredictionTaskSchemaCategory,
    PredictionTaskSchemaSimple,
    SamplingMethod,
)
from lightly.utils.io import save_embeddings

TASK_NAME = "weather-classification"
CATEGORIES = ["sunny", "cloudy", "rainy"]


def _log(message: str) -> None:
    print(f"[lightly-platform {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _fetch(url: str) -> bytes:
    """A signed URL's content, fetched without a token."""
    assert "token=" not in url, url
    with urllib.request.urlopen(url, timeout=30) as response:
        data: bytes = response.read()
    return data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _status_of(call: Any) -> int | None:
    """The HTTP status a client call failed with (None when it succeeded)."""
    try:
        call()
    except Exception as exc:  # the client raises ApiException (or a wrapped one)
        return int(getattr(exc, "status", 0) or 0)
    return None


def _create_dataset_and_run(client: ApiWorkflowClient, args: dict[str, Any], out: dict) -> Any:
    """Dataset with OBS datasources and a worker run that creates its samples and initial-tag."""
    client.create_dataset(args["dataset_name"], DatasetType.IMAGES)
    out["dataset_id"] = client.dataset_id
    obs = args["obs"]
    for key, purpose in (("input_path", DatasourcePurpose.INPUT), ("lightly_path", "LIGHTLY")):
        client.set_obs_config(
            resource_path=obs[key],
            obs_endpoint=obs["endpoint"],
            obs_access_key_id=obs["access_key"],
            obs_secret_access_key=obs["secret_key"],
            purpose=purpose,
        )
    worker_id = client.register_compute_worker(name=args["worker_name"], labels=[])
    scheduled_id = client.schedule_compute_worker_run(
        worker_config={},
        selection_config={
            "n_samples": int(args["n_samples"]),
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
        runs_on=[],
    )
    # Poll every second (the run-info generator sleeps 30 s between polls).
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        info = client.get_compute_worker_run_info(scheduled_run_id=scheduled_id)
        if info.in_end_state():
            break
        time.sleep(1)
    out["run_state"] = str(getattr(info.state, "value", info.state))
    run = client.get_compute_worker_run_from_scheduled_run(scheduled_run_id=scheduled_id)
    out["run_id"] = run.id
    client.delete_compute_worker(worker_id)
    _log(f"run {run.id} ended {out['run_state']}")
    return run


def _listing(client: ApiWorkflowClient, args: dict[str, Any], out: dict) -> None:
    """download_raw_samples, processedUntilTimestamp, download_new_raw_samples."""
    raw = client.download_raw_samples()
    out["raw_samples"] = sorted(name for name, _ in raw)
    name, url = sorted(raw)[0]
    out["raw_sample_fetch"] = {"fileName": name, "sha256": _sha(_fetch(url))}
    out["raw_samples_dnc"] = sorted(
        n for n, _ in client.download_raw_samples(divide_and_conquer_shards=3)
    )
    out["raw_samples_before_late"] = sorted(
        n for n, _ in client.download_raw_samples(to=int(args["late_from"]) - 1)
    )
    out["processed_until_initial"] = client.get_processed_until_timestamp()
    client.update_processed_until_timestamp(int(args["late_from"]))
    out["processed_until_set"] = client.get_processed_until_timestamp()
    before = int(time.time())
    out["new_raw_samples"] = sorted(n for n, _ in client.download_new_raw_samples())
    out["processed_until_after"] = client.get_processed_until_timestamp()
    out["processed_until_after_ok"] = out["processed_until_after"] >= before
    out["new_raw_samples_again"] = [n for n, _ in client.download_new_raw_samples()]
    custom = client.get_custom_embedding_read_url(args["custom_embedding_file"])
    out["custom_embedding_sha256"] = _sha(_fetch(custom))
    _log("listing done")


def _embeddings_file(path: Path, filenames: list[str], seed: int) -> np.ndarray:
    """lightly's ``save_embeddings`` CSV of seeded random embeddings for ``filenames``."""
    rng = np.random.default_rng(seed)
    embeddings = rng.normal(size=(len(filenames), 8)).astype(np.float32)
    labels = [i % 3 for i in range(len(filenames))]
    save_embeddings(str(path), embeddings, labels, filenames)
    return embeddings


def _client_csv_bytes(client: ApiWorkflowClient, path: Path) -> bytes:
    """The bytes ``upload_embeddings`` sends: the rows in the server's order, csv.writer'd."""
    rows = client._order_csv_by_filenames(path_to_embeddings_csv=str(path))
    # As the client does it: a text-mode spooled file (newlines translated on the way back).
    with tempfile.SpooledTemporaryFile(mode="rw") as f:
        csv.writer(f).writerows(rows)
        f.seek(0)
        return f.read().encode("utf-8")


def _embeddings(client: ApiWorkflowClient, args: dict[str, Any], out: dict) -> None:
    """Upload, list, find by name, download byte-equal, append (seed 003)."""
    output = Path(args["output_dir"])
    output.mkdir(parents=True, exist_ok=True)
    filenames = client.get_filenames()
    out["dataset_filenames"] = sorted(filenames)
    out["dataset_filenames_in_order"] = filenames
    csv_path = output / "embeddings.csv"
    _embeddings_file(csv_path, filenames, seed=1)
    expected = _client_csv_bytes(client, csv_path)
    out["embeddings_before"] = [e.name for e in client.get_all_embedding_data()]
    client.upload_embeddings(str(csv_path), name="my-embeddings")
    uploaded_id = client.embedding_id
    out["uploaded_embedding_id"] = uploaded_id
    all_data = client.get_all_embedding_data()
    out["embeddings_after"] = [
        {"id": e.id, "name": e.name, "is_processed": e.is_processed, "created_at": e.created_at}
        for e in all_data
    ]
    out["embedding_by_name_id"] = client.get_embedding_by_name("my-embeddings").id
    out["embedding_data_by_name_id"] = client.get_embedding_data_by_name("my-embeddings").id
    client.embedding_id = None
    client.set_embedding_id_to_latest()
    out["latest_embedding_id"] = client.embedding_id
    # download_embeddings_csv takes the newest embedding named "default..." (a run's).
    latest_default = output / "latest_default.csv"
    client.download_embeddings_csv(str(latest_default))
    out["latest_default_sha256"] = _sha(latest_default.read_bytes())
    by_id = output / "downloaded_by_id.csv"
    client.download_embeddings_csv_by_id(uploaded_id, str(by_id))
    out["download_by_id_equal"] = by_id.read_bytes() == expected
    out["_embeddings_csv_path"] = str(by_id)
    # The run's embeddings are the dataset's embedding too.
    run_embeddings = [e for e in all_data if e.id != uploaded_id]
    out["run_embedding_names"] = [e.name for e in run_embeddings]
    if run_embeddings:
        run_csv = output / "run_embeddings.csv"
        client.download_embeddings_csv_by_id(run_embeddings[0].id, str(run_csv))
        out["run_embeddings_sha256"] = _sha(run_csv.read_bytes())
    # append_embeddings: the server's rows join a local file (local rows win on a filename).
    local = output / "append.csv"
    _embeddings_file(local, filenames[:2], seed=2)
    client.append_embeddings(str(local), uploaded_id)
    with local.open() as f:
        appended = list(csv.reader(f))
    out["appended_rows"] = len(appended) - 1
    out["appended_filenames"] = sorted(row[0] for row in appended[1:])
    _log("embeddings done")


def _sampling(client: ApiWorkflowClient, args: dict[str, Any], out: dict) -> None:
    """selection() on the uploaded embedding (CORESET, RANDOM) and upload_scores."""
    client.set_embedding_id_to_latest()
    n = int(args["sampling_n"])
    coreset = client.selection(
        SelectionConfig(method=SamplingMethod.CORESET, n_samples=n, name="coreset-pick")
    )
    out["coreset_tag"] = {"id": coreset.id, "tot_size": coreset.tot_size, "name": coreset.name}
    out["coreset_filenames"] = client.get_filenames_in_tag(coreset)
    initial = client.get_tag_by_name("initial-tag")
    out["initial_tag_filenames"] = client.get_filenames_in_tag(initial)
    scores = [float(i) / 10 for i in range(initial.tot_size)]
    client.upload_scores({"uncertainty_margin": scores}, query_tag_id=initial.id)
    out["scores_uploaded"] = len(scores)
    active = client.selection(
        SelectionConfig(method=SamplingMethod.ACTIVE_LEARNING, n_samples=n, name="al-pick"),
        query_tag_id=initial.id,
    )
    out["al_tag"] = {"tot_size": active.tot_size}
    out["al_filenames"] = client.get_filenames_in_tag(active)
    _log("sampling done")


def _predictions_and_metadata(client: ApiWorkflowClient, out: dict) -> None:
    """A classification task, a prediction per sample, custom metadata and its configuration;
    the datasource listings find them and their read URLs serve them."""
    simple = PredictionTaskSchemaSimple(
        name=TASK_NAME,
        type="CLASSIFICATION",
        categories=[PredictionTaskSchemaCategory(id=i, name=c) for i, c in enumerate(CATEGORIES)],
    )
    schema = PredictionTaskSchema(actual_instance=simple)
    # The client's default version (-1) fails its own ``>= 0`` check before any request.
    client.create_or_update_prediction_task_schema(schema=schema, prediction_version_id=0)
    mappings = client._mappings_api.get_sample_mappings_by_dataset_id(
        dataset_id=client.dataset_id, field="_id"
    )
    filenames = client.get_filenames()
    posted = {}
    for index, (sample_id, file_name) in enumerate(zip(mappings, filenames, strict=True)):
        category = index % len(CATEGORIES)
        singleton = PredictionSingletonClassification(
            type="CLASSIFICATION",
            taskName=TASK_NAME,
            categoryId=category,
            score=0.9,
            probabilities=[0.9 if c == category else 0.05 for c in range(len(CATEGORIES))],
        )
        client.create_or_update_prediction(
            sample_id=sample_id,
            prediction_singletons=[PredictionSingleton(actual_instance=singleton)],
            prediction_version_id=0,
        )
        posted[file_name] = category
    out["predictions_posted"] = posted
    listed = client.download_raw_predictions(task_name=TASK_NAME)
    out["prediction_files"] = sorted(name for name, _ in listed)
    out["prediction_files_iter"] = sorted(
        name for name, _ in client.download_raw_predictions_iter(task_name=TASK_NAME)
    )
    first_name, first_url = sorted(listed)[0]
    out["prediction_fetched"] = {"fileName": first_name, "json": json.loads(_fetch(first_url))}
    # Listed names are keys from the datasource root (as lightly's docs show); the read-URL
    # methods take them relative to .lightly/predictions/ and .lightly/metadata/.
    url = client.get_prediction_read_url(first_name.removeprefix(".lightly/predictions/"))
    out["prediction_read_url_json"] = json.loads(_fetch(url))

    client.upload_custom_metadata(
        {
            "images": [{"file_name": n, "id": i} for i, n in enumerate(filenames)],
            "metadata": [
                {"image_id": i, "weather": {"temperature": 10.0 + i, "scenario": "cloudy"}}
                for i in range(len(filenames))
            ],
        }
    )
    metadata = client.download_raw_metadata()
    out["metadata_files"] = sorted(name for name, _ in metadata)
    out["metadata_files_iter"] = sorted(name for name, _ in client.download_raw_metadata_iter())
    name, url = sorted(metadata)[0]
    out["metadata_fetched"] = {"fileName": name, "json": json.loads(_fetch(url))}
    out["metadata_read_url_json"] = json.loads(
        _fetch(client.get_metadata_read_url(name.removeprefix(".lightly/metadata/")))
    )
    client.create_custom_metadata_config(
        name="weather",
        configs=[
            ConfigurationEntry(
                name="Temperature",
                path="weather.temperature",
                defaultValue=0.0,
                valueDataType=ConfigurationValueDataType.NUMERIC_FLOAT,
            )
        ],
    )
    out["metadata_config_created"] = True
    _log("predictions and metadata done")


def _as_dicts(items: list[Any]) -> list[dict[str, Any]]:
    """Export items as wire dicts: the LabelStudio methods return models (the download mixin's
    version of the method wins in the client's MRO), the LabelBox ones dicts."""
    return [i if isinstance(i, dict) else i.to_dict(by_alias=True) for i in items]


def _exports(client: ApiWorkflowClient, out: dict) -> None:
    """LabelStudio and LabelBox (v3, v4) exports of a tag, by id and by name; URLs fetched."""
    tag = client.get_tag_by_name("coreset-pick")
    out["tag_by_id_name"] = client.get_tag_by_id(tag.id).name
    out["filenames_by_tag_id"] = sorted(client.export_filenames_by_tag_id(tag.id).split("\n"))
    out["read_urls_by_tag_id"] = sorted(
        e["fileName"] for e in client.export_filenames_and_read_urls_by_tag_id(tag.id)
    )
    studio = _as_dicts(client.export_label_studio_tasks_by_tag_id(tag.id))
    out["label_studio"] = studio
    out["label_studio_by_name"] = _as_dicts(
        client.export_label_studio_tasks_by_tag_name("coreset-pick")
    )
    box = _as_dicts(client.export_label_box_data_rows_by_tag_id(tag.id))
    out["label_box"] = box
    out["label_box_by_name"] = _as_dicts(
        client.export_label_box_data_rows_by_tag_name("coreset-pick")
    )
    box4 = _as_dicts(client.export_label_box_v4_data_rows_by_tag_id(tag.id))
    out["label_box_v4"] = box4
    out["label_box_v4_by_name"] = _as_dicts(
        client.export_label_box_v4_data_rows_by_tag_name("coreset-pick")
    )
    out["label_studio_fetched"] = {
        task["data"]["lightlyFileName"]: _sha(_fetch(task["data"]["image"])) for task in studio
    }
    out["label_box_fetched"] = {row["externalId"]: _sha(_fetch(row["imageUrl"])) for row in box}
    out["label_box_v4_fetched"] = {row["global_key"]: _sha(_fetch(row["row_data"])) for row in box4}
    _log("exports done")


def _delete_tags(client: ApiWorkflowClient, out: dict) -> None:
    """delete_tag_by_id and delete_tag_by_name on two scratch tags."""
    names = client.get_filenames_in_tag(client.get_tag_by_name("initial-tag"))
    first = client.create_tag_from_filenames(fnames_new_tag=names[:1], new_tag_name="scratch-1")
    client.create_tag_from_filenames(fnames_new_tag=names[:2], new_tag_name="scratch-2")
    out["tags_before_delete"] = sorted(t.name for t in client.get_all_tags())
    client.delete_tag_by_id(first.id)
    client.delete_tag_by_name("scratch-2")
    out["tags_after_delete"] = sorted(t.name for t in client.get_all_tags())
    _log("tags deleted")


def _datasets_by_name(client: ApiWorkflowClient, args: dict[str, Any], out: dict) -> None:
    """The dataset lookups by name, and a dataset with a unique name next to ours."""
    name, dataset_id = args["dataset_name"], client.dataset_id
    out["dataset_name_exists"] = client.dataset_name_exists(name)
    out["other_name_exists"] = client.dataset_name_exists(name + " nope")
    out["datasets_by_name"] = [d.id for d in client.get_datasets_by_name(name)]
    out["all_datasets_has_it"] = dataset_id in [d.id for d in client.get_all_datasets()]
    out["datasets_iter_has_it"] = dataset_id in [d.id for d in client.get_datasets_iter()]
    out["dataset_type"] = client.dataset_type
    client.create_new_dataset_with_unique_name(name)
    unique = client.get_dataset_by_id(client.dataset_id)
    out["unique_dataset_name"] = unique.name
    client.delete_dataset_by_id(unique.id)
    client.set_dataset_id_by_name(name)
    out["set_by_name_id"] = client.dataset_id


def _run_downloads(client: ApiWorkflowClient, run: Any, args: dict[str, Any], out: dict) -> None:
    """The run's other artifacts and listings; a worker config created on its own."""
    output = Path(args["output_dir"])
    corrupt = output / "corruptness.json"
    client.download_compute_worker_run_corruptness_check_information(run, str(corrupt))
    out["corruptness_check"] = json.loads(corrupt.read_text())
    report_v2 = output / "report_v2.json"
    client.download_compute_worker_run_report_v2_json(run, str(report_v2))
    out["report_v2_keys"] = sorted(json.loads(report_v2.read_text()))
    memlog = output / "memlog.txt"
    client.download_compute_worker_run_memory_log(run, str(memlog))
    out["memlog"] = memlog.read_text()
    out["runs_iter_ids"] = [r.id for r in client.get_compute_worker_runs_iter(client.dataset_id)]
    # No training in this run, and no video: lightly's client says the artifact does not exist.
    out["checkpoint_url_error"] = _error_name(
        lambda: client.get_compute_worker_run_checkpoint_url(run)
    )
    out["sequence_information_error"] = _error_name(
        lambda: client.download_compute_worker_run_sequence_information(
            run, str(output / "sequence.json")
        )
    )
    out["worker_config_id"] = client.create_compute_worker_config(
        worker_config={"enable_training": False},
        selection_config={
            "n_samples": 2,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    )


def _client_side_helpers(client: ApiWorkflowClient, out: dict) -> None:
    """Methods that run in the client (custom metadata checks) and the raw signed upload."""
    metadata = {
        "images": [{"file_name": "a.png", "id": 0}],
        "metadata": [{"image_id": 0, "weather": "sunny"}],
    }
    client.verify_custom_metadata_format(metadata)
    out["metadata_index"] = client.index_custom_metadata_by_filename(metadata)
    # upload_file_with_signed_url: an embeddings CSV to a writeCSVUrl, read back.
    target = client._embeddings_api.get_embeddings_csv_write_url_by_id(
        client.dataset_id, name="raw-signed-upload"
    )
    data = Path(out["_embeddings_csv_path"]).read_bytes()
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        response = client.upload_file_with_signed_url(f, target.signed_write_url)
    out["signed_upload_status"] = response.status_code
    readback = Path(out["_embeddings_csv_path"] + ".readback")
    client.download_embeddings_csv_by_id(target.embedding_id, str(readback))
    out["signed_upload_equal"] = readback.read_bytes() == data


def _error_name(call: Any) -> str | None:
    """The exception class a client call raised (None when it succeeded)."""
    try:
        call()
    except Exception as exc:
        return type(exc).__name__
    return None


def _sharing(client: ApiWorkflowClient, args: dict[str, Any], out: dict) -> None:
    """Share with the collaborator, who reads and writes; revoke; the stranger sees nothing."""
    dataset_id = client.dataset_id
    collaborator = args["collaborator"]
    client.share_dataset_only_with(dataset_id=dataset_id, user_emails=[collaborator["email"]])
    other = ApiWorkflowClient(token=collaborator["token"])
    out["collaborator_shared"] = [d.id for d in other.get_datasets(shared=True)]
    out["collaborator_owned"] = [d.id for d in other.get_datasets()]
    other.dataset_id = dataset_id
    out["collaborator_tags"] = sorted(t.name for t in other.get_all_tags())
    out["collaborator_export"] = sorted(
        other.export_filenames_by_tag_name("coreset-pick").split("\n")
    )
    out["collaborator_label_studio"] = _as_dicts(
        other.export_label_studio_tasks_by_tag_name("coreset-pick")
    )
    names = other.get_filenames_in_tag(other.get_tag_by_name("coreset-pick"))
    other.create_tag_from_filenames(fnames_new_tag=names[:1], new_tag_name="by-collaborator")
    out["tags_seen_by_owner"] = sorted(t.name for t in client.get_all_tags())
    out["collaborator_delete_status"] = _status_of(lambda: other.delete_dataset_by_id(dataset_id))
    client.share_dataset_only_with(dataset_id=dataset_id, user_emails=[])
    out["collaborator_after_revoke_status"] = _status_of(
        lambda: other.get_dataset_by_id(dataset_id)
    )
    out["collaborator_shared_after_revoke"] = [d.id for d in other.get_datasets(shared=True)]
    stranger = ApiWorkflowClient(token=args["stranger"]["token"])
    out["stranger_status"] = _status_of(lambda: stranger.get_dataset_by_id(dataset_id))
    _log("sharing done")


def main(args: dict[str, Any]) -> dict[str, Any]:
    """Every step; what each client call returned, by name."""
    out: dict[str, Any] = {}
    client = ApiWorkflowClient()  # token from LIGHTLY_TOKEN, server from LIGHTLY_SERVER_LOCATION
    run = _create_dataset_and_run(client, args, out)
    _listing(client, args, out)
    _embeddings(client, args, out)
    _sampling(client, args, out)
    _predictions_and_metadata(client, out)
    _exports(client, out)
    _delete_tags(client, out)
    _datasets_by_name(client, args, out)
    _run_downloads(client, run, args, out)
    _client_side_helpers(client, out)
    _sharing(client, args, out)
    return out


if __name__ == "__main__":
    started = time.monotonic()
    result = main(json.loads(sys.argv[1]))
    result["wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, default=str))
