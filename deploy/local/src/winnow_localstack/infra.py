"""The three infrastructure servers: start (or adopt external ones), check, stop.

A component record is a JSON-able dict: ``external``, ``url`` and, for local servers,
``pid``, ``started`` (process start time, guards against pid reuse), ``port``/``ports``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import postgres, procs, redis_server, s3
from .errors import StackError
from .ports import PortAllocator, port_open
from .specs import BUCKETS
from .state import StatePaths

INFRA = ("postgres", "redis", "s3")
Record = dict[str, Any]
Progress = Callable[[str], None]


def external(environ: Mapping[str, str]) -> dict[str, Record]:
    """Components the environment points at (DATABASE_URL, REDIS_URL, S3_ENDPOINT_URL)."""
    out: dict[str, Record] = {}
    if environ.get("DATABASE_URL"):
        out["postgres"] = {
            "external": True,
            "url": postgres.sqlalchemy_url(environ["DATABASE_URL"]),
        }
    if environ.get("REDIS_URL"):
        out["redis"] = {"external": True, "url": environ["REDIS_URL"]}
    if environ.get("S3_ENDPOINT_URL"):
        out["s3"] = {
            "external": True,
            "url": environ["S3_ENDPOINT_URL"],
            "access_key": environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": environ.get("S3_SECRET_ACCESS_KEY", ""),
            "region": environ.get("S3_REGION", s3.REGION),
        }
    return out


def s3_client(rec: Record, *, quick: bool = False) -> s3.S3Client:
    """boto3 client for an S3 component record."""
    return s3.client(
        rec["url"],
        rec.get("access_key"),
        rec.get("secret_key"),
        region=rec.get("region", s3.REGION),
        quick=quick,
    )


def _local(proc: subprocess.Popen[bytes], **fields: object) -> Record:
    return {"external": False, "pid": proc.pid, "started": procs.start_time(proc.pid), **fields}


def spawn(
    paths: StatePaths, secrets: Mapping[str, str], name: str, ports: Mapping[str, int]
) -> tuple[subprocess.Popen[bytes], Record]:
    """Start one local component on ``ports`` (``{"port": n}``, or S3's named ports).

    Returns the process and its component record; readiness is the caller's to wait for.
    """
    if name == "redis":
        proc = redis_server.start(paths, ports["port"])
        return proc, _local(proc, port=ports["port"], url=redis_server.url(ports["port"]))
    if name == "s3":
        s3.write_identities(paths, secrets["s3_access_key"], secrets["s3_secret_key"])
        proc = s3.start(paths, ports)
        record = _local(
            proc,
            ports=dict(ports),
            url=s3.endpoint(ports["s3"]),
            access_key=secrets["s3_access_key"],
            secret_key=secrets["s3_secret_key"],
            region=s3.REGION,
        )
        return proc, record
    if name == "postgres":
        postgres.prepare(paths, secrets["pg_password"])
        proc = postgres.start(paths, ports["port"])
        pg_url = postgres.url(ports["port"], secrets["pg_password"])
        return proc, _local(proc, port=ports["port"], url=pg_url)
    raise ValueError(f"unknown infra component {name!r}")


def ports_of(rec: Record) -> dict[str, int]:
    """The ports a local component record listens on, in the form :func:`spawn` takes."""
    if rec.get("ports"):
        return {str(k): int(v) for k, v in rec["ports"].items()}
    return {"port": int(rec["port"])}


def start(
    paths: StatePaths,
    secrets: Mapping[str, str],
    environ: Mapping[str, str],
    previous: Mapping[str, Any],
    alloc: PortAllocator,
    *,
    timeout_s: float,
    progress: Progress,
    persist: Callable[[dict[str, Record]], None],
) -> dict[str, Record]:
    """Start (or adopt) every infra component, wait until all are ready, create db/buckets.

    ``previous`` is the last run's infra records (their ports are reused when free);
    ``persist`` is called once all processes are spawned so a crash can still be cleaned up.
    On failure everything started here is stopped again.
    """
    infra: dict[str, Record] = dict(external(environ))
    spawned: dict[str, subprocess.Popen[bytes]] = {}

    def prev_port(name: str, key: str = "port") -> int | None:
        value = (previous.get(name) or {}).get(key)
        return int(value) if value else None

    try:
        if "redis" not in infra:
            port = alloc.take(prev_port("redis"))
            progress(f"starting redis on port {port}")
            spawned["redis"], infra["redis"] = spawn(paths, secrets, "redis", {"port": port})
        if "s3" not in infra:
            old = (previous.get("s3") or {}).get("ports") or {}
            ports = {name: alloc.take(old.get(name)) for name in s3.PORT_NAMES}
            progress(f"starting SeaweedFS S3 on port {ports['s3']}")
            spawned["s3"], infra["s3"] = spawn(paths, secrets, "s3", ports)
        if "postgres" not in infra:
            port = alloc.take(prev_port("postgres"))
            if not (paths.pg_data / "PG_VERSION").exists():
                progress("initialising the Postgres data directory (initdb, once)")
            progress(f"starting postgres on port {port}")
            spawned["postgres"], infra["postgres"] = spawn(
                paths, secrets, "postgres", {"port": port}
            )
        for name, proc in spawned.items():
            procs.write_pid(paths.pid_file(name), proc.pid)
        persist(infra)
        wait_ready(paths, infra, spawned, secrets, timeout_s)
        prepare_contents(infra, secrets, INFRA)
    except BaseException:
        stop(paths, {k: v for k, v in infra.items() if k in spawned})
        raise
    return infra


def prepare_contents(
    infra: Mapping[str, Record], secrets: Mapping[str, str], names: Iterable[str]
) -> None:
    """Create the database and the buckets (idempotent) on the components in ``names``."""
    names = set(names)
    if "postgres" in names and not infra["postgres"]["external"]:
        postgres.ensure_database(infra["postgres"]["port"], secrets["pg_password"])
    if "s3" in names:
        s3.ensure_buckets(s3_client(infra["s3"]), BUCKETS)


def readiness_checks(
    infra: Mapping[str, Record], secrets: Mapping[str, str]
) -> dict[str, Callable[[], bool]]:
    """One "does it answer?" probe per component (the S3 one reuses its client)."""
    checks: dict[str, Callable[[], bool]] = {}
    pg = infra["postgres"]
    pg_url = (
        pg["url"]
        if pg["external"]
        else postgres.url(pg["port"], secrets["pg_password"], database="postgres")
    )
    checks["postgres"] = lambda: postgres.ready(pg_url)
    checks["redis"] = lambda: redis_server.ready(infra["redis"]["url"])
    rec = infra["s3"]
    holder: list[s3.S3Client] = []

    def s3_ready() -> bool:
        if not rec["external"] and not port_open(rec["ports"]["s3"]):
            return False
        if not holder:
            holder.append(s3_client(rec, quick=True))
        return s3.ready(holder[0])

    checks["s3"] = s3_ready
    return checks


def wait_ready(
    paths: StatePaths,
    infra: Mapping[str, Record],
    spawned: Mapping[str, subprocess.Popen[bytes]],
    secrets: Mapping[str, str],
    timeout_s: float,
) -> None:
    pending = readiness_checks(infra, secrets)
    deadline = time.monotonic() + timeout_s
    while pending:
        for name in list(pending):
            if pending[name]():
                del pending[name]
                continue
            proc = spawned.get(name)
            if proc is not None and proc.poll() is not None:
                msg = f"exited with code {proc.returncode} during startup"
                raise StackError(name, msg, paths.log(name))
        if not pending:
            return
        if time.monotonic() > deadline:
            name = sorted(pending)[0]
            if infra[name]["external"]:
                url = redact(infra[name]["url"])
                raise StackError(name, f"external server {url} not reachable in {timeout_s:g}s")
            raise StackError(name, f"not ready within {timeout_s:g}s", paths.log(name))
        time.sleep(0.1)


def healthy(infra: Mapping[str, Record], secrets: Mapping[str, str]) -> bool:
    """True when every component runs (same processes as recorded) and answers."""
    if set(INFRA) - set(infra):
        return False
    for name in INFRA:
        rec = infra[name]
        if not rec.get("external") and not procs.is_ours(rec.get("pid"), rec.get("started")):
            return False
    checks = readiness_checks(infra, secrets)
    return all(checks[name]() for name in INFRA)


def running(rec: Record) -> bool:
    """Whether one component record's process runs (external ones count as running)."""
    return bool(rec.get("external")) or procs.is_ours(rec.get("pid"), rec.get("started"))


def stop(paths: StatePaths, infra: Mapping[str, Record]) -> None:
    """Stop every local component in ``infra`` (in parallel) and remove their pid files."""

    def stop_one(name: str) -> None:
        rec = infra[name]
        if rec.get("external"):
            return
        pid, started = rec.get("pid"), rec.get("started")
        if name == "postgres":
            if procs.is_ours(pid, started):
                postgres.stop(paths, pid)
            else:
                procs.stop(pid, group=True, started=started)
        else:
            procs.stop(pid, group=True, started=started)
        if name == "s3":
            s3.cleanup_sockets((rec.get("ports") or {}).values())
        procs.remove_pid(paths.pid_file(name))

    names = [n for n in infra if n in INFRA]
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        list(pool.map(stop_one, names))


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
