"""The process-wide "please stop" of a graceful shutdown (SIGTERM, Ctrl-C on a worker).

A signal handler calls :func:`request_shutdown`; the run in progress notices at its next safe
point (``LeaseKeeper.check``) and hands the run back instead of failing it.
"""

from __future__ import annotations

import threading

_requested = threading.Event()
_reason: list[str] = []


def request_shutdown(reason: str) -> None:
    """Ask the running attempt of this process to hand its run back."""
    if not _requested.is_set():
        _reason.append(reason)
    _requested.set()


def shutdown_requested() -> str | None:
    """Why a shutdown was requested, or None."""
    return _reason[0] if _requested.is_set() and _reason else None


def reset_shutdown() -> None:
    """Forget a request (tests, and a worker that keeps serving after a handled request)."""
    _requested.clear()
    _reason.clear()
