"""Report work spread over forked processes, where that is both useful and safe.

The standalone CLI renders its report in the run's own process on a machine whose cores are
otherwise idle by then; the UMAP views and the plots are independent pieces of CPU work.
Workers are forked (they inherit the inputs and the imported modules, nothing is pickled on
the way in) and give the same bytes as the same work done in this process. Where forking is
not safe (:func:`fork_is_safe`) or there is one core, callers do the work here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from winnow_common.child_processes import fork_pool, usable_cpus

__all__ = ["fork_is_safe", "map_forked", "start_worker", "usable_cpus", "worker_count"]

T = TypeVar("T")

# The jobs of the running map_forked call: set before the fork, so the workers inherit them.
_jobs: Sequence[Callable[[], object]] = ()


def fork_is_safe() -> bool:
    """Whether processes forked now may run the report's code (numba's parallel code included).

    Not from a daemonic process (a Celery prefork worker): multiprocessing gives it no
    children. Nor once this process has started numba's GNU OpenMP threading layer: numba
    terminates a forked child that then runs a parallel function ("fork() called from a
    process already using GNU OpenMP"). Before that, or with numba's other layers, it is safe.
    """
    if multiprocessing.current_process().daemon:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    numba = sys.modules.get("numba")
    if numba is None:
        return True  # numba never ran here
    try:
        layer = numba.threading_layer()
    except ValueError:  # not started: each worker starts its own
        return True
    if layer != "omp":
        return True  # tbb and workqueue are fork safe
    from numba.np.ufunc import omppool

    return bool(omppool.openmp_vendor != "GNU")


def worker_count(jobs: int, processes: bool = True) -> int:
    """Worker processes for ``jobs`` independent jobs: ``min(jobs, CPUs)``, or 1 (do them in
    this process) where that is no gain or forking is not safe."""
    if not processes or jobs < 2:
        return 1
    workers = min(jobs, usable_cpus())
    return workers if workers > 1 and fork_is_safe() else 1


def start_worker() -> None:
    """A forked worker runs numba's parallel code on its own ``workqueue`` threads.

    Not on OpenMP: where torch was imported first (a worker's run renders its report after
    embedding), numba's OpenMP layer binds to torch's GNU libgomp, and a child forked after
    torch ran its OpenMP threads waits forever at the first parallel region (the parent's
    thread pool does not exist in it).
    """
    numba = sys.modules.get("numba")
    if numba is not None:
        numba.config.THREADING_LAYER = "workqueue"
    else:  # read by numba's config when it is imported here
        os.environ["NUMBA_THREADING_LAYER"] = "workqueue"


def pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` forked processes, started with :func:`start_worker`, gone with this one."""
    return fork_pool(workers, start_worker)


def map_forked(jobs: Sequence[Callable[[], T]], workers: int) -> list[T]:
    """Each job's result, in order, computed in ``workers`` forked processes.

    Call from the main thread with no other thread drawing (the plots' lock must not be held
    at the fork). The jobs are inherited by the workers, so they may be closures.
    """
    global _jobs
    _jobs = jobs
    try:
        with pool(workers) as executor:
            return list(executor.map(_run_job, range(len(jobs))))  # type: ignore[arg-type]
    finally:
        _jobs = ()


def _run_job(index: int) -> object:
    return _jobs[index]()
