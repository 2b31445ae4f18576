"""Each datasource type either runs a small curation job end to end or is refused at scheduling.

- GCS (gcp-storage-emulator) and AZURE (Azurite), both started by the stack's launcher: INPUT and
  LIGHTLY on the emulator, the real API, GPU worker and reporter processes; the run reaches
  COMPLETED and its selected filenames are written back to the emulator.
- S3 with a region (eu-central-1; the cluster's S3_ENDPOINT_URL, SeaweedFS) runs the same way
  here; OBS runs in tests/flow/test_end_to_end.py.
- S3DelegatedAccess and LIGHTLY are refused when scheduled (400 naming the datasource type);
  nothing is queued.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from tests.flow.conftest import SERVICES, Api, ImageSet, make_image_set, schedule_config
from winnow_common.enums import RunState
from winnow_common.storage import DatasourceStore, RunKeys, S3Store
from winnow_common.storage.azure import AzureStore
from winnow_common.storage.gcs import GCSStore
from winnow_localstack import LocalStack
from winnow_localstack.emulators import AZURITE_ACCOUNT, AZURITE_KEY

pytestmark = pytest.mark.flow

N_SAMPLES = 3
CONFIG = {
    "workerType": "FULL",
    "docker": {"enableCorruptnessCheck": True, "removeExactDuplicates": True},
    "selection": {
        "nSamples": N_SAMPLES,
        "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
    },
}


@pytest.fixture(scope="module")
def emulators(local_stack: LocalStack, services: dict[str, str]) -> Iterator[dict[str, str]]:
    """The emulators, and the app processes restarted so they read GCS_ENDPOINT_URL and
    AZURE_BLOB_ENDPOINT (the lightly client cannot send an endpoint for these types)."""
    env = local_stack.start_emulators()
    for name in SERVICES:
        local_stack.stop_service(name)
        local_stack.start_service(name)
    yield env


def _gcs_setup(env: dict[str, str], prefix: str) -> tuple[dict[str, Any], GCSStore, GCSStore]:
    bucket = f"winnow-{uuid.uuid4().hex[:8]}"
    storage.Client(
        project="winnow-flow",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": env["GCS_ENDPOINT_URL"]},
    ).create_bucket(bucket)
    # Lightly's set_gcs_config fields; an empty service-account JSON reads anonymously.
    fields = {"type": "GCS", "gcsProjectId": "winnow-flow", "gcsCredentials": ""}
    stores = [
        GCSStore(
            bucket=bucket,
            prefix=f"{prefix}/{part}",
            project="winnow-flow",
            credentials_json="",
            endpoint_url=env["GCS_ENDPOINT_URL"],
        )
        for part in ("input", "lightly")
    ]
    paths = {p: f"gs://{bucket}/{prefix}/{p.lower()}" for p in ("INPUT", "LIGHTLY")}
    return {"fields": fields, "paths": paths}, stores[0], stores[1]


def _azure_setup(env: dict[str, str], prefix: str) -> tuple[dict[str, Any], AzureStore, AzureStore]:
    container = f"winnow-{uuid.uuid4().hex[:8]}"
    # Lightly's set_azure_config: fullPath "container/path", accountKey (a key or a SAS token).
    fields = {"type": "AZURE", "accountName": AZURITE_ACCOUNT, "accountKey": AZURITE_KEY}
    paths = {p: f"{container}/{prefix}/{p.lower()}" for p in ("INPUT", "LIGHTLY")}
    stores = [
        AzureStore(
            full_path=paths[p],
            account_name=AZURITE_ACCOUNT,
            secret=AZURITE_KEY,
            endpoint=env["AZURE_BLOB_ENDPOINT"],
        )
        for p in ("INPUT", "LIGHTLY")
    ]
    stores[0].client.create_container()
    return {"fields": fields, "paths": paths}, stores[0], stores[1]


def _s3_setup(env: dict[str, str], prefix: str) -> tuple[dict[str, Any], S3Store, S3Store]:
    """Lightly's set_s3_config fields, with a region other than the cluster's."""
    fields = {
        "type": "S3",
        "s3Region": "eu-central-1",
        "s3AccessKeyId": env["S3_ACCESS_KEY_ID"],
        "s3SecretAccessKey": env["S3_SECRET_ACCESS_KEY"],
    }
    buckets = {"INPUT": env["S3_INPUT_BUCKET"], "LIGHTLY": env["S3_LIGHTLY_BUCKET"]}
    paths = {p: f"s3://{b}/{prefix}" for p, b in buckets.items()}
    stores = [
        S3Store(
            bucket=buckets[p],
            prefix=prefix,
            endpoint_url=env["S3_ENDPOINT_URL"],
            access_key_id=env["S3_ACCESS_KEY_ID"],
            secret_access_key=env["S3_SECRET_ACCESS_KEY"],
            region="eu-central-1",
        )
        for p in ("INPUT", "LIGHTLY")
    ]
    return {"fields": fields, "paths": paths}, stores[0], stores[1]


def _dataset(api: Api, fields: dict[str, Any], paths: dict[str, str]) -> str:
    response = api.call("POST", "/v1/datasets", json={"name": f"types {time.time_ns()}"})
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    for purpose, path in paths.items():
        body = {"purpose": purpose, "fullPath": path, **fields}
        put = api.call("PUT", f"/v1/datasets/{dataset_id}/datasource", json=body)
        assert put.status_code == 200, put.text
    return dataset_id


def _follow(api: Api, scheduled_id: str, timeout_s: float = 420) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = api.call("GET", f"/v1/docker/runs/schedule/{scheduled_id}")
        if response.status_code == 200 and RunState(response.json()["state"]).is_terminal:
            run: dict[str, Any] = response.json()
            return run
        time.sleep(0.5)
    raise AssertionError(f"run of {scheduled_id} did not end within {timeout_s}s")


def _check_run(
    api: Api, dataset_id: str, run: dict[str, Any], images: ImageSet, lightly: DatasourceStore
) -> None:
    assert run["state"] == "COMPLETED", run["message"]
    assert f"{N_SAMPLES} of {images.n_images}" in run["message"]
    assert {"REPORT_PDF", "REPORT_V2_JSON", "LOG"} <= {a["type"] for a in run["artifacts"]}
    tags = api.call("GET", f"/v1/datasets/{dataset_id}/tags").json()
    export = api.call(
        "GET",
        f"/v1/datasets/{dataset_id}/tags/{tags[0]['id']}/export/basic/filenames",
        params={"pageSize": 100, "pageOffset": 0},
    )
    selected = export.json().split("\n")
    assert len(set(selected)) == N_SAMPLES
    assert set(selected) <= set(images.files) - images.corrupt - images.duplicates
    # Written back to the emulator, in the LIGHTLY datasource, by the worker and the reporter.
    keys = RunKeys.for_run(run["id"])
    written = lightly.read(keys.filenames("selected")).decode().split()
    assert sorted(written) == sorted(selected)
    assert lightly.read(keys.report_pdf).startswith(b"%PDF")
    assert set(lightly.read(keys.filenames("corrupt")).decode().split()) == images.corrupt


@pytest.mark.parametrize("type_", ["GCS", "AZURE", "S3"])
def test_datasource_type_runs_end_to_end(api: Api, emulators: dict[str, str], type_: str) -> None:
    images = make_image_set(n_good=8)
    setup = {"GCS": _gcs_setup, "AZURE": _azure_setup, "S3": _s3_setup}[type_]
    config, input_store, lightly_store = setup(emulators, images.prefix)
    for name, data in images.files.items():
        input_store.write(name, data)
    dataset_id = _dataset(api, config["fields"], config["paths"])

    verify = api.call("GET", f"/v1/datasets/{dataset_id}/datasource/verify").json()
    assert {k: verify[k] for k in ("canRead", "canWrite", "canList", "canOverwrite")} == {
        "canRead": True,
        "canWrite": True,
        "canList": True,
        "canOverwrite": True,
    }, verify

    run = _follow(api, schedule_config(api, dataset_id, CONFIG))
    _check_run(api, dataset_id, run, images, lightly_store)


DELEGATED = {
    "type": "S3DelegatedAccess",
    "s3Region": "eu-central-1",
    "s3ARN": "arn:aws:iam::123456789012:role/winnow-reader",
    "s3ExternalId": "winnow-external-1",
}


@pytest.mark.parametrize(
    ("fields", "type_"), [(DELEGATED, "S3DelegatedAccess"), ({"type": "LIGHTLY"}, "LIGHTLY")]
)
def test_unreadable_types_are_refused_at_scheduling(
    api: Api, services: dict[str, str], fields: dict[str, Any], type_: str
) -> None:
    dataset_id = _dataset(api, fields, {"INPUT": "s3://bucket/in", "LIGHTLY": "s3://bucket/out"})
    created = api.call(
        "POST", "/v1/docker/worker/config/vX", json={"version": "V4", "config": CONFIG}
    )
    assert created.status_code == 201, created.text
    scheduled = api.call(
        "POST",
        f"/v1/datasets/{dataset_id}/docker/worker/schedule",
        json={"configId": created.json()["id"], "priority": "MID", "runsOn": []},
    )
    assert scheduled.status_code == 400, scheduled.text
    error = scheduled.json()["error"]
    assert error.startswith(
        f"datasource: the dataset's INPUT datasource: datasource type {type_} is not supported"
    ), error
    assert "GCS" in error and "AZURE" in error  # what can be read instead
    # Nothing was queued.
    assert api.call("GET", f"/v1/datasets/{dataset_id}/docker/worker/schedule").json() == []
