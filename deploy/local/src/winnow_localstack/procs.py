"""Detached processes: spawn, liveness, pid files, stopping by process group."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def _stop_timeout_s() -> float:
    """SIGTERM-to-SIGKILL wait: above a worker's shutdown grace (RUN_SHUTDOWN_GRACE_S, 20 s).

    A GPU worker (or the reporter) told to stop hands its run back within that grace; killing
    it sooner would turn a graceful hand-back into a crash.
    """
    try:
        grace = float(os.environ.get("RUN_SHUTDOWN_GRACE_S", "20"))
    except ValueError:
        grace = 20.0
    return max(30.0, grace + 10.0)


STOP_TIMEOUT_S = _stop_timeout_s()


def _log_header(log: Path, argv: Sequence[str]) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"\n=== {stamp} winnow-stack starts: {shlex.join(argv)}\n")


def spawn(
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: tuple[int, int] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` detached (own session), stdout+stderr appended to ``log``.

    ``user`` is ``(uid, gid)`` to drop to (only when running as root).
    """
    _log_header(log, argv)
    with log.open("ab") as out:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=str(cwd) if cwd is not None else None,
            start_new_session=True,
            close_fds=True,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,
        )


def run_oneshot(
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300.0,
) -> tuple[int | None, str]:
    """Run ``argv`` to completion; stderr goes to ``log``, stdout is returned and logged.

    Returns ``(returncode, stdout)``; returncode is ``None`` when it timed out (then the whole
    process group was killed).
    """
    _log_header(log, argv)
    with log.open("ab") as err:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            env=dict(env) if env is not None else None,
            cwd=str(cwd) if cwd is not None else None,
            start_new_session=True,
        )
        try:
            out, _ = proc.communicate(timeout=timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            stop(proc.pid, group=True, timeout=2.0)
            out, _ = proc.communicate()
            code = None
    text = out.decode("utf-8", errors="replace")
    with log.open("a", encoding="utf-8") as fh:
        fh.write(text)
    return code, text


def _reap(pid: int) -> bool:
    """Reap ``pid`` if it is an exited child of ours; True when it was reaped (it is gone)."""
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        return False
    return waited == pid


def pid_alive(pid: int | None) -> bool:
    """True when process ``pid`` exists and is not a zombie."""
    if not pid or pid <= 0:
        return False
    if _reap(pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def start_time(pid: int | None) -> str | None:
    """The process' start time (``/proc/<pid>/stat`` field 22); None when it is gone."""
    if not pid or pid <= 0:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def is_ours(pid: int | None, started: str | None) -> bool:
    """True when ``pid`` is alive and (if ``started`` is known) is the process we started."""
    if not pid_alive(pid):
        return False
    return started is None or start_time(pid) in (None, started)


def _group_alive(pgid: int) -> bool:
    """True when a live (non-zombie) process is in process group ``pgid``.

    Zombies are ignored: an orphaned child stays a zombie until init reaps it, which some
    container inits do only now and then.
    """
    _reap(pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def _exists(pid: int, group: bool) -> bool:
    return _group_alive(pid) if group else pid_alive(pid)


def _send(pid: int, sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def stop(
    pid: int | None,
    *,
    group: bool = True,
    timeout: float = STOP_TIMEOUT_S,
    sig: int = signal.SIGTERM,
    started: str | None = None,
) -> None:
    """Send ``sig`` to ``pid`` (its process group when ``group``), SIGKILL after ``timeout``.

    ``group`` assumes ``pid`` was started as a session leader (its pgid is its pid); members
    left behind by a dead leader are stopped too. With ``started`` (see :func:`start_time`)
    a live ``pid`` that is a different process (pid reuse) is left alone.
    """
    if not pid or pid <= 0:
        return
    if started is not None and pid_alive(pid) and start_time(pid) not in (None, started):
        return
    if not _exists(pid, group):
        return
    _send(pid, sig, group)
    if wait_until(lambda: not _exists(pid, group), timeout):
        return
    _send(pid, signal.SIGKILL, group)
    wait_until(lambda: not _exists(pid, group), 5.0)


def write_pid(path: Path, pid: int) -> None:
    """Write ``pid`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{pid}\n", encoding="ascii")


def read_pid(path: Path) -> int | None:
    """Read a pid file; None when missing or garbled."""
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def remove_pid(path: Path) -> None:
    """Remove a pid file if present."""
    path.unlink(missing_ok=True)
