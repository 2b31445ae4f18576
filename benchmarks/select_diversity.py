"""k-center greedy (DIVERSITY) on the CPU: MinDistanceTracker against NumPy references.

Runs in one process, on one random matrix (standard normal float32, seed 0, or Gaussian
clusters with ``--data clusters``):

* textbook   -- per step ``np.linalg.norm(x - c, axis=1)`` and a min-update (issue ref 18.7 s)
* matvec     -- per step ``sq_norms - 2 x @ c + |c|^2`` in NumPy float32 (issue ref 2.33 s); this
                is the float32 reference selection every overlap is measured against
* bound      -- k passes that only read the float32 matrix (the fastest of NumPy ``x @ c`` and
                ``torch.mv``): the float32 memory-bandwidth bound of any per-step full pass
* tracker    -- ``MinDistanceTracker`` with every kernel (float32, float32-torch, int8, int8-pack,
                bfloat16; bfloat16 on the GPU too when CUDA is available) and with ``auto``
                (construction included), driven exactly like the DIVERSITY-only selection

``auto`` picks its kernel by measuring a few steps of each at start-up (``ml/kcenter_tune.py``)
and caches the choice per machine. The benchmark points the cache at a fresh temporary folder,
so the first ``auto`` run of each size measures (its time includes that; printed separately)
and the later rounds read the cache, as every later selection on a machine does.

Every method runs ``--rounds`` times, interleaved, and the table shows the fastest round (the
one least disturbed by other processes; the median is printed too). Then a large case
(default N=1,000,000, k=10,000) runs the default tracker in a fresh child process and reports
its time and peak RSS (``resource.getrusage``), with the float32 references there timed on a
few hundred steps and extrapolated (every step of those costs the same).

    .venv/bin/python benchmarks/select_diversity.py            # full run, several minutes
    .venv/bin/python benchmarks/select_diversity.py --quick    # smoke run, well under 30 s
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services" / "gpu-worker" / "src"))

from winnow_common.schemas.worker_config import SelectionEntry  # noqa: E402
from winnow_gpu_worker.ml import kcenter_tune  # noqa: E402
from winnow_gpu_worker.ml.kcenter import KERNELS, MinDistanceTracker  # noqa: E402

Selection = list[int]


# --------------------------------------------------------------------------- data


def make_data(n: int, d: int, kind: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        return rng.standard_normal((n, d), dtype=np.float32)
    if kind == "clusters":  # 256 Gaussian blobs of different spreads, like class embeddings
        centres = rng.standard_normal((256, d), dtype=np.float32) * 4.0
        label = rng.integers(0, len(centres), n)
        spread = rng.uniform(0.3, 1.5, len(centres)).astype(np.float32)
        x = rng.standard_normal((n, d), dtype=np.float32)
        x *= spread[label, None]
        x += centres[label]
        return x
    raise ValueError(kind)


# --------------------------------------------------------------------------- methods


def textbook(x: np.ndarray, k: int) -> Selection:
    min_dist = np.full(len(x), np.inf, dtype=np.float32)
    sel = [0]
    while len(sel) < k:
        d = np.linalg.norm(x - x[sel[-1]], axis=1)
        np.minimum(min_dist, d, out=min_dist)
        min_dist[sel[-1]] = -np.inf
        sel.append(int(np.argmax(min_dist)))
    return sel


def matvec(x: np.ndarray, k: int) -> Selection:
    sq_norms = np.einsum("ij,ij->i", x, x)
    min_sq = np.full(len(x), np.inf, dtype=np.float32)
    sel = [0]
    while len(sel) < k:
        i = sel[-1]
        d = sq_norms - 2.0 * (x @ x[i]) + sq_norms[i]
        np.maximum(d, 0.0, out=d)
        np.minimum(min_sq, d, out=min_sq)
        min_sq[i] = -np.inf
        sel.append(int(np.argmax(min_sq)))
    return sel


def read_passes_numpy(x: np.ndarray, k: int) -> None:
    c = x[0].copy()
    for _ in range(k - 1):
        x @ c


def read_passes_torch(x: np.ndarray, k: int) -> None:
    import torch

    xt = torch.from_numpy(x)
    c = xt[0].clone()
    out = torch.empty(len(x))
    for _ in range(k - 1):
        torch.mv(xt, c, out=out)


def tracker(precision: str, device: str | None = None) -> Callable[[np.ndarray, int], Selection]:
    """Greedy selection driven through MinDistanceTracker, as the DIVERSITY-only selection does."""

    def run(x: np.ndarray, k: int) -> Selection:
        t = MinDistanceTracker(x, precision=precision, device=device)  # type: ignore[arg-type]
        sel = [0]
        while len(sel) < k:
            t.add(sel[-1])
            nxt = t.farthest()
            assert nxt is not None
            sel.append(nxt)
        run.rows_recomputed = t.rows_recomputed  # type: ignore[attr-defined]
        run.resolved = t.kernel  # type: ignore[attr-defined]
        if t.choice is not None:
            run.choice = t.choice  # type: ignore[attr-defined]
        return sel

    return run


def engine(x: np.ndarray, k: int) -> Selection:
    """The pipeline's path: ``selection.select`` with one EMBEDDINGS -> DIVERSITY entry."""
    from winnow_gpu_worker.ml.selection import ResolvedStrategy, select

    entry = SelectionEntry.model_validate(
        {"input": {"type": "EMBEDDINGS"}, "strategy": {"type": "DIVERSITY"}}
    )
    return select([ResolvedStrategy(entry, x)], k).indices


# --------------------------------------------------------------------------- measuring


def cpu_busy_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, to tell how much else ran meanwhile."""
    with open("/proc/stat") as f:
        parts = [int(v) for v in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def own_cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


class LoadMeter:
    """Average number of cores used by other processes while the block ran."""

    def __enter__(self) -> LoadMeter:
        self.busy0, _ = cpu_busy_jiffies()
        self.own0 = own_cpu_seconds()
        self.t0 = time.perf_counter()
        self.other_cores = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        busy1, _ = cpu_busy_jiffies()
        wall = time.perf_counter() - self.t0
        busy = (busy1 - self.busy0) / os.sysconf("SC_CLK_TCK")
        own = own_cpu_seconds() - self.own0
        self.other_cores = max(0.0, busy - own) / wall if wall > 0 else 0.0


def wait_quiet(max_s: float, idle_s: float = 1.0) -> float:
    """Wait (at most ``max_s``) until other processes left the CPUs idle for ``idle_s``.

    On a shared machine this keeps other people's jobs out of the measurements; on a quiet one
    it returns after ``idle_s``. Returns the seconds waited.
    """
    t0 = time.perf_counter()
    time.sleep(0.2)  # let spinning BLAS / OpenMP threads of the previous run go to sleep
    while time.perf_counter() - t0 < max_s:
        b0, t_0 = cpu_busy_jiffies()
        time.sleep(idle_s)
        b1, t_1 = cpu_busy_jiffies()
        if (b1 - b0) <= 0.05 * (t_1 - t_0):
            break
    return time.perf_counter() - t0


def timed(f: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def overlap(a: Selection, b: Selection) -> float:
    return len(set(a) & set(b)) / len(b)


def environment() -> str:
    lines = [f"python {sys.version.split()[0]}, numpy {np.__version__}"]
    try:
        import torch

        lines.append(
            f"torch {torch.__version__} ({torch.get_num_threads()} threads, "
            f"{torch.backends.cpu.get_cpu_capability()})"
        )
    except ImportError:
        lines.append("torch: not installed")
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                lines.append(
                    f"numpy BLAS {info.get('internal_api')} {info.get('version')} "
                    f"kernel={info.get('architecture')} threads={info.get('num_threads')}"
                )
    except ImportError:
        pass
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    lines.append(f"cores {os.cpu_count()}, env {env or '{}'}")
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name"))
        lines.append(model)
    except (OSError, StopIteration):
        pass
    return "\n".join("  " + s for s in lines)


# --------------------------------------------------------------------------- main parts


def candidate_methods() -> dict[str, Callable[[np.ndarray, int], object]]:
    methods: dict[str, Callable[[np.ndarray, int], object]] = {
        "matvec": matvec,
        "bound numpy x@c": read_passes_numpy,
        "bound torch mv": read_passes_torch,
    }
    for kernel in KERNELS:
        methods[f"tracker {kernel}"] = tracker(kernel)
    # the GPU's code path (device-side copies of the screen's state), here on the CPU
    methods["tracker bfloat16 device path"] = tracker("bfloat16", "cpu")
    try:
        import torch

        if torch.cuda.is_available():
            methods["tracker bfloat16 cuda"] = tracker("bfloat16", "cuda")
    except ImportError:
        pass
    methods["tracker auto"] = tracker("auto")
    methods["engine (pipeline)"] = engine
    return methods


def run_main(args: argparse.Namespace) -> None:
    n, k, d = args.n, args.k, args.d
    x = make_data(n, d, args.data)
    print(f"\nN={n:,} d={d} k={k:,} data={args.data}: {x.nbytes / 1e6:.1f} MB float32 matrix")
    methods = candidate_methods()
    runs: dict[str, list[tuple[float, float]]] = {}  # (seconds, other cores meanwhile)
    sels: dict[str, Selection] = {}
    info: dict[str, dict[str, object]] = {}

    def measure(name: str, f: Callable[[np.ndarray, int], object]) -> None:
        wait_quiet(args.wait_quiet)
        with LoadMeter() as load:
            t, out = timed(lambda: f(x, k))
        runs.setdefault(name, []).append((t, load.other_cores))
        if isinstance(out, list):
            sels[name] = out
        if hasattr(f, "rows_recomputed"):
            info[name] = {"recomputed": f.rows_recomputed, "resolved": f.resolved}
        if hasattr(f, "choice") and "first" not in info.setdefault(name + " choice", {}):
            info[name + " choice"] = {"first": t, "choice": f.choice}

    if not args.skip_textbook:
        measure("textbook", textbook)
        print(f"  textbook: {runs['textbook'][0][0]:.2f} s", flush=True)
    for r in range(args.rounds):
        for name, f in methods.items():
            measure(name, f)
        print(f"  round {r + 1}/{args.rounds} done", flush=True)
    print_table(args, x, methods, runs, sels, info)


def print_table(
    args: argparse.Namespace,
    x: np.ndarray,
    methods: dict[str, object],
    runs: dict[str, list[tuple[float, float]]],
    sels: dict[str, Selection],
    info: dict[str, dict[str, object]],
) -> None:
    k = args.k
    gb_per_pass = x.nbytes / 1e9
    best = {m: min(v) for m, v in runs.items()}  # fastest run, with its load
    t_best = {m: v[0] for m, v in best.items()}
    ref = sels["matvec"]
    bound_name = min(("bound numpy x@c", "bound torch mv"), key=t_best.__getitem__)
    bound = t_best[bound_name]
    print(
        f"\nfloat32 read bandwidth of this machine: {gb_per_pass * (k - 1) / bound:.1f} GB/s "
        f"({bound_name}, {k - 1} passes over {gb_per_pass * 1e3:.1f} MB: {bound:.3f} s = the "
        f"float32 bound)"
    )
    print(
        f"{'method':40s} {'best s':>7s} {'median':>7s} {'ms/step':>7s} {'GB/s*':>6s} "
        f"{'t/textbk':>8s} {'t/matvec':>8s} {'t/bound':>7s} {'overlap':>7s} {'same':>4s} "
        f"{'recomp':>6s} {'load':>4s}"
    )
    for m in ["textbook", *methods]:
        if m not in runs:
            continue
        b, other = best[m]
        med = statistics.median(t for t, _ in runs[m])
        tb = f"{b / t_best['textbook']:8.3f}" if "textbook" in t_best else f"{'-':>8s}"
        ov = f"{overlap(sels[m], ref):7.4f}" if m in sels else f"{'-':>7s}"
        same = ("yes" if sels[m] == ref else "no") if m in sels else "-"
        rec = info.get(m, {}).get("recomputed")
        rc = f"{rec / (k - 1):6.0f}" if isinstance(rec, int) else f"{'-':>6s}"
        label = m + (f" ({info[m]['resolved']})" if m in info else "")
        print(
            f"{label:40s} {b:7.3f} {med:7.3f} {b / (k - 1) * 1e3:7.3f} "
            f"{gb_per_pass * (k - 1) / b:6.1f} {tb} {b / t_best['matvec']:8.3f} "
            f"{b / bound:7.3f} {ov} {same:>4s} {rc} {other:4.2f}"
        )
    print(
        f"best = fastest of {args.rounds} interleaved runs (textbook: 1 run); t/X = time ratio, "
        f"below 1 is faster than X;\n"
        f"* GB/s = (k-1) passes x {gb_per_pass * 1e3:.1f} MB float32 / time (float32-equivalent "
        f"rate);\n"
        f"overlap/same: set overlap with / identical to the matvec (float32) selection; "
        f"recomp: rows recomputed in float32 per step;\n"
        f"load: cores other processes used during that best run (0 = undisturbed)."
    )
    first = info.get("tracker auto choice", {})
    choice = first.get("choice")
    if isinstance(choice, kcenter_tune.KernelChoice):
        print(f"\nauto chose {choice.reason()}")
        print(
            f"  first auto run, measuring included: {first['first']:.3f} s "
            f"({first['first'] / bound:.3f}x the bound); later runs read the cache"
        )
    t_auto = t_best["tracker auto"]
    goal = "met" if t_auto <= 0.5 * bound else "NOT met"
    print(
        f"tracker auto / float32 bound = {t_auto / bound:.3f} (goal <= 0.5: {goal}); "
        f"picks equal to the float32 reference: {'yes' if sels['tracker auto'] == ref else 'no'}"
        f" (engine: {'yes' if sels['engine (pipeline)'] == ref else 'no'})"
    )


def run_large(args: argparse.Namespace) -> dict[str, object]:
    """Runs in a child process so that its peak RSS is its own."""
    n, k, d = args.large_n, args.large_k, args.d
    x = make_data(n, d, args.data, seed=1)
    import torch  # noqa: F401 - imported by the worker long before selection; not timed here

    wait_quiet(args.wait_quiet)
    run = tracker("auto")
    with LoadMeter() as load:
        t_track, sel = timed(lambda: run(x, k))
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30
    steps = min(args.large_ref_steps, k)
    wait_quiet(args.wait_quiet)
    t_ref, ref_sel = timed(lambda: matvec(x, steps))
    wait_quiet(args.wait_quiet)
    t_bound_np, _ = timed(lambda: read_passes_numpy(x, steps))
    wait_quiet(args.wait_quiet)
    t_bound_t, _ = timed(lambda: read_passes_torch(x, steps))
    scale = (k - 1) / max(steps - 1, 1)
    choice = getattr(run, "choice", None)
    return {
        "n": n,
        "k": k,
        "tracker_s": t_track,
        "rss_gb": rss_gb,
        "matrix_gb": x.nbytes / 2**30,
        "matvec_est_s": t_ref * scale,
        "bound_est_s": min(t_bound_np, t_bound_t) * scale,
        "prefix_equal": float(sel[:steps] == ref_sel),  # type: ignore[index]
        "steps": steps,
        "other_cores": load.other_cores,
        "resolved": run.resolved,  # type: ignore[attr-defined]
        "reason": choice.reason() if choice is not None else "below AUTO_MIN_BYTES: float32",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes, a smoke run under 30 s")
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--k", type=int, default=1_000)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--data", choices=["gaussian", "clusters"], default="gaussian")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--skip-textbook", action="store_true")
    p.add_argument("--large-n", type=int, default=1_000_000)
    p.add_argument("--large-k", type=int, default=10_000)
    p.add_argument("--large-ref-steps", type=int, default=200)
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=None,
        help="before each run wait up to this many seconds for other processes to leave the "
        "CPUs idle (default 20, --quick 0)",
    )
    p.add_argument("--skip-large", action="store_true")
    p.add_argument("--large-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.quick:
        args.n, args.k, args.rounds = 20_000, 200, 2
        args.large_n, args.large_k, args.large_ref_steps = 200_000, 300, 50
    if args.wait_quiet is None:
        args.wait_quiet = 0.0 if args.quick else 20.0

    if args.large_child:
        print(json.dumps(run_large(args)))
        return
    # A private kernel cache: this run measures at start-up, like a first run on a machine.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="winnow-bench-cache-")

    print("Environment:")
    print(environment())
    run_main(args)
    if args.skip_large:
        return
    print(f"\nLarge case N={args.large_n:,} k={args.large_k:,} d={args.d} (child process) ...")
    cmd = [sys.executable, __file__, "--large-child", *sys.argv[1:]]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    limit = 2 * r["matrix_gb"] + 2
    per_step = r["tracker_s"] / (r["k"] - 1) * 1e3
    print(f"  auto chose {r['reason']}")
    print(
        f"  tracker auto ({r['resolved']}), start-up measurement included: "
        f"{r['tracker_s']:.1f} s ({per_step:.2f} "
        f"ms/step), peak RSS {r['rss_gb']:.2f} GiB (limit 2 x {r['matrix_gb']:.2f} + 2 = "
        f"{limit:.2f} GiB: {'OK' if r['rss_gb'] < limit else 'OVER'})"
    )
    print(
        f"  float32 matvec reference, {r['steps']} steps timed, extrapolated to k: "
        f"{r['matvec_est_s']:.1f} s -> tracker/matvec {r['tracker_s'] / r['matvec_est_s']:.3f}"
    )
    print(
        f"  bandwidth bound, {r['steps']} passes timed, extrapolated: {r['bound_est_s']:.1f} s "
        f"({r['matrix_gb'] * 2**30 / 1e9 * (r['k'] - 1) / r['bound_est_s']:.1f} GB/s) -> "
        f"tracker/bound {r['tracker_s'] / r['bound_est_s']:.3f}"
    )
    print(
        f"  first {r['steps']} picks equal to the float32 reference: "
        f"{'yes' if r['prefix_equal'] else 'no'}; other processes used "
        f"{r['other_cores']:.2f} cores on average"
    )


if __name__ == "__main__":
    main()
