"""Pick the k-center tracker's kernel by measuring it on this machine (``precision="auto"``).

Which kernel streams the embedding matrix fastest depends on the CPU (cache sizes, memory
bandwidth, int8 and bfloat16 instructions), on whether there is a GPU and on the matrix size;
a fixed rule tuned on one machine lost on the next. So the first ``"auto"`` tracker for a given
machine and matrix size class runs a few greedy steps of every candidate kernel on the actual
matrix, keeps the fastest and writes the result to a small JSON file in the user's cache
directory (``$XDG_CACHE_HOME/winnow/kcenter_kernels.json``). Later trackers on the same machine
read it. Entries are keyed by a hash of the machine (CPU model and flags, core and thread
counts, NumPy and torch versions, GPU name) and by the size class (matrix bytes and dimension,
each rounded to a power of two), so a different machine or a new torch measures again.

Every kernel gives the float32 distances (the screened ones recompute every row that may
change in float32), so the choice changes the speed, never the selection beyond float32
rounding ties. A candidate that fails to build, fails its error-bound self-check, or raises
while stepping is skipped and reported in ``KernelChoice.skipped``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from winnow_gpu_worker.ml import kcenter_fused
from winnow_gpu_worker.ml.kcenter import KERNELS, MinDistanceTracker
from winnow_gpu_worker.ml.kcenter_screen import SCREEN_PRECISIONS

# 2: steps timed in blocks (speculative passes), choices made with single steps are stale.
# 3: the bfloat16 screen computes a pass of 8 points with torch.mm (was one, torch.mv);
#    candidates timed after 64 greedy steps (was 8), 16 steps per round (was 8).
CACHE_VERSION = 4
# Greedy float32 steps run before timing, so that the candidates are timed on a realistic
# state (enough points selected that the screens recompute a small fraction of the rows, as
# for most of a selection; after 8 they still recomputed several times more and lost to
# float32 on a machine where they are twice as fast over the whole selection).
WARM_STEPS = 64
# The candidates are timed in ROUNDS interleaved rounds of TIMED_STEPS steps each (after one
# untimed step), and each keeps the median of its rounds: a load that comes and goes during
# the measurement then disturbs every candidate alike, not only the one it happened to meet.
ROUNDS = 3
TIMED_STEPS = 16

# The selection length the choice is made for when the caller does not say: a kernel whose
# screening copy takes long to build wins only over enough steps.
EXPECTED_STEPS = 1000

# A measurement taken while other processes kept more than BUSY_CORES cores busy (on average)
# is cached for BUSY_TTL_S only: on a loaded machine multi-threaded kernels lose most, so its
# winner need not be the winner on the same machine when it is idle.
BUSY_CORES = 0.5
BUSY_TTL_S = 600.0

# A timer gets a candidate's name and one step of it, and returns seconds per step.
Timer = Callable[[str, Callable[[], object]], float]


@dataclass
class KernelChoice:
    """The kernel ``"auto"`` chose, and the measurement behind it."""

    kernel: str
    device: str | None
    timings_ms: dict[str, float]  # ms per step of every candidate that ran
    build_ms: dict[str, float]  # ms to build each candidate (its screening copy)
    skipped: dict[str, str]  # candidate -> why it did not run
    cached: bool  # read from the cache, not measured now
    machine: str
    shape: str
    # the winner's screening copy, built while measuring (reused by the tracker, once)
    screen: Any = field(default=None, repr=False, compare=False)
    devices: dict[str, str | None] = field(default_factory=dict)  # where each candidate ran
    other_cores: float = 0.0  # cores other processes used while it was measured
    # ms a new process needs to load the host screens' compiled step (kcenter_fused.load_ms)
    fused_load_ms: float = 0.0

    def take_screen(self) -> Any:
        """The winner's built screen, handed over once (None if cached or not a screen)."""
        screen, self.screen = self.screen, None
        return screen

    def reason(self) -> str:
        """One line: what ran how fast, what was skipped, where the choice came from."""
        ran = ", ".join(
            f"{k} {v:.3f} (build {self.build_ms.get(k, 0.0):.0f} ms)"
            for k, v in sorted(self.timings_ms.items(), key=_second)
        )
        skipped = "; ".join(f"{k}: {v}" for k, v in self.skipped.items())
        source = "cached" if self.cached else "measured now"
        if self.other_cores > BUSY_CORES:
            source += f", other processes busy on {self.other_cores:.1f} cores: kept briefly"
        return (
            f"{self.kernel} ({source}; ms/step: {ran}"
            + (f"; skipped {skipped}" if skipped else "")
            + ")"
        )


def _second(item: tuple[str, float]) -> float:
    return item[1]


def _first_use(
    build_ms: dict[str, float], devices: dict[str, str | None], fused_load_ms: float
) -> dict[str, float]:
    """Build times plus, while this process has not loaded the host screens' compiled step,
    what loading it costs (a small selection cannot win that back)."""
    if kcenter_fused.loaded():
        return build_ms
    return {
        k: v + (fused_load_ms if k in SCREEN_PRECISIONS and devices.get(k) is None else 0.0)
        for k, v in build_ms.items()
    }


def fastest(timings_ms: dict[str, float], build_ms: dict[str, float], steps: int) -> str | None:
    """The candidate with the least ``build + steps * step`` time (None if none ran)."""
    if not timings_ms:
        return None
    return min(timings_ms, key=lambda k: build_ms.get(k, 0.0) + steps * timings_ms[k])


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/winnow/kcenter_kernels.json`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "winnow" / "kcenter_kernels.json"


def machine_facts(device: str | None) -> dict[str, str]:
    """What makes one machine's measurement invalid on another."""
    facts = {
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "numpy": np.__version__,
    }
    try:
        import torch

        facts["torch"] = torch.__version__
        facts["threads"] = str(torch.get_num_threads())
        facts["capability"] = str(torch.backends.cpu.get_cpu_capability())
        if device != "cpu" and torch.cuda.is_available():
            facts["gpu"] = torch.cuda.get_device_name()
    except ImportError:  # pragma: no cover - torch is a dependency of the worker
        facts["torch"] = "none"
    return facts


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    wanted = ("model name", "flags", "Features", "CPU part")
    found = {}
    for line in lines:
        name, _, value = line.partition(":")
        name = name.strip()
        if name in wanted and name not in found:
            found[name] = value.strip()
    return " | ".join(found[k] for k in wanted if k in found) or platform.processor()


def machine_key(device: str | None) -> str:
    """A short hash of ``machine_facts``."""
    text = json.dumps(machine_facts(device), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shape_class(x: np.ndarray) -> str:
    """Matrix bytes and dimension, each rounded to the nearest power of two."""
    n_bytes = max(int(x.nbytes), 1)
    return f"bytes2^{round(math.log2(n_bytes))}-d2^{round(math.log2(max(x.shape[1], 1)))}"


def choose_kernel(
    x: np.ndarray,
    sq_norms: np.ndarray,
    *,
    device: str | None = None,
    cache_path: Path | None = None,
    timer: Timer | None = None,
    candidates: Sequence[str] = KERNELS,
    expected_steps: int = EXPECTED_STEPS,
) -> KernelChoice:
    """The fastest of ``candidates`` on this machine for a matrix like ``x``.

    Fastest means the least build time plus ``expected_steps`` times the time per step.
    Reads the cache first; on a miss measures (``measure``) and stores the result. ``x`` is
    the C-contiguous float32 matrix and ``sq_norms`` its squared row norms.
    """
    path = cache_path or default_cache_path()
    key, shape = machine_key(device), shape_class(x)
    entries = _load(path)
    hit = entries.get(key, {}).get(shape)
    expired = isinstance(hit, dict) and float(hit.get("expires") or math.inf) < time.time()
    if isinstance(hit, dict) and isinstance(hit.get("timings_ms"), dict) and not expired:
        timings = {k: float(v) for k, v in hit["timings_ms"].items() if k in candidates}
        build = {k: float(v) for k, v in hit.get("build_ms", {}).items()}
        load = float(hit.get("fused_load_ms", 0.0))
        first_use = _first_use(build, hit.get("devices", {}), load)
        kernel = fastest(timings, first_use, expected_steps)
        if kernel is not None:
            return KernelChoice(
                kernel=kernel,
                device=hit.get("devices", {}).get(kernel),
                timings_ms=timings,
                build_ms=build,
                skipped=dict(hit.get("skipped", {})),
                cached=True,
                machine=key,
                shape=shape,
                other_cores=float(hit.get("other_cores", 0.0)),
                fused_load_ms=load,
            )
    # before the probe: the child process that times loading the compiled step is not load
    # that disturbs the measurement
    fused_load_ms = kcenter_fused.load_ms()
    probe = _cpu_probe()
    choice = measure(
        x,
        sq_norms,
        candidates=candidates,
        device=device,
        timer=timer,
        expected_steps=expected_steps,
        fused_load_ms=fused_load_ms,
    )
    choice.machine, choice.shape = key, shape
    choice.other_cores = other_cores_since(probe)
    busy = choice.other_cores > BUSY_CORES
    entries.setdefault(key, {})[shape] = {
        "kernel": choice.kernel,
        "devices": choice.devices,
        "timings_ms": choice.timings_ms,
        "build_ms": choice.build_ms,
        "skipped": choice.skipped,
        "other_cores": round(choice.other_cores, 3),
        "fused_load_ms": round(choice.fused_load_ms, 3),
        "expires": time.time() + BUSY_TTL_S if busy else None,
        "facts": machine_facts(device),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    _store(path, entries)
    return choice


def measure(
    x: np.ndarray,
    sq_norms: np.ndarray,
    *,
    candidates: Sequence[str] = KERNELS,
    device: str | None = None,
    timer: Timer | None = None,
    expected_steps: int = EXPECTED_STEPS,
    fused_load_ms: float | None = None,
) -> KernelChoice:
    """Build every candidate on ``x`` and time a few greedy steps of each; the fastest wins.

    ``fused_load_ms``: what loading the host screens' compiled step costs a new process, if
    already measured (``kcenter_fused.load_ms``; measured here otherwise).

    All candidates are alive at once while they are timed (interleaved): about one more
    float32 matrix of memory for their compact copies together.

    Every candidate starts from the same state: ``WARM_STEPS`` greedy picks made with the
    float32 reference. float32 is the answer when nothing else runs.
    """
    timer = timer or median_step_time
    # The host screens' compiled step is compiled (or loaded) now, before any candidate is
    # built, so that no build time includes it; what it costs a new process is measured apart.
    if fused_load_ms is None:
        fused_load_ms = kcenter_fused.load_ms()
    ref = MinDistanceTracker.with_kernel(x, sq_norms, "float32")
    pick: int = 0
    for _ in range(min(WARM_STEPS, len(x))):
        ref.add(pick)
        pick = ref.farthest() or 0
    build: dict[str, float] = {}
    skipped: dict[str, str] = {}
    trackers: dict[str, MinDistanceTracker] = {}
    steps: dict[str, Callable[[], object]] = {}
    for name in candidates:
        try:
            t0 = time.perf_counter()
            trackers[name] = _start(x, sq_norms, name, device, ref)
            build[name] = (time.perf_counter() - t0) * 1e3
            steps[name] = _stepper(trackers[name], pick)
            steps[name]()  # untimed: first-call costs (thread pools, page faults, caches)
        except Exception as exc:  # a kernel missing here, failing its self-check, ...
            _skip(name, exc, skipped, build, trackers, steps)
    rounds: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(ROUNDS):
        for name in list(steps):
            try:
                rounds[name].append(timer(name, steps[name]))
            except Exception as exc:  # a kernel that breaks while stepping
                _skip(name, exc, skipped, build, trackers, steps)
                del rounds[name]
    timings = {name: statistics.median(r) * 1e3 for name, r in rounds.items()}
    devices: dict[str, str | None] = {}
    for name, tracker in trackers.items():
        dev = tracker._screen.device if tracker._screen is not None else None
        devices[name] = str(dev) if dev is not None else None
    winner = fastest(timings, build, expected_steps)
    best = trackers.get(winner) if winner is not None else None
    kernel = best.precision if best is not None else "float32"
    return KernelChoice(
        kernel,
        devices.get(kernel),
        timings,
        build,
        skipped,
        False,
        "",
        "",
        screen=best._screen if best is not None else None,
        devices=devices,
        fused_load_ms=fused_load_ms,
    )


def _skip(
    name: str,
    exc: Exception,
    skipped: dict[str, str],
    build: dict[str, float],
    trackers: dict[str, MinDistanceTracker],
    steps: dict[str, Callable[[], object]],
) -> None:
    """Drop candidate ``name`` (and its memory) and say why."""
    skipped[name] = f"{type(exc).__name__}: {exc}"[:200]
    for d in (build, trackers, steps):
        d.pop(name, None)  # type: ignore[attr-defined]


def _start(
    x: np.ndarray, sq_norms: np.ndarray, name: str, device: str | None, ref: MinDistanceTracker
) -> MinDistanceTracker:
    """A tracker for candidate ``name`` in the state of ``ref`` (after the warm steps)."""
    tracker = MinDistanceTracker.with_kernel(x, sq_norms, name, device)
    screen = tracker._screen
    if name == "int8" and screen is not None and screen.kernel != "qlinear":
        # the int8 screen fell back to its other kernel: that is the int8-pack candidate
        raise RuntimeError("no quantized-linear kernel here (int8 would run int8-pack)")
    tracker._min_sq[:] = ref._min_sq
    tracker._n_updates = ref._n_updates
    if screen is not None:
        screen.refresh(tracker._min_sq, None)
    return tracker


def _stepper(tracker: MinDistanceTracker, first: int) -> Callable[[], object]:
    """One greedy step per call: add the current pick, find the next."""
    pick = [first]

    def step() -> None:
        tracker.add(pick[0])
        pick[0] = tracker.farthest() or 0

    return step


def median_step_time(name: str, step: Callable[[], object]) -> float:
    """Wall time per step over ``TIMED_STEPS`` consecutive steps (one round; ``measure`` keeps
    the median of the rounds, which is what makes it robust to a busy neighbour).

    Consecutive, not single steps timed apart: a screen that computes the next few rows in
    one pass makes one step expensive and the following ones cheap, and only their mean is
    the cost of a selection.
    """
    t0 = time.perf_counter()
    for _ in range(TIMED_STEPS):
        step()
    return (time.perf_counter() - t0) / TIMED_STEPS


def _cpu_probe() -> tuple[float, float, float]:
    """(machine busy seconds, this process's CPU seconds, wall clock) now."""
    busy = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/stat") as f:
            parts = [int(v) for v in f.readline().split()[1:]]
        busy = (sum(parts) - parts[3] - parts[4]) / os.sysconf("SC_CLK_TCK")
    own = resource.getrusage(resource.RUSAGE_SELF)
    return busy, own.ru_utime + own.ru_stime, time.perf_counter()


def other_cores_since(probe: tuple[float, float, float]) -> float:
    """Average cores other processes used since ``probe`` (0 where /proc/stat is missing)."""
    busy0, own0, t0 = probe
    busy1, own1, t1 = _cpu_probe()
    if busy1 == 0.0 or t1 <= t0:
        return 0.0
    return max(0.0, (busy1 - busy0) - (own1 - own0)) / (t1 - t0)


def _load(path: Path) -> dict[str, dict[str, Any]]:
    """The cache's entries; an absent, unreadable or older-version file counts as empty."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _store(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Write atomically; a cache that cannot be written only costs the next measurement."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kcenter-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"version": CACHE_VERSION, "entries": entries}, f, indent=1)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
