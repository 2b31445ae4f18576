"""``precision="auto"``: the kernel is picked by measuring, cached per machine, and every
kernel (the torch "device" path on the CPU included) selects what the float32 reference does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.gpu_worker.kcenter_greedy import greedy
from winnow_gpu_worker.ml import kcenter, kcenter_screen, kcenter_tune
from winnow_gpu_worker.ml.kcenter import KERNELS, MinDistanceTracker


def _data(n: int = 4000, d: int = 32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def _norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def _fake(ms: dict[str, float], calls: list[str] | None = None) -> kcenter_tune.Timer:
    """A timer that runs the step once (so a broken kernel still breaks) and reports ``ms``."""

    def timer(name: str, step: Callable[[], object]) -> float:
        step()
        if calls is not None:
            calls.append(name)
        return ms[name] / 1e3

    return timer


def _never(name: str, step: Callable[[], object]) -> float:
    raise AssertionError(f"measured {name} although the cache should have answered")


@pytest.mark.parametrize(
    ("precision", "device"),
    [(k, None) for k in KERNELS] + [("bfloat16", "cpu")],
)
def test_every_kernel_selects_the_float32_reference(precision: str, device: str | None) -> None:
    x = _data(6000, 48, seed=1)
    ref = greedy(MinDistanceTracker(x, precision="float32"), 120)
    t = MinDistanceTracker(x, precision=precision, device=device)  # type: ignore[arg-type]
    assert t.precision == precision
    assert greedy(t, 120) == ref
    t_min = t.min_sq_distance
    r = MinDistanceTracker(x, precision="float32")
    for i in ref[:-1]:
        r.add(i)
    tol = 4e-6 * float(_norms(x).max())
    np.testing.assert_allclose(t_min, r.min_sq_distance, rtol=0, atol=tol)


def test_the_device_path_runs_on_the_cpu_with_device_side_copies() -> None:
    # bfloat16 goes through the same code as on a GPU: its screening state lives in separate
    # torch tensors on the device, kept in step with the host arrays by refresh().
    x = _data(3000, 24, seed=2)
    t = MinDistanceTracker(x, precision="bfloat16", device="cpu")
    screen = t._screen
    assert screen is not None and screen.device is not None and screen.device.type == "cpu"
    assert t.kernel == "bfloat16/bf16mm@cpu"
    assert screen._h_t.data_ptr() != screen._h.ctypes.data  # a copy, as on a GPU
    greedy(t, 40)
    assert t.rows_recomputed < 0.5 * len(x) * 40  # the screen skipped rows
    h_host = screen._h.copy()
    np.testing.assert_array_equal(screen._h_t.numpy(), h_host)


@pytest.mark.parametrize("fastest", KERNELS)
def test_measure_picks_the_fastest_candidate(fastest: str) -> None:
    x = _data()
    ms = {name: 10.0 + i for i, name in enumerate(KERNELS)}
    ms[fastest] = 0.5
    calls: list[str] = []
    choice = kcenter_tune.measure(x, _norms(x), timer=_fake(ms, calls))
    assert choice.kernel == fastest
    assert choice.skipped == {}, choice.skipped  # everything runs on this CPU
    assert calls == list(KERNELS) * kcenter_tune.ROUNDS  # interleaved rounds
    assert choice.timings_ms == pytest.approx(ms)
    assert fastest in choice.reason()
    # a screened winner hands its built screening copy to the tracker
    screen = choice.take_screen()
    assert (screen is not None) == (fastest in ("int8", "int8-pack", "bfloat16"))
    assert choice.take_screen() is None  # once


def test_auto_tracker_measures_once_then_reads_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kcenter, "AUTO_MIN_BYTES", 0)
    x = _data(5000, 32, seed=3)
    ms = {"float32": 3.0, "float32-torch": 2.5, "int8": 2.0, "int8-pack": 1.8, "bfloat16": 0.9}
    calls: list[str] = []
    monkeypatch.setattr(kcenter_tune, "median_step_time", _fake(ms, calls))
    first = MinDistanceTracker(x)
    assert first.precision == "bfloat16" and first.choice is not None
    assert not first.choice.cached and len(calls) == len(KERNELS) * kcenter_tune.ROUNDS
    path = tmp_path / "winnow" / "kcenter_kernels.json"
    data = json.loads(path.read_text())
    key = kcenter_tune.machine_key(None)
    entry = data["entries"][key][kcenter_tune.shape_class(x)]
    assert entry["kernel"] == "bfloat16" and entry["timings_ms"] == pytest.approx(ms)

    monkeypatch.setattr(kcenter_tune, "median_step_time", _never)
    second = MinDistanceTracker(x)
    assert second.precision == "bfloat16" and second.choice is not None
    assert second.choice.cached
    assert "cached" in second.choice.reason()
    ref = greedy(MinDistanceTracker(x, precision="float32"), 60)
    assert greedy(first, 60) == ref
    assert greedy(second, 60) == ref


def test_cache_is_per_machine_and_size_class(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "k.json"
    x = _data()
    ms = {name: 5.0 for name in KERNELS} | {"int8-pack": 1.0}
    first = kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_fake(ms))
    assert first.kernel == "int8-pack" and not first.cached
    again = kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_never)
    assert again.cached and again.kernel == "int8-pack"

    # another CPU: its own measurement (and the first machine's entry stays)
    real = kcenter_tune.machine_facts
    monkeypatch.setattr(
        kcenter_tune, "machine_facts", lambda device: real(device) | {"cpu": "Other CPU"}
    )
    ms2 = ms | {"int8-pack": 9.0, "float32": 0.1}
    calls: list[str] = []
    other = kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_fake(ms2, calls))
    assert not other.cached and other.kernel == "float32" and calls
    assert len(json.loads(cache.read_text())["entries"]) == 2

    # a matrix of another size class is measured, not answered from this one's entry
    big = _data(4 * len(x), x.shape[1])
    assert kcenter_tune.shape_class(big) != kcenter_tune.shape_class(x)
    calls.clear()
    kcenter_tune.choose_kernel(big, _norms(big), cache_path=cache, timer=_fake(ms2, calls))
    assert calls


def test_a_broken_or_missing_kernel_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _data()
    real_init = kcenter_screen.Screen._init_bf16

    def corrupt(self: kcenter_screen.Screen, x: np.ndarray) -> None:
        real_init(self, x)
        self._xb.mul_(1.05)  # a kernel that computes something else than its bound assumes

    def missing(self: kcenter_screen.Screen, x: np.ndarray) -> int:
        raise kcenter_screen.KernelUnavailable("no int8pack here")

    monkeypatch.setattr(kcenter_screen.Screen, "_init_bf16", corrupt)
    monkeypatch.setattr(kcenter_screen.Screen, "_init_int8pack", missing)
    ms = {"float32": 4.0, "float32-torch": 3.0, "int8": 2.0, "int8-pack": 0.1, "bfloat16": 0.1}

    def timer(name: str, step: Callable[[], object]) -> float:
        if name == "int8":
            raise RuntimeError("kernel crashed while stepping")
        return _fake(ms)(name, step)

    choice = kcenter_tune.measure(x, _norms(x), timer=timer)
    assert choice.kernel == "float32-torch"
    assert set(choice.skipped) == {"int8", "int8-pack", "bfloat16"}
    assert "error bound" in choice.skipped["bfloat16"]
    assert "no int8pack" in choice.skipped["int8-pack"]
    assert "crashed" in choice.skipped["int8"]
    assert "skipped" in choice.reason()


def test_int8_without_its_quantized_kernel_is_not_measured_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable(self: object, x: np.ndarray) -> int:
        raise kcenter_screen.KernelUnavailable

    monkeypatch.setattr(kcenter_screen.Screen, "_init_qlinear", unavailable)
    x = _data()
    ms = {name: 1.0 for name in KERNELS}
    choice = kcenter_tune.measure(x, _norms(x), timer=_fake(ms))
    assert "int8" in choice.skipped and "int8-pack" in choice.timings_ms


def test_nothing_runs_then_float32_and_an_unwritable_cache_is_harmless(tmp_path: Path) -> None:
    x = _data(2000, 16)

    def broken(name: str, step: Callable[[], object]) -> float:
        raise RuntimeError("down")

    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    choice = kcenter_tune.choose_kernel(
        x, _norms(x), cache_path=blocked / "k.json", timer=broken, candidates=("int8", "bfloat16")
    )
    assert choice.kernel == "float32" and set(choice.skipped) == {"int8", "bfloat16"}


def test_a_corrupt_or_old_cache_file_is_measured_over(tmp_path: Path) -> None:
    cache = tmp_path / "k.json"
    x = _data(2000, 16)
    ms = {name: 1.0 + i for i, name in enumerate(KERNELS)}
    for text in ("{not json", json.dumps({"version": 0, "entries": {}})):
        cache.write_text(text)
        calls: list[str] = []
        kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_fake(ms, calls))
        assert calls
        assert json.loads(cache.read_text())["version"] == kcenter_tune.CACHE_VERSION


def test_build_time_counts_against_the_expected_steps() -> None:
    step_ms = {"float32": 1.0, "int8": 0.5}
    build_ms = {"float32": 0.0, "int8": 300.0}
    assert kcenter_tune.fastest(step_ms, build_ms, 100) == "float32"
    assert kcenter_tune.fastest(step_ms, build_ms, 1000) == "int8"
    assert kcenter_tune.fastest({}, {}, 10) is None


def _measured_once(cache: Path, x: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """The cache file's data after one measurement (every kernel 5 ms, int8-pack 4 ms), and
    the entry for ``x``."""
    ms = {name: 5.0 for name in KERNELS} | {"int8-pack": 4.0}
    kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_fake(ms))
    data = json.loads(cache.read_text())
    return data, data["entries"][kcenter_tune.machine_key(None)][kcenter_tune.shape_class(x)]


def test_a_cached_choice_is_redone_for_another_selection_length(tmp_path: Path) -> None:
    cache = tmp_path / "k.json"
    x = _data()
    data, entry = _measured_once(cache, x)
    entry["build_ms"] = {name: 0.0 for name in KERNELS} | {"int8-pack": 1000.0}
    cache.write_text(json.dumps(data))
    short = kcenter_tune.choose_kernel(
        x, _norms(x), cache_path=cache, timer=_never, expected_steps=10
    )
    long = kcenter_tune.choose_kernel(
        x, _norms(x), cache_path=cache, timer=_never, expected_steps=10_000
    )
    assert short.cached and short.kernel == "float32"  # the first of the 5 ms ones
    assert long.cached and long.kernel == "int8-pack"


def test_a_measurement_under_load_is_kept_only_briefly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "k.json"
    x = _data()
    ms = {name: 5.0 for name in KERNELS} | {"bfloat16": 1.0}
    monkeypatch.setattr(kcenter_tune, "other_cores_since", lambda probe: 1.5)
    busy = kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_fake(ms))
    assert busy.other_cores == 1.5 and "kept briefly" in busy.reason()
    again = kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_never)
    assert again.cached and again.kernel == "bfloat16"

    data = json.loads(cache.read_text())
    entry = data["entries"][kcenter_tune.machine_key(None)][kcenter_tune.shape_class(x)]
    assert entry["expires"] is not None
    entry["expires"] -= kcenter_tune.BUSY_TTL_S + 1  # the brief stay is over
    cache.write_text(json.dumps(data))
    monkeypatch.setattr(kcenter_tune, "other_cores_since", lambda probe: 0.0)
    calls: list[str] = []
    quiet = kcenter_tune.choose_kernel(x, _norms(x), cache_path=cache, timer=_fake(ms, calls))
    assert calls and not quiet.cached
    data = json.loads(cache.read_text())
    entry = data["entries"][kcenter_tune.machine_key(None)][kcenter_tune.shape_class(x)]
    assert entry["expires"] is None  # measured on a quiet machine: kept


def test_loading_the_compiled_step_counts_for_a_process_that_has_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short selection in a new process does not pay for loading the host screens' step."""
    from winnow_gpu_worker.ml import kcenter_fused

    cache = tmp_path / "k.json"
    x = _data()
    data, entry = _measured_once(cache, x)
    # measured in a child process, where the step came from numba's cache
    assert entry["fused_load_ms"] == pytest.approx(kcenter_fused.load_ms(), abs=1e-3)
    assert entry["fused_load_ms"] > 0.0
    entry["build_ms"] = {name: 0.0 for name in KERNELS}
    entry["fused_load_ms"] = 200.0
    cache.write_text(json.dumps(data))

    def choose(steps: int) -> str:
        choice = kcenter_tune.choose_kernel(
            x, _norms(x), cache_path=cache, timer=_never, expected_steps=steps
        )
        assert choice.cached
        return choice.kernel

    monkeypatch.setattr(kcenter_fused, "_tried", False)  # as in a process that has not loaded it
    assert choose(100) == "float32"  # 100 * 5 ms < 200 ms + 100 * 4 ms
    assert choose(1000) == "int8-pack"  # 1000 * 5 ms > 200 ms + 1000 * 4 ms
    monkeypatch.setattr(kcenter_fused, "_tried", True)  # loaded: nothing more to pay
    assert choose(100) == "int8-pack"


def test_a_short_selection_takes_float32_without_measuring(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Passes that read less than AUTO_MIN_WORK_BYTES in all: no measurement, no cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kcenter, "AUTO_MIN_BYTES", 0)
    x = _data(5000, 32, seed=3)  # 640 kB
    monkeypatch.setattr(kcenter, "AUTO_MIN_WORK_BYTES", 100 * x.nbytes)
    monkeypatch.setattr(kcenter_tune, "median_step_time", _never)
    short = MinDistanceTracker(x, expected_steps=99)
    assert short.precision == "float32" and short.choice is None
    assert not (tmp_path / "winnow").exists()
    ms = {"float32": 3.0, "float32-torch": 2.5, "int8": 2.0, "int8-pack": 1.8, "bfloat16": 0.9}
    monkeypatch.setattr(kcenter_tune, "median_step_time", _fake(ms))
    long = MinDistanceTracker(x, expected_steps=100)  # 100 passes: measured
    assert long.choice is not None and long.precision == "bfloat16"


def test_the_load_time_is_measured_before_the_quiet_check_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child process that times loading the compiled step must not count as other load
    (the measurement would be kept only briefly and be redone)."""
    from winnow_gpu_worker.ml import kcenter_fused

    order: list[str] = []
    real_probe = kcenter_tune._cpu_probe
    monkeypatch.setattr(kcenter_fused, "_load_ms", None)
    monkeypatch.setattr(kcenter_fused, "_measure_load_ms", lambda: order.append("load") or 250.0)
    monkeypatch.setattr(kcenter_tune, "_cpu_probe", lambda: order.append("probe") or real_probe())
    x = _data()
    ms = {name: 5.0 for name in KERNELS}
    choice = kcenter_tune.choose_kernel(
        x, _norms(x), cache_path=tmp_path / "k.json", timer=_fake(ms)
    )
    assert order[0] == "load" and order.count("load") == 1 and "probe" in order
    assert choice.fused_load_ms == 250.0
