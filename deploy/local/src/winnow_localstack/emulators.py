"""Cloud storage emulators, started on demand (tests of GCS and AZURE datasources).

Azurite (Azure Blob) comes from npm into a cache directory the launcher manages
(``<repo>/.cache/azurite``, :func:`install_azurite`, run by ``make install``); the GCS emulator
is ``gcp-storage-emulator`` from PyPI (a dependency of this package). Neither starts with the
normal stack: ``winnow-stack up --emulators`` or ``LocalStack.start_emulators()`` does.

A record is ``{"pid", "started", "port", "url"}``; the stack env gains ``GCS_ENDPOINT_URL``
and ``AZURE_BLOB_ENDPOINT`` while they run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import procs
from .daemons import http_ok
from .errors import StackError
from .ports import HOST, PortAllocator, port_open
from .state import StatePaths

AZURITE_VERSION = "3.37.0"
NAMES = ("gcs", "azure")
# Azurite's built-in development account (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
ENV_KEYS = {"gcs": "GCS_ENDPOINT_URL", "azure": "AZURE_BLOB_ENDPOINT"}
Record = dict[str, Any]


def azurite_dir(repo_root: Path) -> Path:
    """Where Azurite is installed from npm (ignored by git)."""
    return repo_root / ".cache" / "azurite"


def azurite_binary(repo_root: Path) -> Path:
    """The installed ``azurite-blob`` script."""
    return azurite_dir(repo_root) / "node_modules" / ".bin" / "azurite-blob"


def install_azurite(repo_root: Path, *, force: bool = False) -> Path:
    """``npm install azurite@AZURITE_VERSION`` into :func:`azurite_dir` (once); its script."""
    binary = azurite_binary(repo_root)
    if binary.exists() and not force:
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise StackError("azure", "npm not found: install Node.js 20+ and npm for Azurite")
    target = azurite_dir(repo_root)
    target.mkdir(parents=True, exist_ok=True)
    argv = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(target)]
    done = subprocess.run(
        [*argv, f"azurite@{AZURITE_VERSION}"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not binary.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise StackError("azure", "npm install azurite failed: " + " | ".join(tail))
    return binary


def _argv(name: str, paths: StatePaths, repo_root: Path, port: int) -> list[str]:
    if name == "gcs":
        data = paths.root / "gcs"
        data.mkdir(parents=True, exist_ok=True)
        module = (sys.executable, "-m", "gcp_storage_emulator")
        return [*module, "-d", str(data), "start", "--host", HOST, "--port", str(port)]
    data = paths.root / "azurite"
    data.mkdir(parents=True, exist_ok=True)
    return [
        str(install_azurite(repo_root)),
        *("--blobHost", HOST, "--blobPort", str(port), "--location", str(data)),
        *("--skipApiVersionCheck", "--loose", "--disableTelemetry"),
    ]


def url(name: str, port: int) -> str:
    """The endpoint setting's value: GCS JSON API base, or Azurite's blob base (path style)."""
    return f"http://{HOST}:{port}"


def ready(name: str, rec: Mapping[str, Any]) -> bool:
    """Whether the emulator answers (GCS: lists buckets; Azurite: accepts connections)."""
    if name == "gcs":
        return http_ok(f"{rec['url']}/storage/v1/b?project=winnow", timeout=2.0)
    return port_open(int(rec["port"]))


def running(name: str, rec: Mapping[str, Any] | None) -> bool:
    """The recorded process still runs and answers."""
    if not rec:
        return False
    return procs.is_ours(rec.get("pid"), rec.get("started")) and ready(name, rec)


def start(
    paths: StatePaths, repo_root: Path, name: str, port: int | None, timeout_s: float
) -> Record:
    """Start one emulator (on ``port`` when free) and wait until it answers."""
    port = PortAllocator().take(port)
    proc = procs.spawn(_argv(name, paths, repo_root, port), log=paths.log(name), cwd=paths.root)
    rec: Record = {
        "pid": proc.pid,
        "started": procs.start_time(proc.pid),
        "port": port,
        "url": url(name, port),
    }
    procs.write_pid(paths.pid_file(name), proc.pid)
    deadline = time.monotonic() + timeout_s
    while not ready(name, rec):
        if proc.poll() is not None:
            raise StackError(name, f"exited with code {proc.returncode}", paths.log(name))
        if time.monotonic() > deadline:
            stop(paths, {name: rec})
            raise StackError(name, f"not ready within {timeout_s:g}s", paths.log(name))
        time.sleep(0.1)
    return rec


def stop(paths: StatePaths, records: Mapping[str, Record]) -> None:
    """Stop the emulators in ``records`` and remove their pid files."""
    for name, rec in records.items():
        procs.stop(rec.get("pid"), group=True, started=rec.get("started"))
        procs.remove_pid(paths.pid_file(name))


def env(records: Mapping[str, Record]) -> dict[str, str]:
    """The settings that point Winnow's processes at the running emulators."""
    return {ENV_KEYS[name]: rec["url"] for name, rec in records.items() if name in ENV_KEYS}
