"""Files per second through the worker's corruptness check and content hash.

Generates ``--files`` small photo-like JPEGs (64x64 to 256x256: smooth colour fields, a few
shapes and sensor-like noise, quality 75-95) in a temporary directory, then for every file reads
its bytes from disk and runs ``check_image_bytes`` + ``content_hash``, which is what the
pipeline's ``inspect`` does per file:

* read only             -- just the disk reads (page cache warm), the floor
* 1 thread              -- sequential
* threads(8)            -- ``ThreadPoolExecutor(8)`` with ``pool.map`` like the pipeline
* processes(N) xC       -- ``ProcessPoolExecutor`` (one per core), C files per task (the pool
                           start-up is included)

and then profiles the single-threaded check to show where its time goes.

    .venv/bin/python benchmarks/corruptness_check.py            # 10,000 files
    .venv/bin/python benchmarks/corruptness_check.py --quick    # 1,000 files
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services" / "gpu-worker" / "src"))

from winnow_gpu_worker.ml.corruptness import check_image_bytes  # noqa: E402
from winnow_gpu_worker.ml.duplicates import content_hash  # noqa: E402
from winnow_gpu_worker.ml.images import strict_truncation  # noqa: E402

READ_THREADS = 8  # the pipeline's _READ_THREADS


def make_photo(rng: np.random.Generator) -> bytes:
    w, h = (int(v) for v in rng.integers(64, 257, 2))
    # A smooth colour field (a coarse random grid upscaled bicubically), a few objects with
    # edges, and sensor-like noise: compresses like a small photo, unlike pure noise.
    grid = rng.integers(30, 226, (int(rng.integers(2, 6)), int(rng.integers(2, 6)), 3))
    pil = Image.fromarray(grid.astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(pil)
    for _ in range(int(rng.integers(1, 5))):
        x0, y0 = int(rng.integers(0, w - 8)), int(rng.integers(0, h - 8))
        box = (x0, y0, x0 + int(rng.integers(8, w // 2 + 9)), y0 + int(rng.integers(8, h // 2 + 9)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    pixels = np.asarray(pil, dtype=np.int16)
    sigma = int(rng.integers(2, 9))
    pixels = pixels + rng.integers(-sigma, sigma + 1, pixels.shape, dtype=np.int16)
    pil = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    pil.save(buf, format="JPEG", quality=int(rng.integers(75, 96)))
    return buf.getvalue()


def make_files(directory: Path, count: int) -> list[str]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        p = directory / f"img_{i:05d}.jpg"
        p.write_bytes(make_photo(rng))
        paths.append(str(p))
    return paths


def read_only(path: str) -> int:
    with open(path, "rb") as f:
        return len(f.read())


def inspect(path: str) -> tuple[str | None, str | None]:
    """What the pipeline does per file (store.read -> check -> hash of clean files)."""
    with open(path, "rb") as f:
        data = f.read()
    reason = check_image_bytes(os.path.basename(path), data)
    return reason, content_hash(data) if reason is None else None


def inspect_chunk(paths: list[str]) -> list[tuple[str | None, str | None]]:
    return [inspect(p) for p in paths]


def chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def run_pool(make: Callable[[], Executor], paths: list[str], chunk: int | None) -> list[object]:
    with make() as pool:
        if chunk is None:
            return list(pool.map(inspect, paths))
        return [r for part in pool.map(inspect_chunk, chunks(paths, chunk)) for r in part]


def best_of(rounds: int, f: Callable[[], object]) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), times, out


def cpu_busy() -> float:
    with open("/proc/stat") as f:
        parts = [int(v) for v in f.readline().split()[1:]]
    return (sum(parts) - parts[3] - parts[4]) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- what-ifs
# Candidate changes to check_image_bytes, measured here without editing it: the same decode
# of every pixel (so truncated data still raises), minus work that finds nothing for JPEG.


def check_variant(data: bytes, *, draft: bool) -> bool:
    """True if ``data`` is reported corrupt. Only the JPEG-relevant part of the real check.

    * the second open + ``verify()`` only for PNG: for every other format Pillow's ``verify``
      does nothing but close the file, so the real check parses the header twice for nothing;
    * ``draft=True`` additionally lets libjpeg decode JPEGs at 1/8 scale (``Image.draft``): it
      still entropy-decodes the whole stream, so truncation and broken Huffman data still
      raise, but skips most of the inverse DCT, upsampling and colour conversion.
    """
    try:
        with strict_truncation(), Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            if draft and fmt in ("JPEG", "MPO"):
                img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
            img.load()
        if fmt == "PNG":
            with Image.open(io.BytesIO(data)) as fresh:
                fresh.verify()
    except Exception:
        return True
    return False


def corrupted_copies(datas: list[bytes], seed: int = 1) -> dict[str, list[bytes]]:
    """Damaged versions of good files, by kind of damage."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[bytes]] = {}
    for data in datas:
        n = len(data)
        out.setdefault("truncated to 30%", []).append(data[: n * 3 // 10])
        out.setdefault("truncated to 90%", []).append(data[: n * 9 // 10])
        out.setdefault("last 64 bytes cut", []).append(data[: n - 64])
        out.setdefault("EOI marker cut", []).append(data[: n - 2])
        flipped = bytearray(data)
        for pos in rng.integers(n // 3, n - 16, 8):
            flipped[pos] ^= 1 << int(rng.integers(0, 8))
        out.setdefault("8 bits flipped", []).append(bytes(flipped))
        zeroed = bytearray(data)
        start = int(rng.integers(n // 3, n * 2 // 3))
        zeroed[start : start + 256] = bytes(min(256, n - start))
        out.setdefault("256 bytes zeroed", []).append(bytes(zeroed))
    return out


def what_ifs(paths: list[str], rounds: int, wait_s: float) -> None:
    datas = [Path(q).read_bytes() for q in paths]
    names = [os.path.basename(q) for q in paths]

    def real() -> list[bool]:
        return [check_image_bytes(n, d) is not None for n, d in zip(names, datas, strict=True)]

    cases: dict[str, Callable[[], list[bool]]] = {
        "check_image_bytes (as is)": real,
        "verify only for PNG": lambda: [check_variant(d, draft=False) for d in datas],
        "verify only for PNG + JPEG draft 1/8": lambda: [
            check_variant(d, draft=True) for d in datas
        ],
    }
    print(f"\nWhat-ifs on {len(datas)} files already in memory (1 thread, no hashing):")
    base = 0.0
    for name, f in cases.items():
        wait_quiet(wait_s)
        best, _, out = best_of(rounds, f)
        base = base or best
        assert not any(out)  # type: ignore[union-attr]
        print(f"  {name:40s} {best:7.3f} s {len(datas) / best:8.0f} files/s  x{base / best:.2f}")
    print("Corrupt files found (of each kind) by the real check / without verify / with draft:")
    for kind, bad in corrupted_copies(datas[:300]).items():
        found_real = sum(check_image_bytes("x.jpg", d) is not None for d in bad)
        found_plain = sum(check_variant(d, draft=False) for d in bad)
        found_draft = sum(check_variant(d, draft=True) for d in bad)
        print(f"  {kind:20s} {found_real:4d} / {found_plain:4d} / {found_draft:4d}  of {len(bad)}")


def wait_quiet(max_s: float, idle_s: float = 1.0) -> None:
    """Wait (at most ``max_s``) for other processes to leave the CPUs idle for ``idle_s``."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_s:
        b0, w0 = cpu_busy(), time.perf_counter()
        time.sleep(idle_s)
        if cpu_busy() - b0 <= 0.05 * (time.perf_counter() - w0):
            return


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="1,000 files, 1 round")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=None,
        help="before each case wait up to this many seconds for other processes to leave the "
        "CPUs idle (default 20, --quick 0)",
    )
    args = p.parse_args()
    if args.quick:
        args.files, args.rounds = 1_000, 1
    if args.wait_quiet is None:
        args.wait_quiet = 0.0 if args.quick else 20.0
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="winnow-corrupt-bench-") as tmp:
        t0 = time.perf_counter()
        paths = make_files(Path(tmp), args.files)
        sizes = [os.path.getsize(q) for q in paths]
        print(
            f"{len(paths):,} JPEGs generated in {time.perf_counter() - t0:.1f} s: "
            f"{sum(sizes) / 1e6:.1f} MB, median {int(np.median(sizes)):,} B, "
            f"64-256 px per side; Pillow {Image.__version__}, {cores} cores"
        )

        results: dict[str, tuple[float, list[float]]] = {}
        checks: dict[str, object] = {}
        cases: dict[str, Callable[[], object]] = {
            "read only (1 thread)": lambda: [read_only(q) for q in paths],
            "check+hash 1 thread": lambda: [inspect(q) for q in paths],
            f"check+hash threads({READ_THREADS})": lambda: run_pool(
                lambda: ThreadPoolExecutor(READ_THREADS), paths, None
            ),
            f"check+hash processes({cores}) x64": lambda: run_pool(
                lambda: ProcessPoolExecutor(cores), paths, 64
            ),
            f"check+hash processes({cores}) x512": lambda: run_pool(
                lambda: ProcessPoolExecutor(cores), paths, 512
            ),
        }
        busy0, wall0 = cpu_busy(), time.perf_counter()
        for name, f in cases.items():
            wait_quiet(args.wait_quiet)
            best, times, out = best_of(args.rounds, f)
            results[name] = (best, times)
            checks[name] = out
        other = cpu_busy() - busy0  # includes ours; reported only as a sanity figure
        wall = time.perf_counter() - wall0

        base = results["check+hash 1 thread"][0]
        print(f"\n{'case':36s} {'best s':>8s} {'files/s':>9s} {'vs 1 thread':>12s}  rounds (s)")
        for name, (best, times) in results.items():
            print(
                f"{name:36s} {best:8.3f} {len(paths) / best:9.0f} {base / best:12.2f}  "
                + " ".join(f"{t:.2f}" for t in times)
            )
        bad = [r for r in checks["check+hash 1 thread"] if r[0] is not None]  # type: ignore[union-attr]
        agree = len({str(v) for k, v in checks.items() if k.startswith("check")}) == 1
        print(
            f"all cases agree: {agree}, corrupt found: {len(bad)}; "
            f"machine busy {other / wall:.2f} cores on average (this benchmark included)"
        )

        if not args.no_profile:
            sample = paths[: min(2000, len(paths))]
            prof = cProfile.Profile()
            prof.enable()
            for q in sample:
                inspect(q)
            prof.disable()
            stream = io.StringIO()
            stats = pstats.Stats(prof, stream=stream).sort_stats("tottime")
            stats.print_stats(14)
            print(f"\nProfile of {len(sample)} files, 1 thread, by own time:")
            lines = stream.getvalue().splitlines()
            start = next(i for i, line in enumerate(lines) if "ncalls" in line)
            print("\n".join(lines[start : start + 16]))
            phase_breakdown(sample)
            what_ifs(sample, args.rounds, args.wait_quiet)


def phase_breakdown(paths: list[str]) -> None:
    """Time the stages of check_image_bytes separately (same calls, same order)."""
    datas = [Path(q).read_bytes() for q in paths]
    phases: dict[str, float] = {"open (header)": 0, "load (decode)": 0, "reopen+verify": 0}
    phases["sha256"] = 0
    for data in datas:
        t0 = time.perf_counter()
        img = Image.open(io.BytesIO(data))
        t1 = time.perf_counter()
        img.load()
        t2 = time.perf_counter()
        img.close()
        with Image.open(io.BytesIO(data)) as fresh:
            fresh.verify()
        t3 = time.perf_counter()
        content_hash(data)
        t4 = time.perf_counter()
        phases["open (header)"] += t1 - t0
        phases["load (decode)"] += t2 - t1
        phases["reopen+verify"] += t3 - t2
        phases["sha256"] += t4 - t3
    total = sum(phases.values())
    print(f"\nPhases over {len(datas)} files (1 thread):")
    for k, v in phases.items():
        print(f"  {k:16s} {v / len(datas) * 1e6:8.1f} us/file  {100 * v / total:5.1f} %")


if __name__ == "__main__":
    main()
