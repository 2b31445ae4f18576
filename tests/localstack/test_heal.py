"""``up`` heals a partly dead stack in place: only what died is started again.

A throwaway stack of its own (its servers are killed here), local servers whatever the
environment says, tiny fake app processes.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pgserver")
psycopg = pytest.importorskip("psycopg")
redis = pytest.importorskip("redis")

from tests.localstack.test_localstack import FAKE_SERVICES  # noqa: E402
from winnow_localstack import LocalStack  # noqa: E402
from winnow_localstack.procs import pid_alive  # noqa: E402


class Healing(LocalStack):
    """A LocalStack that keeps its progress messages."""

    messages: list[str]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Healing]:
    messages: list[str] = []
    ls = Healing(
        tmp_path_factory.mktemp("heal-state"),
        repo_root=tmp_path_factory.mktemp("heal-repo"),
        environ={},
        services=FAKE_SERVICES,
        progress=messages.append,
    )
    ls.messages = messages
    ls.up(with_services=False)
    yield ls
    ls.down()


def _kill9(pid: int) -> None:
    """kill -9 of the server's whole process group (a crash of the server and its children)."""
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(pid)


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def _heal(stack: Healing, with_services: bool = False) -> tuple[dict[str, str], list[str]]:
    stack.messages.clear()
    env = stack.up(with_services=with_services)
    return env, list(stack.messages)


def test_kill9_redis_comes_back_on_its_port_with_its_queue(stack: Healing) -> None:
    env = stack.env()
    before = stack.pids()
    client = redis.Redis.from_url(env["REDIS_URL"])
    client.delete("gpu")
    client.rpush("gpu", b"a queued message")
    time.sleep(1.5)  # appendfsync everysec
    client.close()

    _kill9(before["redis"])
    healed_env, messages = _heal(stack)

    after = stack.pids()
    assert healed_env == env  # same ports, same credentials
    assert after["redis"] != before["redis"]
    assert after["postgres"] == before["postgres"]
    assert after["s3"] == before["s3"]
    port = _port(env["REDIS_URL"])
    assert f"redis was down: restarted on port {port}" in messages, messages
    client = redis.Redis.from_url(env["REDIS_URL"])
    try:
        assert client.lrange("gpu", 0, -1) == [b"a queued message"]
    finally:
        client.close()
    assert (stack.paths.redis).is_dir() and any(stack.paths.redis.iterdir())


def test_kill9_postgres_comes_back_on_its_port_with_its_data(stack: Healing) -> None:
    env = stack.env()
    url = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS healed (v text)")
        conn.execute("INSERT INTO healed VALUES ('committed before the crash')")
    before = stack.pids()

    _kill9(before["postgres"])
    healed_env, messages = _heal(stack)

    after = stack.pids()
    assert healed_env == env
    assert after["postgres"] != before["postgres"]
    assert after["redis"] == before["redis"]
    assert after["s3"] == before["s3"]
    assert f"postgres was down: restarted on port {_port(env['DATABASE_URL'])}" in messages
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT v FROM healed").fetchall()
    assert rows == [("committed before the crash",)]


def test_a_dead_daemon_is_started_alone_and_a_healthy_stack_is_reused(stack: Healing) -> None:
    stack.up(with_services=True)
    before = stack.pids()
    assert {"api", "gpu-worker"} <= set(before)
    migrate_log: Path = stack.paths.log("migrate")
    runs = migrate_log.read_text().count("winnow-stack starts")
    tokens = stack.paths.log("ensure-user").read_text().count("winnow-stack starts")

    _kill9(before["gpu-worker"])
    _, messages = _heal(stack, with_services=True)
    after = stack.pids()
    assert after["gpu-worker"] != before["gpu-worker"]
    assert {k: v for k, v in after.items() if k != "gpu-worker"} == {
        k: v for k, v in before.items() if k != "gpu-worker"
    }
    assert "gpu-worker was down: restarting it" in messages, messages
    assert migrate_log.read_text().count("winnow-stack starts") == runs + 1
    assert stack.paths.log("ensure-user").read_text().count("winnow-stack starts") == tokens

    # Healthy: nothing is stopped, started or run.
    _, messages = _heal(stack, with_services=True)
    assert stack.pids() == after
    assert messages == ["stack already running; reusing it"]
    assert migrate_log.read_text().count("winnow-stack starts") == runs + 1
