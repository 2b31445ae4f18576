"""The greedy k-center loop the tests drive trackers with (as the DIVERSITY-only selection does)."""

from __future__ import annotations

from winnow_gpu_worker.ml.kcenter import MinDistanceTracker


def greedy(tracker: MinDistanceTracker, k: int, first: int = 0) -> list[int]:
    """Add ``first``, then the farthest row, until ``k`` rows are picked; the picks in order."""
    sel = [first]
    while len(sel) < k:
        tracker.add(sel[-1])
        nxt = tracker.farthest()
        assert nxt is not None
        sel.append(nxt)
    return sel
