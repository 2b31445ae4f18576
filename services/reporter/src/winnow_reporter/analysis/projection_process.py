"""The report's 2-D projections in a process forked as a standalone run starts.

Importing umap-learn (numba, pynndescent, scikit-learn) takes about two seconds of one core,
and the report needs it only at the end of a run. A standalone run spends its first seconds
importing torch on one core while the other one is idle. :func:`start`, called then, forks a
process that imports umap-learn on that idle core; the report's :func:`project_2d
<winnow_reporter.analysis.embedding.project_2d>` later computes its projections there (the
same function on the same inputs, so the same numbers) and no longer waits for the import.
:func:`prefetch` starts a projection as soon as the run has its embeddings; the report's
:func:`project` with equal inputs then takes that result instead of starting over.

Forked before any thread starts, it dies with the process that forked it
(:mod:`winnow_common.child_processes`). When it is missing or fails, the projections are
computed in the calling process as before.
"""

from __future__ import annotations

import logging
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

import numpy as np

from winnow_common.child_processes import fork_pool, usable_cpus
from winnow_reporter import forking

if TYPE_CHECKING:
    from winnow_reporter.analysis.embedding import Projection

__all__ = ["prefetch", "project", "start", "stop"]

log = logging.getLogger(__name__)

_process: ProcessPoolExecutor | None = None
#: Projections computed in the projection process so far (the tests read it).
projections_made = 0
#: The projection started by :func:`prefetch`: its inputs (a copy) and its future.
_prefetched: tuple[np.ndarray, dict[str, Any], Future[Projection]] | None = None


def start() -> bool:
    """Fork the projection process and have it import umap-learn now; False where not.

    Call early, from a process with no other thread yet, on a machine with a spare core.
    """
    global _process
    if _process is not None:
        return True
    if usable_cpus() < 2 or not forking.fork_is_safe():
        return False
    _process = fork_pool(1, _in_child)
    _process.submit(_import_umap)
    return True


def _in_child() -> None:
    global _process
    _process = None  # the child computes its projections itself (in its own workers)
    # numba's workqueue threads, not OpenMP: forked from a process where torch already ran
    # (a run inside a test session), OpenMP would wait for the parent's threads forever
    forking.start_worker()
    # A terminal's Ctrl-C (or a stop sent to the process group) is the run's to handle: the
    # run ends this process (stop) and it dies with the run anyway, without a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _import_umap() -> None:
    from winnow_reporter.analysis.umap_loader import load_umap

    load_umap()


def prefetch(x: np.ndarray, **kwargs: Any) -> bool:
    """Start ``project_2d(x, **kwargs)`` in the projection process now; False when there is none.

    A later :func:`project` with equal inputs (the same values and keyword arguments) takes
    this result; any other call starts its own projection, so a prefetch can make a report
    sooner but never different.
    """
    global _prefetched
    if _process is None:
        return False
    from winnow_reporter.analysis.embedding import project_2d

    # A copy: the caller may change its array while the submission is still being sent.
    inputs = np.array(x, copy=True)
    _prefetched = (inputs, dict(kwargs), _process.submit(project_2d, inputs, **kwargs))
    return True


def _take_prefetched(x: Any, kwargs: dict[str, Any]) -> Future[Projection] | None:
    """The prefetched projection's future if it was started on these inputs (it is taken)."""
    global _prefetched
    taken, _prefetched = _prefetched, None
    if taken is None:
        return None
    if taken[1] != kwargs:
        taken[2].cancel()
        return None
    inputs, _, future = taken
    if np.array_equal(inputs, np.asarray(x)):
        return future
    future.cancel()  # not started yet: the process takes the caller's projection sooner
    return None


def project(x: Any, **kwargs: Any) -> Projection | None:
    """``project_2d(x, **kwargs)`` computed in the projection process; None when there is
    none, or it died (then it is gone, and the caller computes the projection itself)."""
    global projections_made
    if _process is None:
        return None
    from winnow_reporter.analysis.embedding import project_2d

    try:
        future = _take_prefetched(x, kwargs) or _process.submit(project_2d, x, **kwargs)
        projection = future.result()
    except BrokenProcessPool as exc:
        log.warning("the projection process failed (%r); projecting in this process", exc)
        stop()
        return None
    projections_made += 1
    return projection


def stop() -> None:
    """End the projection process (if any); later projections run in the calling process."""
    global _process, _prefetched
    _prefetched = None
    if _process is not None:
        process, _process = _process, None
        process.shutdown(wait=True, cancel_futures=True)
