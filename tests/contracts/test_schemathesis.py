"""Schemathesis (pinned in requirements-dev.txt) over the API's ``/openapi.json``: no 5xx.

A separate API process (uvicorn, started through the launcher like the stack's own ``api``)
runs on the session's real Postgres, Redis and S3, on its own port, with its own Redis database
(runs the fuzzer schedules never reach a worker) and a sandbox directory as the LOCAL datasource
root (datasource verification writes probe files there). Every operation gets a valid
``?token=``; the seeded ids (a dataset with real OBS datasources, samples, tags, a worker
config, a run and its artifact, valid download signatures) let the generated requests reach the
routes' logic and the database instead of stopping at a 404.

The run is bounded by ``SCHEMATHESIS_MAX_TIME`` seconds (default 120; schemathesis spreads
them over the coverage, fuzzing and stateful phases, then keeps drawing new fuzzing and stateful
cases until the time is up) and must end with 0 failures and 0 errors.

Deterministic for CI: a fixed seed (``SCHEMATHESIS_SEED``, default below; each further cycle
uses seed + cycle), one worker, no Hypothesis example database (nothing replayed from an
earlier run, nothing written to ``.hypothesis/``) and a fresh database per test session. A
slower machine runs a shorter prefix of the same sequence of cases; it never sees other ones.
``SCHEMATHESIS_SEED=random`` (with a longer ``SCHEMATHESIS_MAX_TIME``) is the exploratory run.
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import redis
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic
from sqlalchemy.orm import Session

from tests.api.conftest import ApiUser, make_user
from tests.api.helpers import DIVERSITY, make_bucket, s3_client
from tests.conftest import REPO_ROOT
from winnow_localstack import LocalStack, ServiceSpec
from winnow_localstack.ports import PortAllocator

SCHEMA_PATH = REPO_ROOT / "packages" / "client" / "openapi.json"
MAX_TIME_S = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "120"))
DEFAULT_SEED = 20261205
_SEED = os.environ.get("SCHEMATHESIS_SEED", str(DEFAULT_SEED))
# ``random``: a new seed (exploratory runs only), printed in the summary to replay a failure.
SEED = random.randrange(1, 2**31) if _SEED == "random" else int(_SEED)
# Every check that holds for this API. Left out: status_code_conformance (404/409/413 are not
# declared per route), positive_data_acceptance (a schema-valid body can still name a missing
# id), unsupported_method / allow_header_conformance (FastAPI answers 405 without Allow) and
# ignored_auth (the token is a plain query parameter, not a security scheme).
CHECKS = (
    "not_a_server_error",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "use_after_free",
    "ensure_resource_availability",
)
# Published jobs go to this Redis database: no worker consumes it (workers use 0, the in-process
# API tests 1).
FUZZ_REDIS_DB = 2
SERVICE = "api-schemathesis"


@pytest.fixture(scope="module")
def fuzz_api(
    local_stack: LocalStack, migrated_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API as its own process on a free port; its URL.

    The fuzzer points datasources at any endpoint it likes (``obsEndpoint``, ``s3Region``) and
    then verifies them: the API reaches the stack's own S3 only, every other host goes through
    a proxy that refuses at once (a bound, never listening port). Verifying an unroutable
    address on a networked CI machine would otherwise wait out botocore's 60 s connect timeout
    and fail the run with a request timeout instead of a finding.
    """
    port = PortAllocator().take()
    url = f"http://127.0.0.1:{port}"
    env = local_stack.env()
    base_redis = env["REDIS_URL"].rsplit("/", 1)[0]
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))
    proxy = f"http://127.0.0.1:{refusing.getsockname()[1]}"
    direct = ",".join(
        sorted({"127.0.0.1", "localhost", urlsplit(env["S3_ENDPOINT_URL"]).hostname or ""} - {""})
    )
    proxies = {
        name: value
        for key, value in (("http_proxy", proxy), ("https_proxy", proxy), ("no_proxy", direct))
        for name in (key, key.upper())
    }
    local_stack.services[SERVICE] = ServiceSpec(
        argv=(
            "{python}",
            "-m",
            "uvicorn",
            "winnow_api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ),
        extra_env={
            "REDIS_URL": f"{base_redis}/{FUZZ_REDIS_DB}",
            "API_PUBLIC_URL": url,
            "WORKER_LOCAL_DATASOURCE_ROOT": str(tmp_path_factory.mktemp("fuzz-local-root")),
            **proxies,
        },
    )
    try:
        local_stack.start_service(SERVICE)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{SERVICE} did not answer /health within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        local_stack.stop_service(SERVICE)
        del local_stack.services[SERVICE]
        refusing.close()
        conn = redis.Redis.from_url(f"{base_redis}/{FUZZ_REDIS_DB}")
        conn.flushdb()
        conn.close()


@dataclass
class Seed:
    user: ApiUser
    user_id: str
    ids: dict[str, str]
    signatures: dict[str, tuple[str, str]]


def _signature_of(url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(url).query)
    return query["expires"][0], query["signature"][0]


def _dataset(api: str, user: ApiUser) -> str:
    response = httpx.post(
        f"{api}/v1/datasets", params=user.params, json={"name": f"st-{uuid.uuid4().hex[:10]}"}
    )
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    return dataset_id


def _real_obs(api: str, user: ApiUser, dataset_id: str, bucket: str) -> None:
    for purpose, path in (("INPUT", f"obs://{bucket}/in"), ("LIGHTLY", f"obs://{bucket}/lightly")):
        response = httpx.put(
            f"{api}/v1/datasets/{dataset_id}/datasource",
            params=user.params,
            json={
                "purpose": purpose,
                "type": "OBS",
                "fullPath": path,
                "obsEndpoint": os.environ["S3_ENDPOINT_URL"],
                "obsAccessKeyId": os.environ["S3_ACCESS_KEY_ID"],
                "obsSecretAccessKey": os.environ["S3_SECRET_ACCESS_KEY"],
            },
        )
        assert response.status_code == 200, response.text


def _insert_samples(session: Session, datasets: dict[str, str], names: list[str]) -> dict[str, str]:
    """The same files as samples of each dataset; by the dataset's key, its first sample's id."""
    from winnow_common.db.models import Sample
    from winnow_common.ids import now_ms

    first: dict[str, str] = {}
    for key, dataset_id in datasets.items():
        samples = [
            Sample(dataset_id=dataset_id, file_name=name, idx=i, created_at=now_ms())
            for i, name in enumerate(names)
        ]
        session.add_all(samples)
        session.flush()
        first[key] = samples[0].id
    return first


def _insert_finished_run(
    session: Session, user_id: str, dataset_id: str, bucket: str
) -> dict[str, str]:
    """A config, its DONE scheduled run, the COMPLETED run and its LOG artifact (in S3)."""
    from winnow_common.db.models import Run, RunArtifact, ScheduledRun, WorkerConfig
    from winnow_common.ids import now_ms

    config = WorkerConfig(
        user_id=user_id,
        version="V4",
        config={"workerType": "FULL", "selection": {"nSamples": 2, "strategies": DIVERSITY}},
    )
    session.add(config)
    session.flush()
    done = ScheduledRun(dataset_id=dataset_id, user_id=user_id, config_id=config.id, state="DONE")
    session.add(done)
    session.flush()
    run = Run(
        user_id=user_id,
        dataset_id=dataset_id,
        config_id=config.id,
        scheduled_id=done.id,
        docker_version="0.1.0",
        state="COMPLETED",
        message="seeded",
    )
    session.add(run)
    session.flush()
    key = f".lightly/runs/{run.id}/log.txt"
    s3_client().put_object(Bucket=bucket, Key=f"lightly/{key}", Body=b"log line\n")
    artifact = RunArtifact(
        run_id=run.id, type="LOG", file_name="log.txt", storage_key=key, created_at=now_ms()
    )
    session.add(artifact)
    session.flush()
    return {"config": config.id, "scheduled": done.id, "run": run.id, "artifact": artifact.id}


def _insert_tags(session: Session, dataset_id: str) -> dict[str, str]:
    """``initial-tag`` over the five samples and a subset tag below it."""
    from winnow_common.db.models import Tag

    first = Tag(dataset_id=dataset_id, name="initial-tag", bit_mask_data="0x1f", tot_size=5)
    session.add(first)
    session.flush()
    second = Tag(
        dataset_id=dataset_id, prev_tag_id=first.id, name="sub", bit_mask_data="0x5", tot_size=5
    )
    session.add(second)
    session.flush()
    return {"tag": first.id, "tag2": second.id}


@pytest.fixture(scope="module")
def seed(fuzz_api: str) -> Iterator[Seed]:
    """Data every operation can reach; OPEN runs the fuzzer scheduled are canceled after."""
    from sqlalchemy import select, update

    from winnow_api.signing import sample_read_url, signed_url
    from winnow_common.db.models import ScheduledRun, User
    from winnow_common.db.session import session_factory

    user = make_user()
    names = [f"img_{i}.png" for i in range(5)]
    bucket = make_bucket({f"in/{name}": b"\x89PNG not really " + name.encode() for name in names})
    # The fuzzed dataset; the signed file routes read another one, whose datasources the fuzzer
    # cannot replace (its PUTs go to the first), and DELETE gets a third.
    main, files, doomed = (_dataset(fuzz_api, user) for _ in range(3))
    _real_obs(fuzz_api, user, main, bucket)
    _real_obs(fuzz_api, user, files, bucket)
    with session_factory().begin() as session:
        user_id = session.scalars(select(User.id).where(User.email == user.email)).one()
        ids: dict[str, str] = {"dataset": main, "filesDataset": files, "doomed": doomed}
        ids |= _insert_samples(session, {"sample": main, "filesSample": files}, names)
        ids |= _insert_finished_run(session, user_id, files, bucket)
        ids |= _insert_tags(session, main)
    artifact_path = f"/v1/files/runs/{ids['run']}/artifacts/{ids['artifact']}"
    signatures = {
        "sample": _signature_of(sample_read_url(files, ids["filesSample"])),
        "artifact": _signature_of(signed_url(artifact_path)),
    }
    yield Seed(user, user_id, ids, signatures)
    with session_factory().begin() as session:
        session.execute(
            update(ScheduledRun)
            .where(ScheduledRun.user_id == user_id, ScheduledRun.state == "OPEN")
            .values(state="CANCELED")
        )


def _config(api: str, seed: Seed) -> dict[str, Any]:
    """The run's configuration, as a ``schemathesis.toml`` would hold it."""
    ids = seed.ids

    def operation(name: str, **parameters: str) -> dict[str, Any]:
        return {"include-name": name, "parameters": parameters}

    sample_expires, sample_signature = seed.signatures["sample"]
    artifact_expires, artifact_signature = seed.signatures["artifact"]
    return {
        "base-url": api,
        "max-time": MAX_TIME_S,
        # One worker: the order of the cases is then fixed by the seed, and Python 3.11's AST
        # constructor is not thread-safe (two workers fail at random with "SystemError: AST
        # constructor recursion depth mismatch", CPython gh-106905).
        "workers": 1,
        "request-timeout": 30,
        "seed": SEED,
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        # Unknown query parameters are ignored, as the lightly client expects: negative cases
        # must not count an extra parameter as invalid data. (Unknown body keys are refused,
        # extra="forbid"; tests/api covers that.)
        "generation": {
            "allow-extra-parameters": False,
            "deterministic": True,
            "database": "none",
        },
        "parameters": {
            "query.token": seed.user.token,
            "path.datasetId": ids["dataset"],
            "path.sampleId": ids["sample"],
            "path.tagId": ids["tag"],
            "path.runId": ids["run"],
            "path.artifactId": ids["artifact"],
            "path.scheduledId": ids["scheduled"],
            "body.prevTagId": ids["tag"],
            "body.tagId1": ids["tag"],
            "body.tagId2": ids["tag2"],
            "body.configId": ids["config"],
        },
        "operations": [
            operation("DELETE /v1/datasets/{datasetId}", **{"path.datasetId": ids["doomed"]}),
            operation(
                "GET /v1/files/datasets/{datasetId}/samples/{sampleId}",
                **{
                    "path.datasetId": ids["filesDataset"],
                    "path.sampleId": ids["filesSample"],
                    "query.expires": sample_expires,
                    "query.signature": sample_signature,
                },
            ),
            operation(
                "GET /v1/files/runs/{runId}/artifacts/{artifactId}",
                **{"query.expires": artifact_expires, "query.signature": artifact_signature},
            ),
        ],
    }


def _strip_none(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


def test_schemathesis_finds_no_server_errors(fuzz_api: str, seed: Seed) -> None:
    config = schemathesis.Config.from_dict(_strip_none(_config(fuzz_api, seed)))
    # The document the running API serves, which must be the exported one (the generated
    # client is built from that file; `make lint` checks it is current).
    served = httpx.get(f"{fuzz_api}/openapi.json", timeout=30)
    assert served.status_code == 200, served.text
    assert served.json() == json.loads(SCHEMA_PATH.read_text()), (
        f"{SCHEMA_PATH} is stale: run `make client`"
    )
    schema = schemathesis.openapi.from_url(f"{fuzz_api}/openapi.json", config=config)
    statistic = Statistic()
    phases: dict[str, str] = {}
    cases_per_phase: Counter[str] = Counter()
    errors: list[str] = []
    finished: events.EngineFinished | None = None
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            statistic.on_scenario_finished(event.recorder)
            cases_per_phase[event.phase.value] += len(event.recorder.cases)
        elif isinstance(event, events.PhaseFinished):
            phases[event.phase.name.value] = event.status.value
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            finished = event
    elapsed = time.monotonic() - started

    failures = [
        f"{label}: [{failure.code}] {failure.title}: {failure.message}"
        f" -> {group.response.status_code if group.response else '-'}"
        f"\n    {group.code_sample}"
        for label, grouped in statistic.failures.items()
        for group in grouped.values()
        for failure in group.failures
    ]
    summary = {
        "seconds": round(elapsed, 1),
        "maxTime": MAX_TIME_S,
        "seed": SEED,
        "stopReason": finished.stop_reason.value if finished else None,
        "schemathesis": schemathesis.__version__,
        "checks": list(CHECKS),
        "phases": phases,
        "cases": statistic.total_cases,
        "casesPerPhase": dict(cases_per_phase),
        "operationsTested": len(statistic.tested_operations),
        "failures": len(failures),
        "errors": len(errors),
    }
    print("schemathesis summary:", json.dumps(summary, indent=2))
    for line in failures + errors:
        print(line)
    assert finished is not None, "the engine did not finish"
    assert statistic.total_cases > 0 and statistic.tested_operations
    assert not failures, f"{len(failures)} schemathesis failures:\n" + "\n".join(failures)
    assert not errors, f"{len(errors)} schemathesis errors:\n" + "\n".join(errors)
