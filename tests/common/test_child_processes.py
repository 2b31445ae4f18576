"""Forked pool processes die with the process that forked them (``exit_with_parent``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# A parent that starts two pool processes on long jobs, prints their pids and kills itself
# with SIGKILL (no cleanup runs), with or without exit_with_parent as the pool's initializer.
_PARENT = """
import multiprocessing, os, signal, sys, time
from concurrent.futures import ProcessPoolExecutor
from winnow_common.child_processes import exit_with_parent

def job(_):
    time.sleep(60)

hook = sys.argv[1] == "hook"
pool = ProcessPoolExecutor(
    2,
    mp_context=multiprocessing.get_context("fork"),
    initializer=exit_with_parent if hook else None,
    initargs=(os.getpid(),) if hook else (),
)
for i in range(2):
    pool.submit(job, i)
time.sleep(1.0)
with open(sys.argv[2], "w") as out:
    out.write(" ".join(str(pid) for pid in pool._processes))
os.kill(os.getpid(), signal.SIGKILL)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited, only its parent has not reaped it


def _children_after_parent_killed(mode: str, tmp_path: Path) -> list[int]:
    # No pipes: surviving children would hold them open and keep run() waiting.
    pid_file = tmp_path / "pids"
    out = subprocess.run(
        [sys.executable, "-c", _PARENT, mode, str(pid_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    assert out.returncode == -signal.SIGKILL
    pids = [int(p) for p in pid_file.read_text().split()]
    assert len(pids) == 2
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_processes_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    pids = _children_after_parent_killed("hook", tmp_path)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_without_it_they_are_left_behind(tmp_path: Path) -> None:
    """The control: plain pool processes outlive a killed parent (what the hook prevents)."""
    pids = _children_after_parent_killed("plain", tmp_path)
    try:
        time.sleep(1.0)
        assert all(_alive(pid) for pid in pids)
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
