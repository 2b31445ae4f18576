"""``LocalStack``: the Python API behind ``winnow-stack`` (also used by test fixtures)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from . import emulators, heal, infra, procs
from .daemons import daemons_down, http_ok, run_checked, wait_ready
from .errors import StackError
from .ports import HOST, PortAllocator
from .specs import BUCKETS, SERVICES, TOKEN_CHECK_PATH, ServiceSpec
from .state import (
    StatePaths,
    load_secrets,
    read_env_file,
    read_json,
    save_secret,
    write_env_file,
    write_json,
)

DEFAULT_STATE_DIR = ".winnow"


@dataclass(frozen=True)
class ComponentStatus:
    """One line of ``status``: whether a component runs, its pid and where it listens."""

    name: str
    running: bool
    pid: int | None
    detail: str
    log: Path | None


def find_repo_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``alembic.ini`` (else ``start``)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / "alembic.ini").is_file():
            return directory
    return start


class LocalStack:
    """Postgres + Redis + SeaweedFS S3 (+ the app processes) under one state directory.

    ``environ`` is where ``DATABASE_URL`` / ``REDIS_URL`` / ``S3_ENDPOINT_URL`` (+ keys) are
    looked up to use existing servers instead of local ones (default ``os.environ``; pass
    ``{}`` to always start local servers). ``services`` replaces the app process specs
    (default :data:`winnow_localstack.specs.SERVICES`).
    """

    def __init__(
        self,
        state_dir: Path | str = DEFAULT_STATE_DIR,
        repo_root: Path | str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        services: Mapping[str, ServiceSpec] | None = None,
        python: str | None = None,
        timeout_s: float = 30.0,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.paths = StatePaths(Path(state_dir).expanduser().resolve())
        self.repo_root = Path(repo_root).resolve() if repo_root else find_repo_root(Path.cwd())
        self.environ = dict(os.environ if environ is None else environ)
        self.services = dict(SERVICES if services is None else services)
        self.python = python or sys.executable
        self.timeout_s = timeout_s
        self._progress = progress or (lambda _msg: None)
        self._lock_depth = 0
        self._lock_fh: IO[str] | None = None

    # ----------------------------------------------------------------- public API
    def up(self, with_services: bool = True, with_emulators: bool = False) -> dict[str, str]:
        """Start the stack, reuse a healthy running one, or heal a partly dead one in place.

        Healing restarts only what is down: an infra component on its old port and data dir,
        an app daemon that is not running. Healthy processes are left alone.
        ``with_emulators`` also starts the GCS and Azure emulators (before the app processes).
        """
        with self._locked():
            self.paths.ensure()
            secrets = load_secrets(self.paths)
            record = self._record()
            if record and record.get("running"):
                healed = self._heal_infra(record, secrets)
                if healed is not None:
                    if with_emulators:
                        self._ensure_emulators(record)
                    restarted = self._heal_services(record, secrets, healed, with_services)
                    if not healed and not restarted:
                        self._progress("stack already running; reusing it")
                    self._write_env(record, secrets)
                    return dict(record["env"])
                self._progress("stack cannot be healed in place; stopping it and restarting")
                self._down(record)
            record = self._start_infra(record or {}, secrets)
            if with_emulators:
                self._ensure_emulators(record)
            if with_services:
                self._start_services(record, secrets)
            return dict(record["env"])

    def start_emulators(self) -> dict[str, str]:
        """Start the GCS and Azure emulators on the running stack (those not running yet);
        the stack env gains their endpoints. App processes started before need a restart."""
        with self._locked():
            record = self._require_record()
            self._ensure_emulators(record)
            self._write_env(record, load_secrets(self.paths))
            return dict(record["env"])

    def down(self) -> None:
        """Stop every process of the stack; data in the state dir is kept."""
        with self._locked():
            record = self._record()
            if record:
                self._down(record)
            if self.paths.pids.is_dir():
                for pid_file in self.paths.pids.glob("*.pid"):
                    procs.remove_pid(pid_file)

    def status(self) -> dict[str, ComponentStatus]:
        """Each infra component and app process (daemons), and whether it runs."""
        record = self._record() or {}
        live = bool(record.get("running"))
        out: dict[str, ComponentStatus] = {}
        for name in infra.INFRA:
            rec = (record.get("infra") or {}).get(name) or {}
            running = live and bool(rec) and infra.running(rec)
            detail = "external " if rec.get("external") else ""
            detail += infra.redact(rec["url"]) if rec.get("url") else ""
            log = None if rec.get("external") else self.paths.log(name)
            out[name] = ComponentStatus(name, running, rec.get("pid"), detail.strip(), log)
        services = record.get("services") or {}
        for name, spec in self.services.items():
            if spec.oneshot:
                continue
            rec = services.get(name) or {}
            running = live and procs.is_ours(rec.get("pid"), rec.get("started"))
            detail = self._api_url(record) if spec.health_path and record else ""
            out[name] = ComponentStatus(name, running, rec.get("pid"), detail, self.paths.log(name))
        return out

    def env(self) -> dict[str, str]:
        """The running stack's environment (``STATE/stack.env``); {} when it is not up."""
        return read_env_file(self.paths.stack_env)

    def pids(self) -> dict[str, int]:
        """Pid of every running local process, by component name."""
        return {name: st.pid for name, st in self.status().items() if st.running and st.pid}

    def start_service(self, name: str) -> int | None:
        """Start (or run, for one-shots) one app process; return its pid (None: one-shot)."""
        with self._locked():
            record = self._require_record()
            secrets = load_secrets(self.paths)
            spec = self._spec(name)
            if spec.token:
                self._ensure_token(record, secrets, name, spec)
                return None
            if spec.oneshot:
                self._run_oneshot(record, name, spec)
                return None
            rec = record["services"].get(name) or {}
            if procs.is_ours(rec.get("pid"), rec.get("started")):
                return int(rec["pid"])
            try:
                proc = self._spawn(record, name, spec)
                self._wait_daemon(record, name, spec, proc, time.monotonic())
            except BaseException:
                self._stop_services(record, [name])
                raise
            return proc.pid

    def stop_service(self, name: str) -> None:
        """Stop one app process (its process group: SIGTERM, then SIGKILL after
        ``procs.STOP_TIMEOUT_S``)."""
        with self._locked():
            record = self._record()
            self._spec(name)
            if record:
                self._stop_services(record, [name])

    # ------------------------------------------------------------------- internals
    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock_depth == 0:
            self.paths.root.mkdir(parents=True, exist_ok=True)
            self._lock_fh = self.paths.lock.open("a")
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX)
        self._lock_depth += 1
        try:
            yield
        finally:
            self._lock_depth -= 1
            if self._lock_depth == 0 and self._lock_fh is not None:
                fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
                self._lock_fh.close()
                self._lock_fh = None

    def _record(self) -> dict[str, Any] | None:
        return read_json(self.paths.stack_json)

    def _save(self, record: Mapping[str, Any]) -> None:
        write_json(self.paths.stack_json, record)

    def _require_record(self) -> dict[str, Any]:
        record = self._record()
        if not record or not record.get("running"):
            raise StackError("stack", "not running; run `winnow-stack up` first")
        return record

    def _spec(self, name: str) -> ServiceSpec:
        try:
            return self.services[name]
        except KeyError:
            known = ", ".join(self.services)
            raise StackError(name, f"unknown service (known: {known})") from None

    def _api_url(self, record: Mapping[str, Any]) -> str:
        return f"http://{HOST}:{record['api_port']}"

    def _start_infra(self, previous: Mapping[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
        alloc = PortAllocator()
        record: dict[str, Any] = {
            "version": 1,
            "running": True,
            "state_dir": str(self.paths.root),
            "api_port": alloc.take(previous.get("api_port")),
            "infra": {},
            "services": {},
            "with_services": False,
            "env": {},
        }

        def persist(components: dict[str, Any]) -> None:
            record["infra"] = components
            self._save(record)

        start = time.monotonic()
        try:
            record["infra"] = infra.start(
                self.paths,
                secrets,
                self.environ,
                previous.get("infra") or {},
                alloc,
                timeout_s=self.timeout_s,
                progress=self._progress,
                persist=persist,
            )
        except BaseException:
            record["running"] = False  # infra.start stopped what it had started
            self._save(record)
            raise
        self._progress(f"infrastructure ready in {time.monotonic() - start:.1f}s")
        self._write_env(record, secrets)
        return record

    def _heal_infra(self, record: dict[str, Any], secrets: dict[str, str]) -> list[str] | None:
        """Infra components restarted in place; None when the stack must be restarted."""

        def persist(components: dict[str, Any]) -> None:
            record["infra"] = components
            self._save(record)

        return heal.heal_infra(
            self.paths,
            secrets,
            dict(record.get("infra") or {}),
            timeout_s=self.timeout_s,
            progress=self._progress,
            persist=persist,
        )

    def _heal_services(
        self,
        record: dict[str, Any],
        secrets: dict[str, str],
        healed_infra: list[str],
        with_services: bool,
    ) -> bool:
        """Start the app daemons that are not running; True when anything was started or run.

        Running daemons are left alone. When anything is healed, the oneshots run again (they
        are idempotent) and the token oneshot only when the token no longer works.
        """
        if not with_services:
            return False
        down = daemons_down(self.services, record.get("services") or {}, self._api_url(record))
        if not down and not healed_infra and record.get("with_services"):
            return False
        self._start_services(record, secrets, down)
        return True

    def _ensure_emulators(self, record: dict[str, Any]) -> None:
        """Start each emulator that is not running (on its old port when free)."""
        records: dict[str, Any] = record.setdefault("emulators", {})
        for name in emulators.NAMES:
            if emulators.running(name, records.get(name)):
                continue
            emulators.stop(self.paths, {name: records[name]} if name in records else {})
            self._progress(f"starting the {name} emulator")
            old = (records.get(name) or {}).get("port")
            records[name] = emulators.start(self.paths, self.repo_root, name, old, self.timeout_s)
            self._save(record)

    def _build_env(self, record: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, str]:
        comps = record["infra"]
        s3 = comps["s3"]
        api_url = self._api_url(record)
        token = secrets.get("winnow_token", "")
        return {
            "DATABASE_URL": comps["postgres"]["url"],
            "REDIS_URL": comps["redis"]["url"],
            "S3_ENDPOINT_URL": s3["url"],
            "S3_ACCESS_KEY_ID": s3.get("access_key") or "",
            "S3_SECRET_ACCESS_KEY": s3.get("secret_key") or "",
            "S3_REGION": s3.get("region") or "us-east-1",
            "S3_INPUT_BUCKET": BUCKETS[0],
            "S3_LIGHTLY_BUCKET": BUCKETS[1],
            "API_PUBLIC_URL": api_url,
            "API_SECRET_KEY": secrets["api_secret_key"],
            "WINNOW_API_URL": api_url,
            "WINNOW_TOKEN": token,
            "LIGHTLY_SERVER_LOCATION": api_url,
            "LIGHTLY_TOKEN": token,
            "PYTHONUNBUFFERED": "1",
            **emulators.env(record.get("emulators") or {}),
        }

    def _write_env(self, record: dict[str, Any], secrets: Mapping[str, str]) -> None:
        record["env"] = self._build_env(record, secrets)
        write_env_file(self.paths.stack_env, record["env"])
        self._save(record)

    def _fields(self, record: Mapping[str, Any]) -> dict[str, str]:
        return {
            "python": self.python,
            "repo_root": str(self.repo_root),
            "api_port": str(record["api_port"]),
            "api_url": self._api_url(record),
            "statehash": self.paths.statehash,
            "state_dir": str(self.paths.root),
        }

    def _process_env(self, record: Mapping[str, Any], spec: ServiceSpec) -> dict[str, str]:
        return {**os.environ, **record["env"], **spec.extra_env}

    def _spawn(
        self, record: dict[str, Any], name: str, spec: ServiceSpec
    ) -> subprocess.Popen[bytes]:
        self._progress(f"starting {name}")
        proc = procs.spawn(
            spec.render(self._fields(record)),
            log=self.paths.log(name),
            env=self._process_env(record, spec),
            cwd=self.repo_root,
        )
        record["services"][name] = {"pid": proc.pid, "started": procs.start_time(proc.pid)}
        procs.write_pid(self.paths.pid_file(name), proc.pid)
        self._save(record)
        return proc

    def _wait_daemon(
        self,
        record: Mapping[str, Any],
        name: str,
        spec: ServiceSpec,
        proc: subprocess.Popen[bytes],
        since: float,
    ) -> None:
        url = self._api_url(record) + spec.health_path if spec.health_path else None
        wait_ready(name, proc, url, timeout_s=spec.timeout_s, since=since, log=self.paths.log(name))

    def _run_oneshot(self, record: Mapping[str, Any], name: str, spec: ServiceSpec) -> str:
        self._progress(f"running {name}")
        return run_checked(
            name,
            spec.render(self._fields(record)),
            log=self.paths.log(name),
            env=self._process_env(record, spec),
            cwd=self.repo_root,
            timeout_s=spec.timeout_s,
        )

    def _ensure_token(
        self, record: dict[str, Any], secrets: dict[str, str], name: str, spec: ServiceSpec
    ) -> None:
        token = secrets.get("winnow_token", "")
        check = self._api_url(record) + TOKEN_CHECK_PATH.format(token=quote(token, safe=""))
        if token and http_ok(check, timeout=10.0):
            return
        lines = [ln.strip() for ln in self._run_oneshot(record, name, spec).splitlines()]
        lines = [ln for ln in lines if ln]
        if not lines:
            raise StackError(name, "printed no token", self.paths.log(name))
        secrets["winnow_token"] = lines[-1]
        save_secret(self.paths, "winnow_token", lines[-1])
        self._write_env(record, secrets)

    def _start_services(
        self,
        record: dict[str, Any],
        secrets: dict[str, str],
        only: Mapping[str, str] | None = None,
    ) -> None:
        """Run the oneshots, start the daemons (only those in ``only``, each with why it is
        down, when given), wait until they are ready, then make sure the token works."""
        started: list[str] = []
        try:
            spawned: list[tuple[str, ServiceSpec, subprocess.Popen[bytes], float]] = []
            for name, spec in self.services.items():
                if spec.token:
                    continue
                if spec.oneshot:
                    self._run_oneshot(record, name, spec)
                    continue
                if only is not None:
                    if name not in only:
                        continue
                    self._stop_services(record, [name])  # what is left of its process group
                    if only[name] != "not started":
                        self._progress(f"{name} {only[name]}: restarting it")
                proc = self._spawn(record, name, spec)
                started.append(name)
                spawned.append((name, spec, proc, time.monotonic()))
            for name, spec, proc, since in spawned:
                self._wait_daemon(record, name, spec, proc, since)
            for name, spec in self.services.items():
                if spec.token:
                    self._ensure_token(record, secrets, name, spec)
            record["with_services"] = True
            self._write_env(record, secrets)
        except BaseException:
            self._stop_services(record, started)
            raise

    def _stop_services(self, record: dict[str, Any], names: list[str] | None = None) -> None:
        services: dict[str, Any] = record.setdefault("services", {})
        targets = list(services) if names is None else [n for n in names if n in services]

        def stop_one(name: str) -> None:
            rec = services[name]
            if procs.pid_alive(rec.get("pid")):
                self._progress(f"stopping {name}")
            procs.stop(rec.get("pid"), group=True, started=rec.get("started"))
            procs.remove_pid(self.paths.pid_file(name))

        if targets:
            with ThreadPoolExecutor(max_workers=len(targets)) as pool:
                list(pool.map(stop_one, targets))
        for name in targets:
            del services[name]
        if names is None:
            record["with_services"] = False
        self._save(record)

    def _down(self, record: dict[str, Any]) -> None:
        self._stop_services(record)
        self._progress("stopping infrastructure")
        infra.stop(self.paths, record.get("infra") or {})
        emulators.stop(self.paths, record.pop("emulators", None) or {})
        record["running"] = False
        self._save(record)
        self.paths.stack_env.unlink(missing_ok=True)
