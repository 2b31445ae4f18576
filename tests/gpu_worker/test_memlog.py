"""The GPU stage's memory log (memlog.txt, the MEMLOG artifact): its format, stage changes,
bounded size, attempt sections and the sampler thread on this real process."""

from __future__ import annotations

import time

from winnow_gpu_worker.memlog import (
    COLUMNS,
    MIB,
    Memory,
    MemoryLog,
    compose,
    read_memory,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _fixed(rss_mib: float, cuda: bool = False) -> Memory:
    size = int(rss_mib * MIB)
    return Memory(size, size * 2, size // 2 if cuda else None, size if cuda else None)


def test_format_names_each_stage_with_its_memory() -> None:
    clock = FakeClock()
    memory = iter([_fixed(100), _fixed(150), _fixed(150), _fixed(300, cuda=True)])
    memlog = MemoryLog("1: gpu.process_run on w@h", reader=lambda: next(memory), clock=clock)
    memlog.sample(boundary=True)
    clock.now += 1.5
    memlog.stage("EMBEDDING")
    memlog.stage("EMBEDDING")  # a progress report of the same stage adds nothing
    clock.now += 1.0
    memlog.sample()
    clock.now += 0.25
    memlog.stage("SAMPLING")
    lines = memlog.text().splitlines()
    assert lines[0] == "===== attempt 1: gpu.process_run on w@h ====="
    assert lines[1].split("\t") == list(COLUMNS)
    rows = [line.split("\t") for line in lines[2:]]
    assert [r[1:3] for r in rows] == [
        ["0.0", "STARTING"],
        ["1.5", "EMBEDDING"],
        ["2.5", "EMBEDDING"],
        ["2.8", "SAMPLING"],
    ]
    assert rows[0][0] == "2023-11-14T22:13:20.000Z"
    assert rows[1][3:] == ["150.0", "300.0", "-", "-"]
    assert rows[3][3:] == ["300.0", "600.0", "150.0", "300.0"]


def test_size_stays_bounded_and_stage_changes_are_kept() -> None:
    memlog = MemoryLog("1: x", max_samples=10, reader=lambda: _fixed(1), clock=FakeClock())
    for i in range(1000):
        if i % 250 == 0:
            memlog.stage(f"S{i}")
        memlog.sample()
    periodic = [s for s in memlog.samples if not s.boundary]
    stages = [s.stage for s in memlog.samples if s.boundary]
    assert len(periodic) <= 10
    assert stages == ["S0", "S250", "S500", "S750"]
    # Still spread over the whole run (not only its start).
    assert {s.stage for s in periodic} == {"S0", "S250", "S500", "S750"}
    assert len(memlog.text().splitlines()) <= 2 + 10 + 4


def test_compose_keeps_earlier_attempts_and_replaces_its_own() -> None:
    first = "===== attempt 1: a =====\ncols\nrow1\n"
    second_old = "===== attempt 2: b =====\ncols\nold\n"
    stored = first + second_old
    second_new = "===== attempt 2: b =====\ncols\nnew\n"
    assert compose(stored, 2, second_new) == first + second_new
    assert compose(None, 1, first) == first
    # A later attempt's section never survives an earlier number (cannot happen, but bounded).
    assert compose(first + second_old, 1, first) == first
    assert compose(stored, 3, "===== attempt 3: c =====\n").count("===== attempt") == 3


def test_real_process_sampler_thread_flushes_stages() -> None:
    memory = read_memory()
    assert memory.rss is not None and memory.rss > 10 * MIB
    assert memory.peak_rss is not None and memory.peak_rss >= memory.rss // 2
    stored: list[str] = []
    memlog = MemoryLog("1: test", interval_s=0.02, flush_s=0.05)
    memlog.set_sink(stored.append)
    memlog.start()
    memlog.stage("EMBEDDING")
    time.sleep(0.3)
    assert stored, "the thread flushes while the run goes on"
    assert memlog.stop("DONE")
    text = stored[-1]
    rows = [line.split("\t") for line in text.splitlines()[2:]]
    assert rows[0][2] == "STARTING"
    assert rows[-1][2] == "DONE"
    assert sum(r[2] == "EMBEDDING" for r in rows) >= 3
    assert all(float(r[3]) > 10 for r in rows)


def test_a_failing_sink_never_raises() -> None:
    memlog = MemoryLog("1: x", reader=lambda: _fixed(1))

    def refuse(text: str) -> None:
        raise OSError("disk full")

    memlog.set_sink(refuse)
    assert memlog.stop() is False
