"""The GPU stage's memory log on the real servers: a completed run has a MEMLOG artifact
(``memlog.txt``, what lightly's ``download_compute_worker_run_memory_log`` fetches) sampled by the
GPU worker, one line per sample naming the stage it ran in, the process's RSS in MiB."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow.conftest import Api, make_image_set, schedule_config, upload
from tests.flow.test_end_to_end import _create_dataset_with_sources, _download, _follow

pytestmark = pytest.mark.flow


def test_a_completed_run_has_a_memory_log_naming_its_stages(
    api: Api, services: dict[str, str], s3: Any
) -> None:
    images = make_image_set(n_good=8)
    input_bucket, lightly_bucket = services["S3_INPUT_BUCKET"], services["S3_LIGHTLY_BUCKET"]
    upload(s3, input_bucket, images)
    dataset_id = _create_dataset_with_sources(
        api,
        services,
        f"obs://{input_bucket}/{images.prefix}",
        f"obs://{lightly_bucket}/{images.prefix}",
    )
    config = {
        "workerType": "FULL",
        "selection": {
            "nSamples": 3,
            "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
        },
    }
    run, _ = _follow(api, schedule_config(api, dataset_id, config))
    assert run["state"] == "COMPLETED", run["message"]
    [memlog] = [a for a in run["artifacts"] if a["type"] == "MEMLOG"]
    assert memlog["fileName"] == "memlog.txt"

    text = _download(api, run, "MEMLOG").text
    lines = text.splitlines()
    assert lines[0].startswith("===== attempt 1: gpu.process_run on ")
    assert lines[1].split("\t")[:4] == ["time_utc", "elapsed_s", "stage", "rss_mib"]
    rows = [line.split("\t") for line in lines[2:]]
    stages = [row[2] for row in rows]
    for stage in ("INITIALIZING", "LOADING_DATASET", "EMBEDDING", "SAMPLING", "DONE"):
        assert stage in stages, (stage, stages)
    assert stages[-1] == "DONE"
    # Stages appear in pipeline order; the worker process holds real memory (torch loaded).
    first = [stages.index(s) for s in ("INITIALIZING", "EMBEDDING", "SAMPLING")]
    assert first == sorted(first)
    assert all(float(row[3]) > 50 for row in rows)
    key = f"{images.prefix}/.lightly/runs/{run['id']}/memlog.txt"
    stored = s3.get_object(Bucket=lightly_bucket, Key=key)["Body"].read().decode()
    assert stored == text
