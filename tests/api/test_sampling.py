"""Sampling on stored embeddings on the real stack: the API (uvicorn) and the GPU worker
(Celery) as processes. An embeddings CSV is uploaded through the signed write URL; a sampling
job's tag has the requested size and exactly the engine's picks on the same array; its state
goes WAITING -> RUNNING -> FINISHED; a broken CSV ends FAILED with a message; bad requests are
4xx naming the field; another user sees 404; the 2-D projection is stored and flagged."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from tests.api.conftest import make_user
from tests.api.helpers import insert_tag
from tests.flow.conftest import Api, services  # noqa: F401 - the stack's processes
from winnow_common.db.models import Embedding, Job, Sample
from winnow_common.db.session import session_factory
from winnow_common.enums import SelectionInputType, SelectionStrategyType
from winnow_common.schemas.selection_config import (
    SelectionEntry,
    SelectionInput,
    SelectionStrategy,
)
from winnow_common.storage.platform import platform_store
from winnow_common.tags import bitmask_to_indices, indices_to_bitmask
from winnow_gpu_worker.ml.embed import l2_normalize
from winnow_gpu_worker.ml.selection import ResolvedStrategy
from winnow_gpu_worker.ml.selection import select as engine_select

N = 24
DIM = 8
ORDER = {"WAITING": 0, "RUNNING": 1, "FINISHED": 2, "FAILED": 2}


def _csv(names: list[str], rows: np.ndarray) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["filenames", *(f"embedding_{i}" for i in range(rows.shape[1])), "labels"])
    writer.writerows([n, *(repr(float(v)) for v in r), 0] for n, r in zip(names, rows, strict=True))
    return buf.getvalue().encode()


def _json(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def _error(response: httpx.Response, status: int, field: str) -> None:
    body = _json(response, status)
    assert body["error"].startswith(field), body


class Setup:
    """A dataset with uploaded embeddings (names in shuffled order) and an initial-tag."""

    def __init__(self, api: Api, n: int = N) -> None:
        self.api = api
        self.dataset_id = _json(api.call("POST", "/v1/datasets", json={"name": _name()}), 201)["id"]
        rng = np.random.default_rng(7)
        self.names = [f"img_{i:03d}.png" for i in rng.permutation(n)]
        self.rows = rng.normal(size=(n, DIM)).astype(np.float32)
        self.embedding_id = self.upload(_csv(self.names, self.rows))
        with session_factory().begin() as session:
            samples = session.scalars(select(Sample).where(Sample.dataset_id == self.dataset_id))
            self.idx = {s.file_name: s.idx for s in samples}
            self.sample_ids = {
                s.idx: s.id
                for s in session.scalars(select(Sample).where(Sample.dataset_id == self.dataset_id))
            }
        assert sorted(self.idx.values()) == list(range(n))
        self.initial_tag = insert_tag(self.dataset_id, "initial-tag", hex((1 << n) - 1), n)

    def upload(self, data: bytes) -> str:
        target = _json(
            self.api.call(
                "GET",
                f"/v1/datasets/{self.dataset_id}/embeddings/writeCSVUrl",
                params={"name": _name()},
            ),
            200,
        )
        put = httpx.put(target["signedWriteUrl"], content=data, timeout=30)
        assert put.status_code == 200, put.text
        return str(target["embeddingId"])

    def matrix_by_idx(self) -> np.ndarray:
        """The CSV's rows in sample (bit) order, L2-normalised as the job does."""
        order = np.argsort([self.idx[name] for name in self.names])
        return l2_normalize(self.rows[order])

    def sample(self, body: dict[str, Any], status: int = 200) -> httpx.Response:
        response = self.api.call(
            "POST",
            f"/v1/datasets/{self.dataset_id}/embeddings/{self.embedding_id}/sampling",
            json=body,
        )
        assert response.status_code == status, response.text
        return response


def _name() -> str:
    return f"s-{uuid.uuid4().hex[:10]}"


def _body(method: str, n: Any, d: Any = -1, **extra: Any) -> dict[str, Any]:
    stop = {"nSamples": n, "minDistance": d}
    return {"newTagName": _name(), "method": method, "config": {"stoppingCondition": stop}, **extra}


def _wait(api: Api, job_id: str, timeout_s: float = 120) -> tuple[dict[str, Any], list[str]]:
    """Poll the job as lightly does; the final status and every state seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = _json(api.call("GET", f"/v1/jobs/{job_id}"), 200)
        if not seen or seen[-1] != status["status"]:
            seen.append(status["status"])
        if status["status"] in ("FINISHED", "FAILED"):
            return status, seen
        assert status["waitTimeTillNextPoll"] >= 1
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {seen} after {timeout_s}s")


def _tag_indices(api: Api, dataset_id: str, tag_id: str) -> tuple[dict[str, Any], list[int]]:
    tag = _json(api.call("GET", f"/v1/datasets/{dataset_id}/tags/{tag_id}"), 200)
    return tag, bitmask_to_indices(tag["bitMaskData"])


def _engine(entry: SelectionEntry, values: np.ndarray, n: int, **kw: Any) -> list[int]:
    return engine_select([ResolvedStrategy(entry=entry, values=values)], n, **kw).indices


DIVERSITY = SelectionEntry(
    input=SelectionInput(type=SelectionInputType.EMBEDDINGS),
    strategy=SelectionStrategy(type=SelectionStrategyType.DIVERSITY),
)


@pytest.fixture
def stack_api(services: dict[str, str]) -> Api:  # noqa: F811 - the imported fixture
    """A new user on the API process (the GPU worker runs as a Celery process)."""
    return Api(services["API_PUBLIC_URL"], make_user())


@pytest.mark.flow
def test_coreset_tag_is_the_engines_picks_and_scores_rank_every_sample(stack_api: Api) -> None:
    api = stack_api
    setup = Setup(api)
    job_id = setup.sample(_body("CORESET", 6, queryTagId=setup.initial_tag)).json()["jobId"]
    with session_factory().begin() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.type == "SAMPLING" and job.published_at
    status, seen = _wait(api, job_id)
    assert status["status"] == "FINISHED", status
    assert [ORDER[s] for s in seen] == sorted(ORDER[s] for s in seen)  # never goes back
    assert status["result"]["type"] == "SAMPLING" and "error" not in status
    assert status["finishedAt"] >= status["createdAt"] and status["datasetId"] == setup.dataset_id
    tag, picked = _tag_indices(api, setup.dataset_id, status["result"]["data"])
    assert tag["prevTagId"] == setup.initial_tag and tag["totSize"] == N and len(picked) == 6
    direct = _engine(DIVERSITY, setup.matrix_by_idx(), 6)  # candidates = samples 0..N-1
    assert picked == sorted(direct)

    scores = _json(api.call("GET", f"/v1/jobs/{job_id}/scores"), 200)
    assert scores["tagId"] == tag["id"] and scores["method"] == "CORESET"
    assert (scores["selectedCount"], scores["preselectedCount"], len(scores["samples"])) == (
        6,
        0,
        N,
    )
    ranked = scores["samples"]
    assert [r["sampleId"] for r in ranked[:6]] == [setup.sample_ids[i] for i in direct]
    values = [r["score"] for r in ranked]
    assert values == sorted(values, reverse=True) and values[0] == 1.0 and values[-1] >= 0
    assert {r["fileName"] for r in ranked} == set(setup.names)


@pytest.mark.flow
def test_active_learning_uses_uploaded_scores_and_counts_the_preselected(stack_api: Api) -> None:
    api = stack_api
    setup = Setup(api)
    base = f"/v1/datasets/{setup.dataset_id}/tags/{setup.initial_tag}/scores"
    scores = [float((i * 5) % N) for i in range(N)]  # in the tag's (bit) order
    first = _json(api.call("POST", base, json={"scoreType": "margin", "scores": scores}), 201)
    again = _json(api.call("POST", base, json={"scoreType": "margin", "scores": scores}), 201)
    assert first["id"] == again["id"]  # replaced, not added
    _error(api.call("POST", base, json={"scoreType": "x", "scores": [1.0]}), 400, "scores:")
    preselected = insert_tag(setup.dataset_id, "labelled", indices_to_bitmask([0, 1]), N)
    body = _body("ACTIVE_LEARNING", 5, queryTagId=setup.initial_tag, preselectedTagId=preselected)
    status, _ = _wait(api, setup.sample(body).json()["jobId"])
    assert status["status"] == "FINISHED", status
    _, members = _tag_indices(api, setup.dataset_id, status["result"]["data"])
    by_score = sorted(range(2, N), key=lambda i: (-scores[i], i))
    assert members == sorted([0, 1, *by_score[:3]])


@pytest.mark.flow
def test_random_without_query_tag_and_fraction(stack_api: Api) -> None:
    api = stack_api
    setup = Setup(api)
    status, _ = _wait(api, setup.sample(_body("RANDOM", 0.25)).json()["jobId"])
    assert status["status"] == "FINISHED", status
    tag, members = _tag_indices(api, setup.dataset_id, status["result"]["data"])
    with session_factory().begin() as session:
        job = session.scalars(select(Job).where(Job.dataset_id == setup.dataset_id)).one()
        seed = job.request["randomSeed"]
    values = np.random.default_rng(seed).random(N)
    assert members == sorted(np.argsort(-values, kind="stable")[:6].tolist())
    assert tag["prevTagId"] == setup.initial_tag  # None resolves to initial-tag


@pytest.mark.flow
def test_a_broken_csv_fails_the_job_with_a_message(stack_api: Api) -> None:
    api = stack_api
    setup = Setup(api, n=6)
    with session_factory().begin() as session:
        embedding = session.get(Embedding, setup.embedding_id)
        assert embedding is not None
        platform_store().write(embedding.storage_key, b"filenames,embedding_0\nx,notanumber\n")
    status, seen = _wait(api, setup.sample(_body("CORESET", 2)).json()["jobId"])
    assert status["status"] == "FAILED" and "result" not in status, status
    assert "embeddings CSV" in status["error"], status
    assert seen[-1] == "FAILED"


@pytest.mark.flow
def test_bad_requests_are_4xx_naming_the_field_and_other_users_get_404(stack_api: Api) -> None:
    api = stack_api
    setup = Setup(api, n=6)
    _error(setup.sample(_body("RANDOM", 3, 0.2), 400), 400, "config.stoppingCondition.minDistance:")
    _error(setup.sample(_body("CORESET", 0), 400), 400, "config.stoppingCondition.nSamples:")
    _error(setup.sample(_body("ACTIVE_LEARNING", 3), 400), 400, "scoreType:")
    _error(setup.sample(_body("CORESET", 3, scoreType="m"), 400), 400, "scoreType:")
    _error(
        setup.sample({**_body("CORESET", 3), "newTagName": "initial-tag"}, 409), 409, "newTagName:"
    )
    unknown = "a" * 24
    _error(setup.sample(_body("CORESET", 3, queryTagId=unknown), 404), 404, "queryTagId:")
    _error(
        setup.sample(_body("CORESET", 3, preselectedTagId=unknown), 404), 404, "preselectedTagId:"
    )
    assert setup.sample({**_body("CORESET", 3), "method": "CLUSTER"}, 422).status_code == 422
    job_id = setup.sample(_body("CORESET", 3)).json()["jobId"]
    _wait(api, job_id)

    other = Api(api.url, make_user())
    path = f"/v1/datasets/{setup.dataset_id}/embeddings/{setup.embedding_id}/sampling"
    _error(other.call("POST", path, json=_body("CORESET", 3)), 404, "datasetId:")
    _error(other.call("GET", f"/v1/jobs/{job_id}"), 404, "jobId:")
    _error(other.call("GET", f"/v1/jobs/{job_id}/scores"), 404, "jobId:")
    scores = f"/v1/datasets/{setup.dataset_id}/tags/{setup.initial_tag}/scores"
    _error(
        other.call("POST", scores, json={"scoreType": "m", "scores": [1.0] * 6}), 404, "datasetId:"
    )
    _error(api.call("GET", f"/v1/jobs/{unknown}"), 404, "jobId:")


@pytest.mark.flow
def test_2d_projection_is_stored_and_flagged(stack_api: Api) -> None:
    api = stack_api
    setup = Setup(api, n=10)
    path = f"/v1/datasets/{setup.dataset_id}/embeddings/{setup.embedding_id}/trigger2dEmbeddingsJob"
    for method in ("PCA", "TSNE", "UMAP"):  # as upload_embeddings does
        response = api.call("POST", path, json={"dimensionalityReductionMethod": method})
        assert response.status_code == 204 and not response.content, response.text
    with session_factory().begin() as session:
        jobs = session.scalars(select(Job).where(Job.dataset_id == setup.dataset_id)).all()
        assert [j.type for j in jobs] == ["EMBEDDINGS2D"]
        job_id = jobs[0].id
    status, _ = _wait(api, job_id)
    assert status["status"] == "FINISHED" and status["result"] == {
        "type": "EMBEDDINGS2D",
        "data": setup.embedding_id,
    }
    listed = _json(api.call("GET", f"/v1/datasets/{setup.dataset_id}/embeddings"), 200)
    assert [e["is2d"] for e in listed if e["id"] == setup.embedding_id] == [True]
    with session_factory().begin() as session:
        embedding = session.get(Embedding, setup.embedding_id)
        assert embedding is not None and embedding.projection_key
        key = embedding.projection_key
    document = json.loads(platform_store().read(key))
    assert document["fileNames"] == setup.names and document["method"] == "PCA"
    points = np.array(document["points"])
    assert points.shape == (10, 2) and np.allclose(points.mean(axis=0), 0, atol=1e-5)
    bad = api.call("POST", path, json={"dimensionalityReductionMethod": "MDS"})
    assert bad.status_code == 422
