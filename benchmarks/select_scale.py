"""Large DIVERSITY selections: time and peak RSS, and composable k-center against exact greedy.

Synthetic float32 embeddings (256 Gaussian clusters of different spreads), generated block by
block from fixed seeds, so every case (and every shard) sees the same rows without holding a
second copy. Each case runs in its own child process; its peak RSS (``VmHWM``, see
``peak_rss_gib``) is its own, printed with the part above what the imports alone take, and is
read before the covering radius is computed.

* exact       -- the single-machine path: the selection engine with one EMBEDDINGS ->
                 DIVERSITY entry (``MinDistanceTracker``, default precision), on the whole
                 matrix. With ``steps`` set, the tracker loop the engine runs is timed on that
                 many steps and the rest extrapolated from the second half of them (later
                 steps of the screened tracker get cheaper, so that is an upper estimate).
* composable  -- ``ml/composable_kcenter``: round 1 (``shard_centres``) on each of 10 shards,
                 generated one at a time (generation not timed), round 2 (``merge_centres``)
                 on the union. Peak RSS is one shard plus the union.

The quality figure is radius_composable / radius_exact, the covering radii (largest distance
from any row to its nearest pick, ``covering_radius``) of the two selections on the same data.
Both are greedy; greedy >= OPT and composable <= 4 OPT, so the ratio is at most 4.

    .venv/bin/python benchmarks/select_scale.py            # all cases, ~12 min on 2 cores
    .venv/bin/python benchmarks/select_scale.py --quick    # smoke run, ~30 s
    .venv/bin/python benchmarks/select_scale.py --cases a,c1
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services" / "gpu-worker" / "src"))

from winnow_gpu_worker.ml.composable_kcenter import (  # noqa: E402
    covering_radius,
    greedy_kcenter,
    merge_centres,
    shard_centres,
)
from winnow_gpu_worker.ml.kcenter import MinDistanceTracker  # noqa: E402

BLOCK_ROWS = 100_000  # rows generated per seed; shards are whole blocks
GiB = 2**30


# --------------------------------------------------------------------------- data


def _block(b: int, rows: int, d: int, seed: int) -> np.ndarray:
    centres = np.random.default_rng(seed).standard_normal((256, d), dtype=np.float32) * 4.0
    spread = np.random.default_rng(seed + 1).uniform(0.3, 1.5, 256).astype(np.float32)
    rng = np.random.default_rng((seed, b))
    label = rng.integers(0, 256, rows)
    x = rng.standard_normal((rows, d), dtype=np.float32)
    x *= spread[label, None]
    x += centres[label]
    return x


def fill_rows(start: int, stop: int, d: int, seed: int) -> np.ndarray:
    """Rows ``start:stop`` of the synthetic data set (block aligned), one block of temporaries."""
    out = np.empty((stop - start, d), dtype=np.float32)
    for b0 in range(start - start % BLOCK_ROWS, stop, BLOCK_ROWS):
        block = _block(b0 // BLOCK_ROWS, BLOCK_ROWS, d, seed)
        lo, hi = max(b0, start), min(b0 + BLOCK_ROWS, stop)
        out[lo - start : hi - start] = block[lo - b0 : hi - b0]
    return out


def shard_bounds(n: int, n_shards: int) -> list[tuple[int, int]]:
    cuts = np.linspace(0, n, n_shards + 1).astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(cuts)]


def shard_stream(n: int, d: int, seed: int, n_shards: int) -> Callable[[], Iterator[np.ndarray]]:
    return lambda: (fill_rows(a, b, d, seed) for a, b in shard_bounds(n, n_shards))


def peak_rss_gib() -> float:
    """This process's peak RSS: ``VmHWM``, the high-water mark of its own address space.

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that across ``exec`` from the forked copy
    of the parent (whose matrix for the bandwidth figure would then show up in every child).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / GiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GiB  # pragma: no cover


class OtherLoad:
    """Cores that other processes kept busy while the block ran (0 = undisturbed)."""

    @staticmethod
    def _busy() -> float:
        with open("/proc/stat") as f:
            parts = [int(v) for v in f.readline().split()[1:]]
        return (sum(parts) - parts[3] - parts[4]) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def __enter__(self) -> OtherLoad:
        self.t0, self.busy0, self.own0 = time.perf_counter(), self._busy(), self._own()
        self.cores = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        other = (self._busy() - self.busy0) - (self._own() - self.own0)
        self.cores = max(0.0, other) / wall if wall > 0 else 0.0


# --------------------------------------------------------------------------- cases (children)


def exact_engine(x: np.ndarray, k: int) -> tuple[np.ndarray, str]:
    """The pipeline's selection call: one EMBEDDINGS -> DIVERSITY entry."""
    from winnow_common.schemas.worker_config import SelectionEntry
    from winnow_gpu_worker.ml.selection import ResolvedStrategy, select

    entry = SelectionEntry.model_validate(
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
    )
    return np.asarray(select([ResolvedStrategy(entry, x)], k).indices), "engine"


def exact_steps(x: np.ndarray, k: int, steps: int, precision: str) -> dict[str, Any]:
    """Tracker loop (the engine's DIVERSITY-only fast path) on ``steps`` steps, extrapolated."""
    t0 = time.perf_counter()
    tracker = MinDistanceTracker(x, precision=precision)  # type: ignore[arg-type]
    t_build = time.perf_counter() - t0
    stamps = [time.perf_counter()]
    pick: int | None = 0
    for _ in range(steps):
        assert pick is not None
        tracker.add(pick)
        pick = tracker.farthest()
        stamps.append(time.perf_counter())
    half = steps // 2
    per_step = (stamps[-1] - stamps[half]) / (steps - half)
    measured = stamps[-1] - t0
    return {
        "seconds": t_build + per_step * (k - 1) + (stamps[half] - stamps[0]),
        "measured_s": measured,
        "build_s": t_build,
        "ms_per_step": per_step * 1e3,
        "steps": steps,
        "extrapolated": True,
        "precision": tracker.precision,
    }


def case_exact(spec: dict[str, Any]) -> dict[str, Any]:
    n, d, k, seed = spec["n"], spec["d"], spec["k"], spec["seed"]
    import torch  # noqa: F401 - the worker has it loaded long before selection; not timed

    out: dict[str, Any] = {"baseline_rss_gib": peak_rss_gib()}
    x = fill_rows(0, n, d, seed)
    out["matrix_gib"] = x.nbytes / GiB
    precision = spec.get("precision") or "auto"
    if spec.get("steps"):
        with OtherLoad() as load:
            out |= exact_steps(x, k, spec["steps"], precision)
        out["peak_rss_gib"] = peak_rss_gib()
        out["other_cores"] = load.cores
        return out
    t0 = time.perf_counter()
    with OtherLoad() as load:
        if precision == "auto":
            picks, path = exact_engine(x, k)
        else:  # the engine has no precision setting; greedy_kcenter picks what it picks
            picks, path = greedy_kcenter(x, k, precision=precision), f"greedy ({precision})"
    out |= {"seconds": time.perf_counter() - t0, "path": path, "extrapolated": False}
    out["other_cores"] = load.cores
    out["peak_rss_gib"] = peak_rss_gib()
    t0 = time.perf_counter()
    out["radius"] = covering_radius(x, x[picks])
    out["radius_s"] = time.perf_counter() - t0
    np.save(spec["picks_path"], picks)
    return out


def case_composable(spec: dict[str, Any]) -> dict[str, Any]:
    n, d, k, seed, n_shards = spec["n"], spec["d"], spec["k"], spec["seed"], spec["shards"]
    tau = spec.get("tau") or k
    precision = spec.get("precision") or "auto"
    import torch  # noqa: F401

    baseline = peak_rss_gib()
    parts = []
    round1 = []
    with OtherLoad() as load:
        for a, b in shard_bounds(n, n_shards):
            x = fill_rows(a, b, d, seed)  # stands in for reading the shard; not timed
            t0 = time.perf_counter()
            parts.append(shard_centres(x, tau, offset=a, precision=precision))
            round1.append(time.perf_counter() - t0)
            del x
        t0 = time.perf_counter()
        picks = merge_centres(parts, k, precision=precision)
        t_round2 = time.perf_counter() - t0
    out: dict[str, Any] = {
        "seconds": sum(round1) + t_round2,
        "round1_s": round1,
        "round2_s": t_round2,
        "union_rows": int(sum(len(p.ids) for p in parts)),
        "shard_gib": (n // n_shards) * d * 4 / GiB,
        "peak_rss_gib": peak_rss_gib(),
        "baseline_rss_gib": baseline,
        "other_cores": load.cores,
    }
    # Centre vectors by global id, gathered from the parts (every pick is a round-1 centre).
    by_id = {int(i): v for p in parts for i, v in zip(p.ids, p.vectors, strict=True)}
    centres = np.stack([by_id[int(i)] for i in picks])
    t0 = time.perf_counter()
    out["radius"] = covering_radius(shard_stream(n, d, seed, n_shards), centres)
    out["radius_s"] = time.perf_counter() - t0
    exact_path = spec.get("exact_picks")
    if exact_path and Path(exact_path).exists():
        exact = np.load(exact_path)
        out["overlap_with_exact"] = len(set(exact.tolist()) & set(picks.tolist())) / len(exact)
    return out


# --------------------------------------------------------------------------- parent


def run_child(spec: dict[str, Any], fallback: str) -> dict[str, Any] | None:
    """One case in a fresh process; a crash with ``auto`` is reported and rerun with ``fallback``.

    (The int8 screen's quantized-linear kernel segfaults while it is built for 2^23 rows or
    more; ``auto`` measures every kernel, so it crashes there too.)
    """
    cmd = [sys.executable, __file__, "--child", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 0:
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        return result
    tail = proc.stderr.strip().splitlines()[-3:]
    print(
        f"  {spec['name']}: CRASHED (exit {proc.returncode}) with precision "
        f"{spec.get('precision') or 'auto'}; stderr tail: {tail}",
        flush=True,
    )
    if spec.get("precision") in (None, "auto") and fallback:
        print(f"  {spec['name']}: rerun with precision={fallback}", flush=True)
        return run_child({**spec, "precision": fallback}, "")
    return None


def read_bandwidth_gbs() -> float:
    """float32 read rate of ``x @ c`` over 512 MiB (best of 5): one k-center step's pass."""
    x = np.ones((2**22, 32), dtype=np.float32)
    c = np.ones(32, dtype=np.float32)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        x @ c
        best = min(best, time.perf_counter() - t0)
    return x.nbytes / best / 1e9


def environment() -> str:
    import torch

    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GiB
    model = "?"
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"  {model}; cores {os.cpu_count()}; memory {mem_gib:.1f} GiB; "
        f"float32 read bandwidth (x @ c, 512 MiB) {read_bandwidth_gbs():.1f} GB/s\n"
        f"  python {sys.version.split()[0]}, numpy {np.__version__}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads, {torch.backends.cpu.get_cpu_capability()})"
    )


def plan(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """Cases by name; each is one or more child specs. Sizes shrink with --quick.

    a and b are the issue's sizes (k = 10,000), timed on ``--steps`` steps and extrapolated
    unless ``--full``. c1 and c2 run the exact greedy and the composable one in full on the
    same data, with the smaller ``--k-ratio`` so that both finish in a few minutes.
    """
    q = args.quick
    big = {"n": 50_000 if q else 1_000_000, "d": 128}
    tall = {"n": 500_000 if q else 10_000_000, "d": 32}
    common = {"seed": args.seed, "shards": args.shards}
    k = 500 if q else 10_000
    steps = None if args.full else min(args.steps, k - 1)
    k1, k2 = (200, 100) if q else (args.k_ratio, args.k_ratio_tall)
    cases: dict[str, list[dict[str, Any]]] = {
        "a": [{"name": "a", "kind": "exact", **big, **common, "k": k, "steps": steps}],
        "b": [{"name": "b", "kind": "exact", **tall, **common, "k": k, "steps": steps}],
    }
    for name, shape, kr in (("c1", big, k1), ("c2", tall, k2)):
        npy = str(Path(args.tmp) / f"select_scale_{name}.npy")
        exact = {"name": f"{name} exact", "kind": "exact", **shape, **common, "k": kr}
        comp = {**exact, "kind": "composable", "exact_picks": npy}
        cases[name] = [
            {**exact, "picks_path": npy},
            {**comp, "name": f"{name} tau=k"},
            {**comp, "name": f"{name} tau=2k", "tau": 2 * kr},
        ]
    return cases


def describe(spec: dict[str, Any], r: dict[str, Any]) -> str:
    size = f"{spec['n']:,} x {spec['d']} ({spec['n'] * spec['d'] * 4 / 1e9:.2f} GB)"
    if spec["kind"] == "exact":
        how = f"{r.get('path', 'engine')} DIVERSITY, full run"
        if r.get("extrapolated"):
            how = (
                f"tracker loop ({r['precision']}), {r['steps']} steps timed in "
                f"{r['measured_s']:.1f} s ({r['ms_per_step']:.1f} ms/step), EXTRAPOLATED to k"
            )
        return f"exact greedy, {size}, k={spec['k']:,}: {how}"
    per = np.array(r["round1_s"])
    return (
        f"composable, {size} in {spec['shards']} shards of {r['shard_gib']:.3f} GiB, "
        f"k={spec['k']:,}, tau={spec.get('tau') or spec['k']:,}: round 1 {per.sum():.1f} s "
        f"({per.mean():.1f} s/shard), round 2 over {r['union_rows']:,} rows {r['round2_s']:.1f} s"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    p.add_argument("--cases", default="a,b,c1,c2", help="comma-separated: a, b, c1, c2")
    p.add_argument("--steps", type=int, default=200, help="steps timed in cases a and b")
    p.add_argument("--full", action="store_true", help="run a and b to k, no extrapolation")
    p.add_argument("--k-ratio", type=int, default=1_000, help="k of case c1 (1M x 128)")
    p.add_argument("--k-ratio-tall", type=int, default=300, help="k of case c2 (10M x 32)")
    p.add_argument("--shards", type=int, default=10)
    p.add_argument(
        "--fallback", default="float32", help="precision to rerun a case with if auto crashes"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tmp", default="/tmp")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        spec = json.loads(args.child)
        fn = case_exact if spec["kind"] == "exact" else case_composable
        print(json.dumps(fn(spec)))
        return

    print("Machine:")
    print(environment(), flush=True)
    cases = plan(args)
    results: dict[str, dict[str, Any]] = {}
    for name in args.cases.split(","):
        print(f"\ncase {name}:", flush=True)
        for spec in cases[name]:
            t0 = time.perf_counter()
            r = run_child(spec, args.fallback)
            if r is None:
                continue
            results[spec["name"]] = r
            print(f"  {describe(spec, r)}")
            radius = f", covering radius {r['radius']:.4f}" if "radius" in r else ""
            print(
                f"    time {r['seconds']:.1f} s{' (extrapolated)' if r.get('extrapolated') else ''}"
                f", peak RSS {r['peak_rss_gib']:.2f} GiB "
                f"({r['peak_rss_gib'] - r['baseline_rss_gib']:.2f} above the "
                f"{r['baseline_rss_gib']:.2f} after imports){radius} "
                f"[child wall {time.perf_counter() - t0:.0f} s; other processes used "
                f"{r['other_cores']:.2f} of {os.cpu_count()} cores meanwhile]",
                flush=True,
            )
            exact = results.get(f"{name} exact")
            if spec["kind"] == "composable" and exact and "radius" in exact:
                print(
                    f"    radius composable / exact = {r['radius'] / exact['radius']:.3f}, "
                    f"time {r['seconds'] / exact['seconds']:.2f}x, "
                    f"peak RSS {r['peak_rss_gib'] / exact['peak_rss_gib']:.2f}x the exact run"
                    + (
                        f", picks shared with exact {r['overlap_with_exact']:.1%}"
                        if "overlap_with_exact" in r
                        else ""
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main()
