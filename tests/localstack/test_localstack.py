"""winnow-localstack: real Postgres / Redis / SeaweedFS S3 on loopback, no Docker.

The app processes are replaced by tiny fake ones (the real modules are tested elsewhere);
the launcher's process management is what is under test here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pgserver")
psycopg = pytest.importorskip("psycopg")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("winnow_localstack")

from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from winnow_localstack import LocalStack, ServiceSpec, StackError  # noqa: E402
from winnow_localstack.procs import pid_alive  # noqa: E402

_FAKE_API = (
    "import sys, http.server\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n"
    "    def log_message(self, *a): pass\n"
    "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()\n"
)
# A worker that also starts a child, to check that stopping kills the whole process group.
_FAKE_WORKER = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen(['sleep', '1000'])\n"
    "open(sys.argv[1], 'w').write(str(child.pid))\n"
    "time.sleep(1000)\n"
)

FAKE_SERVICES = {
    "migrate": ServiceSpec(argv=("{python}", "-c", "print('migrated')"), oneshot=True),
    "api": ServiceSpec(
        argv=("{python}", "-c", _FAKE_API, "{api_port}"), health_path="/health", timeout_s=20
    ),
    "gpu-worker": ServiceSpec(argv=("{python}", "-c", _FAKE_WORKER, "{state_dir}/child.pid")),
    "ensure-user": ServiceSpec(
        argv=("{python}", "-c", "print('creating user'); print('tok-fake-123')"),
        oneshot=True,
        token=True,
    ),
}

ENV_KEYS = {
    "DATABASE_URL",
    "REDIS_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    "S3_INPUT_BUCKET",
    "S3_LIGHTLY_BUCKET",
    "API_PUBLIC_URL",
    "API_SECRET_KEY",
    "WINNOW_API_URL",
    "WINNOW_TOKEN",
    "LIGHTLY_SERVER_LOCATION",
    "LIGHTLY_TOKEN",
    "PYTHONUNBUFFERED",
}


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _s3(env: dict[str, str], secret: str | None = None) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or env["S3_SECRET_ACCESS_KEY"],
        region_name=env["S3_REGION"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def _ping(redis_url: str) -> bool:
    try:
        import redis
    except ImportError:
        port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    client = redis.Redis.from_url(redis_url)
    try:
        return bool(client.ping())
    finally:
        client.close()


def _wait_dead(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("winnow-state")


@pytest.fixture(scope="module")
def stack(state_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    ls = LocalStack(
        state_dir,
        repo_root=tmp_path_factory.mktemp("repo"),
        environ={},  # always local servers, whatever the caller's env says
        services=FAKE_SERVICES,
    )
    start = time.monotonic()
    env = ls.up(with_services=False)
    ls.first_up_s = time.monotonic() - start  # type: ignore[attr-defined]
    ls.first_env = env  # type: ignore[attr-defined]
    yield ls
    ls.down()


def test_infra_up_returns_env_and_writes_env_file(stack: LocalStack) -> None:
    env = stack.first_env  # type: ignore[attr-defined]
    assert set(env) == ENV_KEYS
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["DATABASE_URL"].endswith("/winnow")
    assert env["REDIS_URL"].startswith("redis://127.0.0.1:")
    assert env["S3_INPUT_BUCKET"] == "winnow-input"
    assert env["S3_LIGHTLY_BUCKET"] == "winnow-lightly"
    assert env["WINNOW_API_URL"] == env["API_PUBLIC_URL"] == env["LIGHTLY_SERVER_LOCATION"]
    assert stack.env() == env
    lines = stack.paths.stack_env.read_text().splitlines()
    assert f"REDIS_URL={env['REDIS_URL']}" in lines
    assert stack.first_up_s < 30  # type: ignore[attr-defined]


def test_postgres_select_1(stack: LocalStack) -> None:
    with psycopg.connect(_libpq(stack.env()["DATABASE_URL"]), connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.execute("SELECT current_database()").fetchone() == ("winnow",)
        version = conn.execute("SHOW server_version").fetchone()
        assert version is not None and str(version[0]).startswith("16")


def test_postgres_requires_password(stack: LocalStack) -> None:
    url = _libpq(stack.env()["DATABASE_URL"])
    user_part, host_part = url.split("@", 1)
    wrong = user_part.rsplit(":", 1)[0] + ":wrong@" + host_part
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(wrong, connect_timeout=5).close()


def test_redis_ping(stack: LocalStack) -> None:
    assert _ping(stack.env()["REDIS_URL"])


def test_s3_put_get_and_buckets(stack: LocalStack) -> None:
    env = stack.env()
    s3 = _s3(env)
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {"winnow-input", "winnow-lightly"} <= names
    s3.put_object(Bucket="winnow-input", Key="dir/hello.txt", Body=b"hello winnow")
    body = s3.get_object(Bucket="winnow-input", Key="dir/hello.txt")["Body"].read()
    assert body == b"hello winnow"


def test_s3_rejects_wrong_credentials(stack: LocalStack) -> None:
    bad = _s3(stack.env(), secret="not-the-secret")
    with pytest.raises(ClientError) as info:
        bad.get_object(Bucket="winnow-input", Key="dir/hello.txt")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] in (401, 403)
    with pytest.raises(ClientError):
        bad.list_buckets()


def test_status_and_pid_files(stack: LocalStack) -> None:
    status = stack.status()
    for name in ("postgres", "redis", "s3"):
        assert status[name].running, name
        assert stack.paths.pid_file(name).read_text().strip() == str(status[name].pid)
    assert not status["api"].running


def test_up_again_reuses_same_pids(stack: LocalStack) -> None:
    before = stack.pids()
    assert set(before) == {"postgres", "redis", "s3"}
    env = stack.up(with_services=False)
    assert stack.pids() == before
    assert env == stack.first_env  # type: ignore[attr-defined]


def test_external_servers_from_env_are_used(stack: LocalStack, tmp_path: Path) -> None:
    env = stack.env()
    keys = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID")
    environ = {k: env[k] for k in (*keys, "S3_SECRET_ACCESS_KEY")}
    other = LocalStack(tmp_path / "ext", repo_root=tmp_path, environ=environ)
    try:
        got = other.up(with_services=False)
        assert other.pids() == {}
        for key in environ:
            assert got[key] == environ[key]
        assert not (tmp_path / "ext" / "postgres" / "data" / "PG_VERSION").exists()
        assert {s.detail.split()[0] for s in other.status().values() if s.running} == {"external"}
    finally:
        other.down()
    assert stack.pids().keys() == {"postgres", "redis", "s3"}  # untouched


def test_services_start_stop_restart(stack: LocalStack) -> None:
    env = stack.up(with_services=True)
    assert env["WINNOW_TOKEN"] == env["LIGHTLY_TOKEN"] == "tok-fake-123"
    assert stack.env()["WINNOW_TOKEN"] == "tok-fake-123"
    pids = stack.pids()
    assert {"api", "gpu-worker"} <= set(pids)
    assert "migrated" in stack.paths.log("migrate").read_text()
    for name in ("api", "gpu-worker"):
        assert stack.paths.pid_file(name).is_file()

    # A second up reuses everything (and the token still "works": no new ensure-user run).
    runs = stack.paths.log("ensure-user").read_text().count("winnow-stack starts")
    assert stack.up(with_services=True) == env
    assert stack.pids() == pids
    assert stack.paths.log("ensure-user").read_text().count("winnow-stack starts") == runs

    # Stopping a worker kills its whole process group (its child too).
    child = int((stack.paths.root / "child.pid").read_text())
    worker = pids["gpu-worker"]
    stack.stop_service("gpu-worker")
    assert _wait_dead(worker) and _wait_dead(child)
    assert not stack.paths.pid_file("gpu-worker").exists()
    assert not stack.status()["gpu-worker"].running

    new_pid = stack.start_service("gpu-worker")
    assert new_pid and new_pid != worker and pid_alive(new_pid)
    assert stack.start_service("gpu-worker") == new_pid  # idempotent
    assert stack.pids()["postgres"] == pids["postgres"]


def test_failing_service_is_reported(stack: LocalStack) -> None:
    broken = dict(FAKE_SERVICES)
    broken["gpu-worker"] = ServiceSpec(argv=("{python}", "-c", "raise SystemExit(3)"))
    other = LocalStack(stack.paths.root, repo_root=stack.repo_root, environ={}, services=broken)
    other.stop_service("gpu-worker")
    with pytest.raises(StackError) as info:
        other.start_service("gpu-worker")
    assert info.value.component == "gpu-worker"
    assert info.value.log == stack.paths.log("gpu-worker")
    assert "exited with code 3" in str(info.value)
    stack.start_service("gpu-worker")


def test_crash_restart_keeps_postgres_data(stack: LocalStack) -> None:
    url = _libpq(stack.env()["DATABASE_URL"])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS survivor (v text)")
        conn.execute("INSERT INTO survivor VALUES ('still here')")
    before = stack.pids()
    migrations = stack.paths.log("migrate").read_text().count("winnow-stack starts")
    tokens = stack.paths.log("ensure-user").read_text().count("winnow-stack starts")
    os.kill(before["postgres"], signal.SIGKILL)  # simulated crash of the postmaster alone
    assert _wait_dead(before["postgres"])

    env = stack.up(with_services=True)
    after = stack.pids()
    assert after.keys() == before.keys()
    # Healed in place: only postgres was started again, on its old port; the rest kept running.
    assert after["postgres"] != before["postgres"]
    assert {k: v for k, v in after.items() if k != "postgres"} == {
        k: v for k, v in before.items() if k != "postgres"
    }
    assert env["DATABASE_URL"] == stack.first_env["DATABASE_URL"]  # type: ignore[attr-defined]
    with psycopg.connect(_libpq(env["DATABASE_URL"])) as conn:
        rows = conn.execute("SELECT v FROM survivor").fetchall()
    assert rows == [("still here",)]
    assert _ping(env["REDIS_URL"])
    s3 = _s3(env)
    assert s3.get_object(Bucket="winnow-input", Key="dir/hello.txt")["Body"].read() == (
        b"hello winnow"
    )
    assert env["WINNOW_TOKEN"] == "tok-fake-123"
    # The oneshots ran again (idempotent), the token oneshot not (the token still works).
    assert stack.paths.log("migrate").read_text().count("winnow-stack starts") == migrations + 1
    assert stack.paths.log("ensure-user").read_text().count("winnow-stack starts") == tokens


def test_cli_status_env_and_errors(stack: LocalStack, tmp_path: Path) -> None:
    base = [sys.executable, "-m", "winnow_localstack"]
    state = ["--state-dir", str(stack.paths.root)]
    out = subprocess.run([*base, "status", *state], capture_output=True, text=True, check=True)
    assert "postgres" in out.stdout and "running" in out.stdout
    out = subprocess.run([*base, "env", *state], capture_output=True, text=True, check=True)
    assert out.stdout == stack.paths.stack_env.read_text()

    err = subprocess.run(
        [*base, "env", "--state-dir", str(tmp_path / "none")], capture_output=True, text=True
    )
    assert err.returncode == 1
    assert "Traceback" not in err.stderr
    assert len(err.stderr.strip().splitlines()) == 1


def test_down_stops_everything(stack: LocalStack) -> None:
    pids = stack.pids()
    assert {"postgres", "redis", "s3", "api", "gpu-worker"} <= set(pids)
    child = int((stack.paths.root / "child.pid").read_text())
    stack.down()
    for name, pid in pids.items():
        assert _wait_dead(pid, 1.0), name
    assert _wait_dead(child, 1.0)
    assert list(stack.paths.pids.glob("*.pid")) == []
    assert stack.pids() == {}
    assert not any(s.running for s in stack.status().values())
    assert (stack.paths.pg_data / "PG_VERSION").exists()  # data kept
    stack.down()  # idempotent
