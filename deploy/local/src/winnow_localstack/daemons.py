"""The app processes' checks: health probes, waiting until a daemon is ready, one-shot runs.

``LocalStack`` decides what to start and records it; these functions hold no stack state, so
starting and healing share one way of telling whether a daemon is up.
"""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import procs
from .errors import StackError
from .specs import ServiceSpec

# A daemon without a health route counts as started once it has lived this long.
DAEMON_GRACE_S = 1.0
# How long a running daemon's health check may fail before ``up`` restarts it.
HEALTH_WAIT_S = 10.0

_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when GET ``url`` answers 200 (never through an HTTP proxy)."""
    try:
        with _NO_PROXY_OPENER.open(url, timeout=timeout) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_ready(
    name: str,
    proc: subprocess.Popen[bytes],
    health_url: str | None,
    *,
    timeout_s: float,
    since: float,
    log: Path,
) -> None:
    """Block until ``proc`` answers 200 on ``health_url`` (or, without one, outlives the grace).

    Raises :class:`StackError` naming ``log`` when it exits first or is not ready by
    ``since + timeout_s``.
    """
    deadline = since + timeout_s
    while True:
        if proc.poll() is not None:
            raise StackError(name, f"exited with code {proc.returncode}", log)
        if health_url is None:
            if time.monotonic() - since >= DAEMON_GRACE_S:
                return
        elif http_ok(health_url):
            return
        if time.monotonic() > deadline:
            raise StackError(name, f"{health_url} not healthy within {timeout_s:.0f}s", log)
        time.sleep(0.1)


def run_checked(
    name: str,
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str],
    cwd: Path,
    timeout_s: float,
) -> str:
    """Run a one-shot to completion and return its stdout; a timeout or failure is an error."""
    code, out = procs.run_oneshot(argv, log=log, env=env, cwd=cwd, timeout=timeout_s)
    if code is None:
        raise StackError(name, f"did not finish within {timeout_s:.0f}s", log)
    if code != 0:
        raise StackError(name, f"exited with code {code}", log)
    return out


def daemons_down(
    specs: Mapping[str, ServiceSpec], recorded: Mapping[str, Any], api_url: str
) -> dict[str, str]:
    """App daemons that are not running (or whose health check fails), and why."""
    down: dict[str, str] = {}
    for name, spec in specs.items():
        if spec.oneshot:
            continue
        rec = recorded.get(name) or {}
        if not procs.is_ours(rec.get("pid"), rec.get("started")):
            down[name] = "was down" if rec else "not started"
        elif spec.health_path:
            url = api_url + spec.health_path
            if not procs.wait_until(partial(http_ok, url), HEALTH_WAIT_S, 0.5):
                down[name] = "did not answer"
    return down
