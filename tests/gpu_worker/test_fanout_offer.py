"""The attempt's fan-out offer: ``WORKER_EMBED_FANOUT`` and the run's history decide it.

(``auto``, which asks the broker for idle workers, is exercised with real processes in
``tests/flow/test_embed_fanout.py``.)
"""

from __future__ import annotations

import pytest

from winnow_common.jobs.names import TaskName
from winnow_common.lifecycle.attempts import AttemptInfo, Claim
from winnow_common.lifecycle.fanout import fanned_out_before, fanout_detail
from winnow_gpu_worker.fanout import offer
from winnow_gpu_worker.stages.work import FanOutRequested


def _claim(*previous: AttemptInfo) -> Claim:
    return Claim(
        "r" * 24, "s" * 24, "a" * 24, len(previous) + 1, TaskName.PROCESS_RUN, "w", previous
    )


def _earlier(outcome: str, detail: str | None) -> AttemptInfo:
    return AttemptInfo(1, "gpu.process_run", "w", 0, 1, outcome, "EMBEDDING", detail)


def test_on_takes_the_offer_and_off_makes_none() -> None:
    take = offer(_claim(), "gpu", "me@host", "on")
    assert take is not None
    with pytest.raises(FanOutRequested) as raised:
        take([1, 2, 3], 4)
    assert (raised.value.shards, raised.value.count) == ([1, 2, 3], 4)
    assert offer(_claim(), "gpu", "me@host", "off") is None


def test_a_run_fans_out_once() -> None:
    fanned = _earlier("HANDED_BACK", fanout_detail(3, 4))
    shutdown = _earlier("HANDED_BACK", "worker shutting down (warm shutdown, SIGTERM)")
    crashed = _earlier("LOST", "lease expired")
    assert fanned_out_before([fanned]) and not fanned_out_before([shutdown, crashed])
    assert offer(_claim(fanned), "gpu", None, "on") is None
    assert offer(_claim(shutdown, crashed), "gpu", None, "on") is not None
