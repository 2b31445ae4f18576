"""The run's memory log (``memlog.txt``, the MEMLOG artifact): the process's memory over time.

A daemon thread samples the resident set size (``/proc/self/statm``), the peak RSS
(``getrusage``) and, once the process has initialised CUDA, torch's allocated and reserved GPU
memory, every ``interval_s`` and at every stage change, each line naming the stage it ran in.
The log stays bounded: past ``max_samples`` periodic samples every other one is dropped and the
interval doubles (stage changes are always kept). A sink receives the text every ``flush_s`` and
when the log stops, so a process that is killed (out of memory, say) leaves its log behind.

``memlog.txt`` holds one section per attempt (``===== attempt N ... =====``); an attempt keeps
the sections of earlier attempts (:func:`compose`).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

log = logging.getLogger(__name__)

MIB = 1024 * 1024
SECTION_PREFIX = "===== attempt "
COLUMNS = (
    "time_utc",
    "elapsed_s",
    "stage",
    "rss_mib",
    "peak_rss_mib",
    "cuda_alloc_mib",
    "cuda_reserved_mib",
)


@dataclass(frozen=True)
class Memory:
    """One reading, in bytes (``None``: not available on this machine)."""

    rss: int | None
    peak_rss: int | None
    cuda_allocated: int | None = None
    cuda_reserved: int | None = None


@dataclass(frozen=True)
class MemorySample:
    """A reading taken at ``at`` (epoch seconds) during ``stage``; ``boundary``: at a stage
    change (never dropped)."""

    at: float
    stage: str
    memory: Memory
    boundary: bool


def _rss() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _peak_rss() -> int | None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux


def read_memory() -> Memory:
    """The process's memory now; CUDA only when torch is loaded and CUDA already initialised
    (the sampler never initialises a GPU itself)."""
    allocated = reserved = None
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_initialized():
                allocated = int(torch.cuda.memory_allocated())
                reserved = int(torch.cuda.memory_reserved())
        except Exception:  # a broken driver must not break the run
            allocated = reserved = None
    return Memory(_rss(), _peak_rss(), allocated, reserved)


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / MIB:.1f}"


def format_section(title: str, started: float, samples: list[MemorySample]) -> str:
    """One attempt's section: a header, the column names and one line per sample."""
    lines = [f"{SECTION_PREFIX}{title} =====", "\t".join(COLUMNS)]
    for s in samples:
        stamp = datetime.fromtimestamp(s.at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        m = s.memory
        sizes = (m.rss, m.peak_rss, m.cuda_allocated, m.cuda_reserved)
        lines.append("\t".join([stamp, f"{s.at - started:.1f}", s.stage, *map(_mib, sizes)]))
    return "\n".join(lines) + "\n"


def _section_number(header: str) -> int | None:
    """N of a ``===== attempt N...`` header (None: not one)."""
    rest = header[len(SECTION_PREFIX) :]
    digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    return int(digits) if digits else None


def compose(earlier: str | None, number: int, section: str) -> str:
    """``memlog.txt``: the sections of attempts before ``number`` from ``earlier`` (the file as
    stored), then this attempt's ``section`` (a retried attempt replaces its own)."""
    kept: list[str] = []
    keep = False
    for line in (earlier or "").splitlines(keepends=True):
        if line.startswith(SECTION_PREFIX):
            found = _section_number(line)
            keep = found is not None and found < number
        if keep:
            kept.append(line)
    return "".join(kept) + section


class MemoryLog:
    """Samples memory on a daemon thread; see the module docstring."""

    def __init__(
        self,
        title: str,
        *,
        interval_s: float = 1.0,
        max_samples: int = 1000,
        flush_s: float = 10.0,
        reader: Callable[[], Memory] = read_memory,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.title, self.interval_s, self.max_samples = title, interval_s, max_samples
        self.flush_s, self.reader, self.clock = flush_s, reader, clock
        self.started = clock()
        self.samples: list[MemorySample] = []
        self.current = "STARTING"
        self._sink: Callable[[str], None] | None = None
        self._periodic = 0
        self._stride = 1
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="memory-log", daemon=True)

    def start(self) -> MemoryLog:
        """Take the first sample and start the thread; returns self."""
        self.sample(boundary=True)
        self._thread.start()
        return self

    def set_sink(self, sink: Callable[[str], None]) -> None:
        """Where the text goes every ``flush_s`` and at :meth:`stop` (best effort)."""
        self._sink = sink

    def stage(self, name: str) -> None:
        """The run is in stage ``name``: a sample when that is a new stage (progress reports
        repeat their stage's name; they add nothing)."""
        with self._lock:
            if name == self.current:
                return
            self.current = name
        self.sample(boundary=True)

    def sample(self, *, boundary: bool = False) -> None:
        """Record one reading (a periodic one may be thinned out later)."""
        taken = MemorySample(self.clock(), self.current, self.reader(), boundary)
        with self._lock:
            if not boundary:
                self._periodic += 1
                if self._periodic % self._stride:
                    return
            self.samples.append(taken)
            if sum(not s.boundary for s in self.samples) > self.max_samples:
                self._thin()

    def _thin(self) -> None:
        """Drop every other periodic sample and sample half as often from now on."""
        periodic = 0
        kept = []
        for s in self.samples:
            if not s.boundary:
                periodic += 1
                if periodic % 2 == 0:
                    continue
            kept.append(s)
        self.samples = kept
        self._stride *= 2

    def text(self) -> str:
        """This attempt's section as it stands."""
        with self._lock:
            samples = list(self.samples)
        return format_section(self.title, self.started, samples)

    def flush(self) -> bool:
        """Hand the text to the sink; False when there is none or it failed."""
        if self._sink is None:
            return False
        try:
            self._sink(self.text())
        except Exception as exc:  # a memory log never fails a run
            log.warning("could not store the memory log: %s", exc)
            return False
        return True

    def stop(self, final_stage: str = "END") -> bool:
        """Take a last sample, stop the thread and flush; whether the text was stored."""
        if not self._stopped.is_set():
            self._stopped.set()
            if self._thread.is_alive():
                self._thread.join(timeout=self.interval_s + 5)
            self.stage(final_stage)
        return self.flush()

    def _loop(self) -> None:
        last_flush = self.clock()
        while not self._stopped.wait(self.interval_s):
            self.sample()
            if self.clock() - last_flush >= self.flush_s:
                self.flush()
                last_flush = self.clock()
