"""Forked helper processes that never outlive the process that forked them.

A worker killed with SIGKILL (an OOM kill, ``kill -9``, a node drain) cannot stop its
``concurrent.futures`` process pools: their processes keep waiting on a queue nobody writes to,
holding a copy of the parent's memory. On Linux the kernel can signal a child when its parent
dies (``PR_SET_PDEATHSIG``); :func:`exit_with_parent` asks for that, and is meant as a pool's
``initializer``; :func:`fork_pool` builds such a pool.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

__all__ = ["exit_with_parent", "fork_pool", "usable_cpus"]

_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int) -> None:
    """Have this (forked) process killed when ``parent_pid``, its parent, dies.

    Call first thing in the child. Linux only (elsewhere it does nothing). If the parent is
    already gone when this runs, the child exits at once.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request: nobody to wait for
        os._exit(1)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, e.g. a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def fork_pool(workers: int, start: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """``workers`` forked processes that die with this one, each first running ``start``."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_child,
        initargs=(os.getpid(), start),
    )


def _start_child(parent_pid: int, start: Callable[[], None] | None) -> None:
    exit_with_parent(parent_pid)
    if start is not None:
        start()
