"""Healing a recorded stack in place: restart only the infra components that died.

A component comes back on the same port(s) and the same data directory, so every app process
keeps its connection settings (and reconnects by itself), Redis reloads its append-only file
and Postgres recovers from its WAL. Components that run and answer are left alone.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterable

from . import procs
from .infra import (
    INFRA,
    Progress,
    Record,
    ports_of,
    prepare_contents,
    readiness_checks,
    spawn,
    stop,
    wait_ready,
)
from .ports import port_free
from .state import StatePaths

_PORT_FREE_WAIT_S = 5.0


def _broken(infra: dict[str, Record], secrets: dict[str, str]) -> dict[str, str]:
    """Local components that are down or do not answer, and which of the two."""
    probes = readiness_checks(infra, secrets)
    broken: dict[str, str] = {}
    for name in INFRA:
        rec = infra[name]
        if rec.get("external"):
            continue
        if not procs.is_ours(rec.get("pid"), rec.get("started")):
            broken[name] = "was down"
        elif not probes[name]():
            broken[name] = "did not answer"
    return broken


def _ports_free(ports: Iterable[int]) -> bool:
    wanted = list(ports)
    return procs.wait_until(lambda: all(port_free(p) for p in wanted), _PORT_FREE_WAIT_S, 0.1)


def _main_port(rec: Record) -> int:
    ports = ports_of(rec)
    return ports.get("port") or ports["s3"]


def heal_infra(
    paths: StatePaths,
    secrets: dict[str, str],
    infra: dict[str, Record],
    *,
    timeout_s: float,
    progress: Progress,
    persist: Callable[[dict[str, Record]], None],
) -> list[str] | None:
    """Restart in place every local component of ``infra`` that is down or does not answer.

    ``infra`` is updated (new pids); ``persist`` saves it once the processes are spawned.
    Returns the names restarted (``[]``: nothing was wrong), or None when the stack cannot be
    healed in place (a record without ports, or a port someone else took meanwhile): the
    caller then restarts the whole stack. Waits until every component, external ones too,
    answers; raises :class:`StackError` when one does not.
    """
    if set(INFRA) - set(infra):
        return None
    broken = _broken(infra, secrets)
    try:
        wanted = {name: ports_of(infra[name]) for name in broken}
    except (KeyError, TypeError, ValueError):
        return None
    # What is left of a dead component's process group goes first (pid-reuse safe).
    stop(paths, {name: infra[name] for name in broken})
    for name, ports in wanted.items():
        if not _ports_free(ports.values()):
            progress(f"{name} {broken[name]}, but port(s) {sorted(ports.values())} are taken")
            return None
    spawned: dict[str, subprocess.Popen[bytes]] = {}
    started = time.monotonic()
    try:
        for name, ports in wanted.items():
            spawned[name], infra[name] = spawn(paths, secrets, name, ports)
            procs.write_pid(paths.pid_file(name), spawned[name].pid)
        if spawned:
            persist(infra)
        wait_ready(paths, infra, spawned, secrets, timeout_s)
        prepare_contents(infra, secrets, spawned)
    except BaseException:
        stop(paths, {name: infra[name] for name in spawned})
        raise
    for name, why in broken.items():
        progress(f"{name} {why}: restarted on port {_main_port(infra[name])}")
    if broken:
        progress(f"infrastructure healed in {time.monotonic() - started:.1f}s")
    return list(broken)
