"""Wire routes 37-40: the 2-D projection trigger, sampling on stored embeddings, job status and
active-learning scores. No worker consumes the in-process API's queue, so a job stays WAITING
until the test runs the GPU worker's job body (``run_platform_job``) itself."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import redis
from sqlalchemy import select

from tests.api.helpers import insert_tag
from tests.contracts import wire_models as wm
from tests.contracts.wire.routes import covers
from tests.contracts.wire.world import World, error_body, json_of, new_dataset
from winnow_common.config import redis_settings
from winnow_common.db.models import Embedding, Job
from winnow_common.db.session import session_factory
from winnow_common.ids import new_object_id
from winnow_common.storage.platform import platform_store
from winnow_gpu_worker.platform_jobs import run_platform_job

# lightly's AsyncTaskData, JobStatusData and JobStatusDataResult (extra keys forbidden).
ASYNC_TASK_DATA = wm._object({"jobId": wm.STRING})
JOB_STATUS_DATA_RESULT = wm._object(
    {"type": wm._enum("DATASET_PROCESSING", "IMAGEMETA", "EMBEDDING", "EMBEDDINGS2D", "SAMPLING")},
    {"data": {}},
)
JOB_STATUS_DATA = wm._object(
    {
        "id": wm.OBJECT_ID,
        "status": wm._enum("UNKNOWN", "WAITING", "RUNNING", "FAILED", "FINISHED"),
        "waitTimeTillNextPoll": wm.INTEGER,
        "createdAt": wm.TIMESTAMP,
    },
    {
        "datasetId": wm.OBJECT_ID,
        "lastModifiedAt": wm.TIMESTAMP,
        "finishedAt": wm.TIMESTAMP,
        "error": wm.STRING,
        "result": JOB_STATUS_DATA_RESULT,
    },
)
N = 8
NAMES = [f"img_{i}.png" for i in range(N)]
CSV = (
    "filenames,embedding_0,embedding_1,labels\r\n"
    + "".join(f"{n},{(i * 37) % 11 / 3},{(i * 13) % 7 - 3},0\r\n" for i, n in enumerate(NAMES))
).encode()


@pytest.fixture(scope="module")
def stored(world: World) -> dict[str, str]:
    """A fresh dataset with an uploaded embedding (8 samples) and its initial-tag."""
    dataset_id = new_dataset(world)
    target = json_of(world.call(35, params={"name": "emb"}, datasetId=dataset_id))
    assert world.client.put(target["signedWriteUrl"], content=CSV).status_code == 200
    tag_id = insert_tag(dataset_id, "initial-tag", hex((1 << N) - 1), N)
    return {"dataset_id": dataset_id, "embedding_id": target["embeddingId"], "tag_id": tag_id}


def _sampling(world: World, stored: dict[str, str], body: dict[str, Any], **kw: Any) -> Any:
    return world.call(
        38,
        json_body=body,
        datasetId=stored["dataset_id"],
        embeddingId=stored["embedding_id"],
        **kw,
    )


def _body(method: str = "CORESET", n: Any = 3, d: Any = -1, **extra: Any) -> dict[str, Any]:
    """What ``client.selection`` sends (it always sets rowCount; no scoreType)."""
    return {
        "newTagName": f"sel-{uuid.uuid4().hex[:6]}",
        "method": method,
        "config": {"stoppingCondition": {"nSamples": n, "minDistance": d}},
        "rowCount": N,
        **extra,
    }


def _queued(job_id: str) -> list[dict[str, Any]]:
    """The Celery messages for ``job_id`` in the ``gpu`` queue's priority-0 list."""
    conn = redis.Redis.from_url(redis_settings().url)
    try:
        found = []
        for raw in conn.lrange("gpu", 0, -1):
            envelope = json.loads(raw)
            if job_id in raw.decode():
                found.append(envelope)
        return found
    finally:
        conn.close()


@covers(38, 39)
def test_sampling_job_waits_then_finishes_with_its_tag(
    world: World, stored: dict[str, str]
) -> None:
    body = _body()
    started = json_of(_sampling(world, stored, body, expect=200))
    wm.validate(started, ASYNC_TASK_DATA)
    job_id = started["jobId"]
    [message] = _queued(job_id)
    assert message["headers"]["task"] == "gpu.platform_job"
    waiting = json_of(world.call(39, jobId=job_id))
    wm.validate(waiting, JOB_STATUS_DATA)
    assert waiting["status"] == "WAITING" and waiting["datasetId"] == stored["dataset_id"]
    assert waiting["waitTimeTillNextPoll"] >= 1 and waiting["id"] == job_id
    assert not {"result", "error", "finishedAt"} & set(waiting)

    run_platform_job(job_id)  # the GPU worker's task body
    done = json_of(world.call(39, jobId=job_id))
    wm.validate(done, JOB_STATUS_DATA)
    assert done["status"] == "FINISHED" and done["result"]["type"] == "SAMPLING"
    assert done["finishedAt"] >= done["createdAt"] and "error" not in done
    tag = json_of(world.call(25, datasetId=stored["dataset_id"], tagId=done["result"]["data"]))
    wm.validate(tag, wm.TAG_DATA)
    assert tag["name"] == body["newTagName"] and tag["prevTagId"] == stored["tag_id"]
    assert int(tag["bitMaskData"], 16).bit_count() == 3 and tag["totSize"] == N
    run_platform_job(job_id)  # a duplicate message changes nothing
    assert json_of(world.call(39, jobId=job_id)) == done


@covers(38)
def test_sampling_refusals(world: World, stored: dict[str, str]) -> None:
    bad = error_body(_sampling(world, stored, _body("RANDOM", 3, 0.5), expect=400), 400)
    assert bad["error"].startswith("config.stoppingCondition.minDistance:")
    no_scores = error_body(_sampling(world, stored, _body("ACTIVE_LEARNING"), expect=400), 400)
    assert no_scores["error"].startswith("scoreType:")
    taken = _body()
    taken["newTagName"] = "initial-tag"
    assert error_body(_sampling(world, stored, taken, expect=409), 409)["error"].startswith(
        "newTagName:"
    )
    unknown_tag = _body(queryTagId=new_object_id())
    assert error_body(_sampling(world, stored, unknown_tag, expect=404), 404)["error"].startswith(
        "queryTagId:"
    )
    error_body(_sampling(world, stored, {**_body(), "method": "KMEANS"}, expect=422), 422)
    error_body(_sampling(world, stored, {**_body(), "extra": 1}, expect=422), 422)
    missing = world.call(
        38,
        json_body=_body(),
        datasetId=stored["dataset_id"],
        embeddingId=new_object_id(),
        expect=404,
    )
    assert error_body(missing, 404)["error"].startswith("embeddingId:")


@covers(39)
def test_failed_job_and_unknown_job(world: World) -> None:
    dataset_id = new_dataset(world)
    target = json_of(world.call(35, params={"name": "broken"}, datasetId=dataset_id))
    assert world.client.put(target["signedWriteUrl"], content=CSV).status_code == 200
    with session_factory().begin() as session:
        embedding = session.get(Embedding, target["embeddingId"])
        assert embedding is not None
        platform_store().write(embedding.storage_key, b"not,a\ncsv")
    job_id = json_of(
        world.call(
            38,
            json_body=_body(n=2),
            datasetId=dataset_id,
            embeddingId=target["embeddingId"],
            expect=200,
        )
    )["jobId"]
    run_platform_job(job_id)
    failed = json_of(world.call(39, jobId=job_id))
    wm.validate(failed, JOB_STATUS_DATA)
    assert failed["status"] == "FAILED" and "result" not in failed
    assert "embeddings CSV" in failed["error"] and failed["finishedAt"] >= failed["createdAt"]
    unknown = error_body(world.call(39, jobId=new_object_id(), expect=404), 404)
    assert unknown["error"].startswith("jobId:")


@covers(40)
def test_upload_scores(world: World, stored: dict[str, str]) -> None:
    ids = dict(datasetId=stored["dataset_id"], tagId=stored["tag_id"])
    body = {"scoreType": "uncertainty_margin", "scores": [0.5, 1, 0.25, 0, 0.75, 0.1, 0.9, 0.3]}
    created = json_of(world.call(40, json_body=body, expect=201, **ids))
    wm.validate(created, wm.CREATE_ENTITY_RESPONSE)
    again = json_of(world.call(40, json_body={**body, "scores": [1.0] * N}, expect=201, **ids))
    assert again == created  # replaced in place
    short = error_body(world.call(40, json_body={**body, "scores": [1.0]}, expect=400, **ids), 400)
    assert short["error"].startswith("scores:")
    error_body(world.call(40, json_body={**body, "scores": []}, expect=422, **ids), 422)
    unknown = dict(datasetId=stored["dataset_id"], tagId=new_object_id())
    assert error_body(world.call(40, json_body=body, expect=404, **unknown), 404)[
        "error"
    ].startswith("tagId:")
    # The scores drive ACTIVE_LEARNING (the latest uploaded type when scoreType is left out).
    job_id = json_of(_sampling(world, stored, _body("ACTIVE_LEARNING", n=2), expect=200))["jobId"]
    run_platform_job(job_id)
    done = json_of(world.call(39, jobId=job_id))
    assert done["status"] == "FINISHED", done


@covers(37)
def test_trigger_2d_embeddings_job(world: World, stored: dict[str, str]) -> None:
    ids = dict(datasetId=stored["dataset_id"], embeddingId=stored["embedding_id"])
    for method in ("PCA", "TSNE", "UMAP"):
        response = world.call(
            37, json_body={"dimensionalityReductionMethod": method}, expect=204, **ids
        )
        assert response.content == b""
    listed = json_of(world.call(34, datasetId=stored["dataset_id"]))
    assert [e["is2d"] for e in listed] == [False]
    job_id = _projection_job(stored["embedding_id"])
    run_platform_job(job_id)
    listed = json_of(world.call(34, datasetId=stored["dataset_id"]))
    assert [e["is2d"] for e in listed] == [True]
    error_body(
        world.call(37, json_body={"dimensionalityReductionMethod": "MDS"}, expect=422, **ids), 422
    )
    missing = dict(datasetId=stored["dataset_id"], embeddingId=new_object_id())
    error_body(
        world.call(37, json_body={"dimensionalityReductionMethod": "PCA"}, expect=404, **missing),
        404,
    )


def _projection_job(embedding_id: str) -> str:
    """The one EMBEDDINGS2D job the three triggers created."""
    with session_factory().begin() as session:
        jobs = session.scalars(select(Job).where(Job.type == "EMBEDDINGS2D")).all()
        mine = [j.id for j in jobs if j.request["embeddingId"] == embedding_id]
    assert len(mine) == 1, mine
    return mine[0]
