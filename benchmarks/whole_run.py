"""A whole curation run: Winnow's standalone ``winnow-worker`` vs ``fastdup`` on the same folder.

The folder is generated offline from real photos (the bundled ``skimage.data`` photos and
scikit-learn's two sample images): random crops, resizes (longest side 400-1024 px), flips and
colour casts, saved as JPEG (quality 75-95) and a few PNGs. About 1 % of the files are then
broken in six ways (empty, truncated JPEG, JPEG with its end cut and garbage appended, random
bytes, a text file named ``.jpg``, a PNG with a flipped byte in its pixel data) and about 2 % are
byte-for-byte copies of other files (exact duplicates). The folder is cached under
``.cache/whole_run/`` keyed by its parameters.

Timed, each as a subprocess from start to exit, alternating, best of ``--repeat``:

* Winnow: ``winnow-worker input_dir=... output_dir=... enable_corruptness_check=True
  remove_exact_duplicates=True selection.n_samples=100`` (DIVERSITY on the embeddings; the default
  model, EfficientNet-Lite0 pretrained on ImageNet, as ``WORKER_DEFAULT_MODEL`` is unset). Its
  per-stage times come from the run's
  ``memlog.txt`` (one line at every stage change): start-up (interpreter, imports, argument
  parsing) is the time before the first line, the report the time after the last.
* fastdup 2.54, installed by this script into a throwaway venv (``.cache/whole_run/fastdup-venv``,
  kept for the next run): ``fastdup.create(work_dir, input_dir).run()`` with its defaults (all
  CPU cores: broken-image detection, its ONNX embedding model, k-NN graph, components, image
  statistics).

The printed ratio is Winnow's wall time over fastdup's; the goal of issue 15 is <= 1.0.

    .venv/bin/python benchmarks/whole_run.py                 # 2,700 files, best of 2 (~4 min)
    .venv/bin/python benchmarks/whole_run.py --quick         # 300 files, one round
    .venv/bin/python benchmarks/whole_run.py --profile       # + one Winnow run under cProfile
    .venv/bin/python benchmarks/whole_run.py --skip-fastdup  # Winnow only (no ratio)

``--winnow-src DIR`` runs Winnow from another checkout (its ``services/*/src`` and
``packages/*/src`` go first on ``PYTHONPATH``), e.g. an exported older commit, to compare
versions on the same folder and machine.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "whole_run"
FASTDUP = "fastdup==2.54"
N_SAMPLES = 100
_SKIMAGE = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "colorwheel",
    "camera",
    "coins",
    "moon",
    "grass",
    "gravel",
    "brick",
    "cell",
    "clock",
    "stereo_motorcycle",
)
_FAULTS = ("empty", "truncated", "cut_garbage", "random_bytes", "text", "png_bitflip")


def _sources() -> list[np.ndarray]:
    """The real photos every generated image is cut from (RGB uint8)."""
    import skimage.data
    from sklearn.datasets import load_sample_images

    photos = []
    for name in _SKIMAGE:
        arr = getattr(skimage.data, name)()
        arr = np.asarray(arr[0] if isinstance(arr, tuple) else arr)
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        photos.append(np.ascontiguousarray(arr[..., :3]).astype(np.uint8))
    photos += [np.asarray(img, dtype=np.uint8) for img in load_sample_images().images]
    return photos


def _variant(src: np.ndarray, rng: np.random.Generator) -> Any:
    """A random crop, colour cast, flip and resize of ``src`` as a PIL image."""
    from PIL import Image

    h, w = src.shape[:2]
    ch, cw = max(32, int(h * rng.uniform(0.3, 1.0))), max(32, int(w * rng.uniform(0.3, 1.0)))
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    crop = src[y : y + ch, x : x + cw].astype(np.float32)
    crop *= rng.uniform(0.75, 1.25, size=3).astype(np.float32)
    img = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    scale = int(rng.integers(400, 1025)) / max(img.size)
    size = (max(16, round(img.width * scale)), max(16, round(img.height * scale)))
    return img.resize(size, Image.Resampling.BILINEAR)


def _broken(kind: str, good: bytes, png: bytes, rng: np.random.Generator) -> tuple[str, bytes]:
    """A broken file of ``kind`` (extension, content) made from a good JPEG / PNG."""
    if kind == "empty":
        return ".jpg", b""
    if kind == "truncated":
        return ".jpg", good[: len(good) * 3 // 5]
    if kind == "cut_garbage":
        return ".jpg", good[: len(good) // 2] + rng.bytes(2000)
    if kind == "random_bytes":
        return ".jpg", rng.bytes(int(rng.integers(2000, 60000)))
    if kind == "text":
        return ".jpg", b"<html><body>404 Not Found</body></html>\n" * 20
    # A flipped byte inside the first IDAT chunk: Pillow's CRC check reports it.
    idat = png.index(b"IDAT") + 4 + 100
    return ".png", png[:idat] + bytes([png[idat] ^ 0xFF]) + png[idat + 1 :]


def make_folder(out: Path, n: int, seed: int = 0) -> dict[str, int]:
    """Write ``n`` files to ``out``: ~97 % good photos, ~1 % broken, ~2 % exact duplicates."""
    rng = np.random.default_rng(seed)
    photos = _sources()
    out.mkdir(parents=True, exist_ok=True)
    n_broken, n_dups = max(6, n // 100), max(2, n // 50)
    n_good = n - n_broken - n_dups
    good: list[Path] = []
    for i in range(n_good):
        img = _variant(photos[int(rng.integers(len(photos)))], rng)
        buf = io.BytesIO()
        if rng.random() < 0.05:
            path = out / f"img_{i:05d}.png"
            img.save(buf, format="PNG", compress_level=6)
        else:
            path = out / f"img_{i:05d}.jpg"
            img.save(buf, format="JPEG", quality=int(rng.integers(75, 96)))
        path.write_bytes(buf.getvalue())
        good.append(path)
    jpegs = [p for p in good if p.suffix == ".jpg"]
    pngs = [p for p in good if p.suffix == ".png"]
    for j in range(n_broken):
        kind = _FAULTS[j % len(_FAULTS)]
        src = jpegs[int(rng.integers(len(jpegs)))].read_bytes()
        png = pngs[int(rng.integers(len(pngs)))].read_bytes()
        ext, data = _broken(kind, src, png, rng)
        (out / f"broken_{j:04d}_{kind}{ext}").write_bytes(data)
    for j in range(n_dups):
        src = good[int(rng.integers(len(good)))]
        shutil.copyfile(src, out / f"copy_{j:04d}_{src.name}")
    return {"files": n, "good": n_good, "broken": n_broken, "duplicates": n_dups}


def cached_folder(n: int, seed: int) -> tuple[Path, dict[str, int]]:
    """The generated folder for ``(n, seed)``, made once and kept under ``.cache/whole_run/``."""
    folder = CACHE / f"images-n{n}-s{seed}-v1"
    manifest = folder.with_suffix(".json")
    if manifest.exists() and folder.is_dir():
        return folder, json.loads(manifest.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    counts = make_folder(folder, n, seed)
    counts["megabytes"] = round(sum(p.stat().st_size for p in folder.iterdir()) / 1e6, 1)
    manifest.write_text(json.dumps(counts))
    print(f"generated {folder} in {time.perf_counter() - start:.0f} s", flush=True)
    return folder, counts


def _busy_jiffies() -> int:
    with open("/proc/stat") as stat:
        parts = [int(v) for v in stat.readline().split()[1:]]
    return sum(parts) - parts[3] - parts[4]


def wait_quiet(max_s: float) -> None:
    """Wait (at most ``max_s``) until other processes leave the CPUs idle for a second."""
    start = time.perf_counter()
    while time.perf_counter() - start < max_s:
        before = _busy_jiffies()
        time.sleep(1.0)
        if _busy_jiffies() - before <= 0.05 * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1):
            return


def timed_child(
    cmd: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], dict[str, float]]:
    """Run ``cmd``; its wall time, its (and its children's) CPU seconds, and the cores other
    processes used meanwhile (a measurement taken while they used much is disturbed)."""
    own0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, start = _busy_jiffies(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    own1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime
    busy = (_busy_jiffies() - busy0) / os.sysconf("SC_CLK_TCK")
    return proc, {"wall_s": wall, "cpu_s": cpu, "other_cores": max(0.0, busy - cpu) / wall}


def fastdup_python() -> Path:
    """The throwaway venv's interpreter with fastdup installed (created on first use)."""
    venv = CACHE / "fastdup-venv"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import fastdup"]
    env = {**os.environ, "SENTRY_OPT_OUT": "1"}
    if python.exists() and subprocess.run(check, env=env, capture_output=True).returncode == 0:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    print(f"installing {FASTDUP} into {venv} ...", flush=True)
    base = shutil.which("python3.11") or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", FASTDUP], check=True, env=env)
    return python


_FASTDUP_SCRIPT = """
import json, sys, time
start = time.perf_counter()
import fastdup
fd = fastdup.create(work_dir=sys.argv[2], input_dir=sys.argv[1])
fd.run(overwrite=True)
invalid = fd.invalid_instances()
print("FASTDUP_RESULT " + json.dumps({"run_s": time.perf_counter() - start,
      "invalid": int(len(invalid))}))
"""


def run_fastdup(python: Path, folder: Path, work: Path) -> dict[str, Any]:
    """``fastdup.create(work_dir, input_dir).run()`` as a subprocess; wall time and findings."""
    shutil.rmtree(work, ignore_errors=True)
    env = {**os.environ, "SENTRY_OPT_OUT": "1"}
    cmd = [str(python), "-c", _FASTDUP_SCRIPT, str(folder), str(work)]
    proc, times = timed_child(cmd, env)
    if proc.returncode != 0:
        raise RuntimeError(f"fastdup failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("FASTDUP_RESULT "))
    return {**times, **json.loads(line.split(" ", 1)[1])}


def winnow_command(folder: Path, out: Path) -> list[str]:
    """The standalone CLI with the issue's settings (check, exact dups, DIVERSITY 100)."""
    return [
        sys.executable,
        "-m",
        "winnow_cli",
        f"input_dir={folder}",
        f"output_dir={out}",
        "enable_corruptness_check=True",
        "remove_exact_duplicates=True",
        f"selection.n_samples={N_SAMPLES}",
    ]


def winnow_env(src: Path | None, numba_cache: Path | None = None) -> dict[str, str]:
    """The environment for the CLI: another checkout's sources first when ``src`` is given;
    ``numba_cache``: an (empty) numba cache directory, so the report compiles UMAP afresh."""
    env = dict(os.environ)
    if numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = str(numba_cache)
    if src is not None:
        paths = sorted(str(p) for p in (*src.glob("services/*/src"), *src.glob("packages/*/src")))
        env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(":")
    return env


def stage_times(memlog: str, launched: float, ended: float) -> dict[str, float]:
    """Seconds per stage from ``memlog.txt``'s stage-change lines (epoch ``launched``/``ended``)."""
    marks: list[tuple[float, str]] = []
    for line in memlog.splitlines():
        fields = line.split()
        if len(fields) < 3 or not fields[0][:4].isdigit():
            continue
        at = datetime.fromisoformat(fields[0].replace("Z", "+00:00")).timestamp()
        if not marks or marks[-1][1] != fields[2]:
            marks.append((at, fields[2]))
    if not marks:
        return {}
    times = {"START-UP (imports, args)": marks[0][0] - launched}
    for (at, stage), (nxt, _) in itertools.pairwise(marks):
        times[stage] = times.get(stage, 0.0) + nxt - at
    times["REPORT + exit"] = ended - marks[-1][0]
    return times


def run_winnow(
    folder: Path, out: Path, src: Path | None, profile: Path | None, cold: bool = False
) -> dict[str, Any]:
    """One standalone run as a subprocess: wall time, per-stage times, what it removed.

    ``cold``: with an empty numba cache (the first run on a fresh machine or image).
    """
    shutil.rmtree(out, ignore_errors=True)
    numba_cache = out.with_name(out.name + "-numba") if cold else None
    if numba_cache is not None:
        shutil.rmtree(numba_cache, ignore_errors=True)
    cmd = winnow_command(folder, out)
    if profile is not None:
        cmd[1:3] = ["-m", "cProfile", "-o", str(profile), "-m", "winnow_cli"]
    launched = time.time()
    proc, times = timed_child(cmd, winnow_env(src, numba_cache))
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f"winnow-worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    memlog = (out / "memlog.txt").read_text() if (out / "memlog.txt").exists() else ""
    summary = next((ln for ln in proc.stderr.splitlines() if ln.startswith("Selected ")), "")
    return {
        **times,
        "stages": stage_times(memlog, launched, ended),
        "summary": summary.strip(),
    }


_MODEL_SCRIPT = """
import sys, time, torch
from winnow_gpu_worker.ml.embed import build_backbone, cpu_supports_bf16
try:
    from winnow_gpu_worker.ml.inference_copy import inference_model
except ImportError:
    try:
        from winnow_gpu_worker.ml.embed import inference_model
    except ImportError:  # a checkout before BatchNorm folding
        inference_model = lambda m, size=64: m
try:  # the default model since issue 16
    from winnow_gpu_worker.ml.pretrained import PRETRAINED_INPUT_SIZE, load_pretrained
    model, size, name = load_pretrained(), PRETRAINED_INPUT_SIZE, "EfficientNet-Lite0"
except ImportError:
    model, size, name = build_backbone(None)[0], 64, "resnet-18 (random init)"
n, batch = (int(a) for a in sys.argv[1:3])
try:
    model = inference_model(model.eval().to(memory_format=torch.channels_last), size)
except TypeError:  # inference_model(model) of older checkouts
    model = inference_model(model.eval().to(memory_format=torch.channels_last))
x = torch.randn(batch, 3, size, size).contiguous(memory_format=torch.channels_last)
bf16 = cpu_supports_bf16()
with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
    model(x)  # oneDNN builds its kernels on the first call
    start = time.perf_counter()
    for i in range(0, n, batch):
        model(x[: min(batch, n - i)])
print("MODEL_RESULT", time.perf_counter() - start, "bf16" if bf16 else "fp32", size, name)
"""


def model_only(n: int, src: Path | None) -> tuple[float, str]:
    """Seconds the default model alone takes for ``n`` images (its input size, batches of 64,
    no decode), in the precision a run picks on this CPU, in a fresh process like the run's.
    Returns the seconds and a description (precision, input size, model)."""
    proc = subprocess.run(
        [sys.executable, "-c", _MODEL_SCRIPT, str(n), "64"],
        capture_output=True,
        text=True,
        env=winnow_env(src),
        check=True,
    )
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("MODEL_RESULT "))
    _, seconds, precision, size, name = line.split(maxsplit=4)
    return float(seconds), f"{precision}, {size} px, {name}"


def machine() -> str:
    """CPU model, core count and memory of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = float("nan")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{model}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, load average {load:.2f}"


def print_profile(path: Path, top: int = 25) -> None:
    """The profile's most expensive functions by cumulative time (the main process only)."""
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative")
    print(f"\ncProfile of one Winnow run (main process; decode workers not included), top {top}:")
    stats.print_stats(top)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2700)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2, help="alternating rounds (best of)")
    parser.add_argument("--quick", action="store_true", help="300 files, one round")
    parser.add_argument("--profile", action="store_true", help="one more run under cProfile")
    parser.add_argument("--skip-fastdup", action="store_true")
    parser.add_argument("--skip-model", action="store_true", help="no model-only timing")
    parser.add_argument(
        "--wait-quiet", type=float, default=60, help="wait up to S s for idle CPUs before a run"
    )
    parser.add_argument(
        "--cold", action="store_true", help="Winnow with an empty numba cache in every round"
    )
    parser.add_argument("--winnow-src", type=Path, help="run Winnow from this checkout")
    args = parser.parse_args()
    if args.quick:
        args.files, args.repeat = 300, 1
    return args


def _run_text(run: dict[str, Any]) -> str:
    others = run["other_cores"]
    return f"{run['wall_s']:.1f} s ({run['cpu_s']:.0f} CPU s, others used {others:.2f} cores)"


def _report(
    counts: dict[str, int],
    winnow: list[dict[str, Any]],
    fd: list[dict[str, Any]],
    model: tuple[float, str] | None,
) -> None:
    best = min(winnow, key=lambda r: r["wall_s"])
    print(f"\nfolder: {counts}")
    print(f"Winnow: {best['summary']}")
    print("Winnow runs:  " + ", ".join(_run_text(r) for r in winnow))
    print("\nWinnow per stage (best run):")
    total = best["wall_s"]
    for stage, seconds in best["stages"].items():
        print(f"  {stage:<28} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    if model is not None:
        seconds, precision = model
        print(
            f"  model forward alone ({counts['good']} images, {precision}): {seconds:.2f} s = "
            f"{100 * seconds / total:.1f} % of the run"
        )
    if fd:
        print("fastdup runs: " + ", ".join(_run_text(r) for r in fd))
        fbest = min(fd, key=lambda r: r["wall_s"])
        print(f"fastdup reported {fbest['invalid']} invalid (broken) files")
        print(f"\nWinnow {total:.1f} s, fastdup {fbest['wall_s']:.1f} s (best of {len(winnow)})")
        print(f"ratio Winnow / fastdup: {total / fbest['wall_s']:.2f}x wall  (goal <= 1.0x)")
        cpu = min(r["cpu_s"] for r in winnow) / min(r["cpu_s"] for r in fd)
        print(f"ratio Winnow / fastdup: {cpu:.2f}x CPU seconds (less disturbed by other load)")
    else:
        print(f"\nWinnow {total:.1f} s (best of {len(winnow)})")


def main() -> None:
    """Generate (or reuse) the folder, alternate the two runs, print the comparison."""
    args = _parse_args()
    print(f"machine: {machine()}")
    folder, counts = cached_folder(args.files, args.seed)
    python = None if args.skip_fastdup else fastdup_python()
    if args.winnow_src:
        print(f"Winnow sources: {args.winnow_src.resolve()}")
    winnow: list[dict[str, Any]] = []
    fd: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="whole_run_") as tmp:
        work = Path(tmp)
        for round_ in range(args.repeat):
            wait_quiet(args.wait_quiet)
            winnow.append(run_winnow(folder, work / "winnow", args.winnow_src, None, args.cold))
            print(f"round {round_ + 1}: Winnow {winnow[-1]['wall_s']:.1f} s", flush=True)
            if python is not None:
                wait_quiet(args.wait_quiet)
                fd.append(run_fastdup(python, folder, work / "fastdup"))
                print(f"round {round_ + 1}: fastdup {fd[-1]['wall_s']:.1f} s", flush=True)
        model = None if args.skip_model else model_only(counts["good"], args.winnow_src)
        _report(counts, winnow, fd, model)
        if args.profile:
            profile = work / "winnow.prof"
            run_winnow(folder, work / "winnow", args.winnow_src, profile)
            print_profile(profile)
    digest = hashlib.sha256(str(sorted(counts.items())).encode()).hexdigest()[:8]
    print(f"\n(folder {folder.name}, manifest {digest})")


if __name__ == "__main__":
    main()
