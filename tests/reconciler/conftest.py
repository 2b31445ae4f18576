"""The reconciler against real servers: a database of its own on the test stack's Postgres
(migrated to head, dropped afterwards) and a Redis database of its own, so that a pass, which
looks at every run, sees only the rows and messages these tests create.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import redis
from alembic import command
from alembic.config import Config
from celery import Celery
from sqlalchemy import create_engine, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import REPO_ROOT
from winnow_common.config import ReconcilerSettings, RunSettings
from winnow_common.db.models import (
    Dataset,
    Run,
    RunAttempt,
    ScheduledRun,
    User,
    WorkerConfig,
)
from winnow_common.enums import RunState
from winnow_common.ids import now_ms
from winnow_common.jobs.celery_app import create_celery_app
from winnow_common.lifecycle.attempts import Claim, claim_process_run
from winnow_reconciler.loop import ReconcileReport, reconcile_once

# Redis databases 0-2 belong to the flow, API and schemathesis tests.
RECONCILER_REDIS_DB = 4
HOUR_MS = 3_600_000
CONFIG = {
    "selection": {
        "nSamples": 5,
        "strategies": [{"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}],
    }
}


@pytest.fixture(scope="session")
def reconciler_db(stack_env: dict[str, str]) -> Iterator[str]:
    """A fresh database migrated to head; its SQLAlchemy URL."""
    server = make_url(stack_env["DATABASE_URL"])
    name = f"reconciler_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sessions(reconciler_db: str) -> Iterator[sessionmaker[Session]]:
    engine = create_engine(reconciler_db, pool_pre_ping=True)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture(scope="session")
def broker_url(stack_env: dict[str, str]) -> str:
    return f"{stack_env['REDIS_URL'].rsplit('/', 1)[0]}/{RECONCILER_REDIS_DB}"


@pytest.fixture
def broker(broker_url: str) -> Iterator[redis.Redis]:
    """The reconciler's Redis database, empty at the start of each test."""
    conn = redis.Redis.from_url(broker_url)
    conn.flushdb()
    yield conn
    conn.close()


def celery_on(url: str) -> Celery:
    """The processes' Celery app (routes, priorities), sending to ``url``."""
    app = create_celery_app("test-reconciler")
    app.conf.broker_url = url
    return app


@pytest.fixture
def celery_app(broker_url: str) -> Iterator[Celery]:
    app = celery_on(broker_url)
    yield app
    app.close()


RUNS = RunSettings(lease_timeout_s=30, heartbeat_interval_s=5, max_attempts=3)
RECONCILER = ReconcilerSettings(interval_s=1, republish_grace_s=5)


@dataclass
class World:
    """The servers of one test, and the calls the tests make on them."""

    sessions: sessionmaker[Session]
    celery_app: Celery
    broker: Any

    def reconcile(
        self,
        runs: RunSettings = RUNS,
        *,
        celery_app: Celery | None = None,
        broker: Any = None,
        sessions: sessionmaker[Session] | None = None,
    ) -> ReconcileReport:
        return reconcile_once(
            sessions or self.sessions,
            celery_app or self.celery_app,
            broker if broker is not None else self.broker,
            runs,
            RECONCILER,
        )

    def scheduled(self, published_ago_ms: int | None = 0) -> str:
        """An OPEN scheduled run of a new user; its message was sent ``published_ago_ms`` ago."""
        with self.sessions.begin() as session:
            user = User(email=f"reconciler-{uuid.uuid4().hex}@winnow.test")
            session.add(user)
            session.flush()
            dataset = Dataset(user_id=user.id, name="reconciler")
            config = WorkerConfig(user_id=user.id, version="V4", config=CONFIG)
            session.add_all([dataset, config])
            session.flush()
            scheduled = ScheduledRun(
                dataset_id=dataset.id,
                user_id=user.id,
                config_id=config.id,
                published_at=None if published_ago_ms is None else now_ms() - published_ago_ms,
            )
            session.add(scheduled)
            session.flush()
            if published_ago_ms is None:  # the ORM would fill in the column default for None
                session.execute(
                    update(ScheduledRun)
                    .where(ScheduledRun.id == scheduled.id)
                    .values(published_at=None)
                )
            return scheduled.id

    def claim(self, scheduled_id: str, runs: RunSettings = RUNS) -> Claim:
        """A worker's claim of the GPU stage (the run and its open attempt, the lease)."""
        with self.sessions.begin() as session:
            claim = claim_process_run(session, scheduled_id, "test-worker@host:1", None, runs)
        assert claim is not None
        return claim

    def expire(self, run_id: str) -> None:
        """The holder died an hour ago: its lease ran out long since."""
        with self.sessions.begin() as session:
            session.execute(
                update(RunAttempt)
                .where(RunAttempt.run_id == run_id, RunAttempt.ended_at.is_(None))
                .values(
                    heartbeat_at=RunAttempt.heartbeat_at - HOUR_MS,
                    expires_at=RunAttempt.expires_at - HOUR_MS,
                )
            )

    def age_publication(self, scheduled_id: str) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(ScheduledRun)
                .where(ScheduledRun.id == scheduled_id)
                .values(published_at=now_ms() - HOUR_MS)
            )

    def get(self, model: type[Any], id_: str) -> Any:
        with self.sessions() as session:
            return session.get(model, id_)

    def run_in_report_stage(self, report_published_ago_ms: int) -> str:
        """A run whose GPU stage is done, waiting for the reporter; its id."""
        scheduled_id = self.scheduled()
        claim = self.claim(scheduled_id)
        with self.sessions.begin() as session:
            session.execute(
                update(RunAttempt)
                .where(RunAttempt.id == claim.attempt_id)
                .values(ended_at=now_ms(), outcome="DONE")
            )
            session.execute(
                update(Run)
                .where(Run.id == claim.run_id)
                .values(
                    state=RunState.GENERATING_REPORT.value,
                    report_published_at=now_ms() - report_published_ago_ms,
                )
            )
        return claim.run_id


@pytest.fixture
def world(sessions: sessionmaker[Session], celery_app: Celery, broker: redis.Redis) -> World:
    return World(sessions, celery_app, broker)


def messages_for(conn: Any, entity_id: str) -> list[str]:
    """Queues holding a message about ``entity_id``, one entry per message.

    kombu keeps one list per priority step (``gpu``, ``gpu\x06\x166``, ...); the queue name is
    the part before the separator.
    """
    found: list[str] = []
    for key in conn.scan_iter(count=500):
        if conn.type(key) != b"list":
            continue
        for raw in conn.lrange(key, 0, -1):
            envelope = json.loads(raw)
            body = envelope["body"]
            if envelope.get("properties", {}).get("body_encoding") == "base64":
                body = base64.b64decode(body)
            _args, kwargs, _embed = json.loads(body)
            if entity_id in kwargs.values():
                found.append(key.decode().split("\x06\x16", 1)[0])
    return found
