"""Files per second through the CHECKING_CORRUPTNESS stage (``stages.checks.check_files``).

Generates ``--files`` small photo-like JPEGs (64x64 to 256x256: smooth colour fields, a few
shapes and sensor-like noise, quality 75-95) in a temporary directory and runs the stage over a
``LocalStore`` on it (page cache warm): read, corruptness check, SHA-256 of clean files, and
optionally the ``lightly.*`` metadata. Each case is compared with the old implementation, which
this file keeps as a reference (``old_check_image_bytes`` / ``old_inspect``: a full decode for
the check, a second open + ``verify()`` for every format, and a second full decode in
``compute_image_metadata(data)``), run in one thread:

* old, 1 thread            -- the reference: check + hash (+ metadata), sequential
* new, threads=1 / 8       -- ``check_files(..., threads=N)``; 8 is the default (READ_THREADS);
                              other counts with ``--threads 1,2,8``

Each case is the best of ``--rounds`` wall times; "CPU ms/file" is this process's CPU time in that
round per file, which other load on the machine disturbs much less than the wall time (for one
thread it is the cost per file; with threads it includes the time lost to GIL hand-offs).

Then it damages 300 of the files in six ways and counts the copies that the old check, the
new ``check_image_bytes`` (JPEG draft mode) and the new ``check_and_decode`` (full decode)
report, which must be equal.

    .venv/bin/python benchmarks/corruptness_check.py            # 10,000 files, ~2-3 min
    .venv/bin/python benchmarks/corruptness_check.py --quick    # 1,000 files, 1 round
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services" / "gpu-worker" / "src"))
sys.path.insert(0, str(REPO / "packages" / "common" / "src"))

from winnow_common.errors import StorageError  # noqa: E402
from winnow_common.storage.datasource import LocalStore  # noqa: E402
from winnow_gpu_worker.ml.corruptness import (  # noqa: E402
    _EXPECTED_FORMATS,
    _FORMAT_LABEL,
    check_and_decode,
    check_image_bytes,
)
from winnow_gpu_worker.ml.duplicates import content_hash  # noqa: E402
from winnow_gpu_worker.ml.images import file_extension, strict_truncation  # noqa: E402
from winnow_gpu_worker.ml.metadata import compute_image_metadata  # noqa: E402
from winnow_gpu_worker.stages.checks import READ_THREADS, CheckResult, check_files  # noqa: E402


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
    names = []
    for i in range(count):
        name = f"img_{i:05d}.jpg"
        (directory / name).write_bytes(make_photo(rng))
        names.append(name)
    return names


# --------------------------------------------------------------------------- old reference
# The check and the per-file stage step as they were before the draft-mode / single-decode
# change, kept verbatim (less comments) so the ratio below compares against the real thing.


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def old_check_image_bytes(filename: str, data: bytes) -> str | None:
    if not data:
        return "empty file"
    ext = file_extension(filename)
    try:
        with strict_truncation():
            try:
                img = Image.open(io.BytesIO(data))
            except UnidentifiedImageError:
                return "cannot be identified as an image"
            except Image.DecompressionBombError as exc:
                return f"image dimensions too large to decode safely ({exc})"
            except Exception as exc:
                return f"corrupt image header ({_describe(exc)})"
            with img:
                detected = img.format or "unknown"
                expected = _EXPECTED_FORMATS.get(ext)
                if expected is not None and detected not in expected:
                    return (
                        f"content is {detected} but the extension '{ext}' "
                        f"expects {_FORMAT_LABEL[ext]}"
                    )
                try:
                    img.load()
                except Image.DecompressionBombError as exc:
                    return f"image dimensions too large to decode safely ({exc})"
                except Exception as exc:
                    return f"truncated or corrupt image data ({_describe(exc)})"
            try:
                with Image.open(io.BytesIO(data)) as fresh:
                    fresh.verify()
            except Exception as exc:
                return f"corrupt image data ({_describe(exc)})"
    except Exception as exc:
        return f"unreadable image ({_describe(exc)})"
    return None


def old_inspect(
    store: LocalStore, name: str, metadata: bool
) -> tuple[str, str | None, str | None, dict[str, Any] | None]:
    try:
        data = store.read(name)
    except StorageError as exc:
        return name, f"file is missing or not readable: {exc.message}", None, None
    reason = old_check_image_bytes(name, data)
    if reason is not None:
        return name, reason, None, None
    digest = content_hash(data)
    meta = None
    if metadata:
        try:
            meta = compute_image_metadata(data)
        except Exception:
            meta = None
    return name, None, digest, meta


def old_stage(store: LocalStore, names: list[str], metadata: bool) -> CheckResult:
    result = CheckResult()
    for name, reason, digest, meta in (old_inspect(store, n, metadata) for n in names):
        if reason is not None:
            result.corrupt[name] = reason
            continue
        if digest is not None:
            result.hashes[name] = digest
        if meta is not None:
            result.metadata[name] = meta
    return result


# --------------------------------------------------------------------------- timing helpers


def best_of(rounds: int, f: Callable[[], object]) -> tuple[float, float, list[float], object]:
    """Best wall time, the CPU time of this process in that round, all wall times, result."""
    times, cpus, out = [], [], None
    for _ in range(rounds):
        c0, t0 = time.process_time(), time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    best = min(range(rounds), key=times.__getitem__)
    return times[best], cpus[best], times, out


def cpu_busy() -> float:
    with open("/proc/stat") as f:
        parts = [int(v) for v in f.readline().split()[1:]]
    return (sum(parts) - parts[3] - parts[4]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(max_s: float, idle_s: float = 1.0) -> None:
    """Wait (at most ``max_s``) for other processes to leave the CPUs idle for ``idle_s``."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_s:
        b0, w0 = cpu_busy(), time.perf_counter()
        time.sleep(idle_s)
        if cpu_busy() - b0 <= 0.05 * (time.perf_counter() - w0):
            return


def _ignore(done: int, total: int, note: str) -> None:
    pass


# --------------------------------------------------------------------------- detection


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


def detection(datas: list[bytes]) -> bool:
    print("\nDamaged copies reported (old check / new check_image_bytes / check_and_decode):")
    same = True
    for kind, bad in corrupted_copies(datas).items():
        old = [old_check_image_bytes("x.jpg", d) for d in bad]
        draft = [check_image_bytes("x.jpg", d) for d in bad]
        full = []
        for d in bad:
            reason, image = check_and_decode("x.jpg", d)
            if image is not None:
                image.close()
            full.append(reason)
        same &= old == draft == full  # the same files *and* the same reasons
        counts = " / ".join(f"{sum(r is not None for r in rs):4d}" for rs in (old, draft, full))
        print(f"  {kind:20s} {counts}  of {len(bad)}")
    print(f"identical reasons for every copy: {same}")
    return same


def _parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="1,000 files, 1 round")
    p.add_argument(
        "--threads",
        default=f"1,{READ_THREADS}",
        help=f"comma-separated thread counts for check_files (default 1,{READ_THREADS})",
    )
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=None,
        help="before each case wait up to this many seconds for other processes to leave the "
        "CPUs idle (default 2, --quick 0)",
    )
    args = p.parse_args()
    if args.quick:
        args.files, args.rounds = 1_000, 1
    if args.wait_quiet is None:
        args.wait_quiet = 0.0 if args.quick else 2.0
    args.thread_counts = [int(v) for v in args.threads.split(",") if v.strip()]
    return args


_HEADER = (
    f"{'case':34s} {'best s':>7s} {'files/s':>8s} {'vs old':>7s} {'CPU ms/file':>12s}  rounds (s)"
)


def _compare(args: argparse.Namespace, store: LocalStore, names: list[str], metadata: bool) -> bool:
    """Time the old stage and ``check_files`` per thread count; True when all agree."""

    def new(threads: int) -> Callable[[], object]:
        return lambda: check_files(
            store,
            names,
            check_corruptness=True,
            hash_content=True,
            compute_metadata=metadata,
            threads=threads,
            progress=_ignore,
        )

    title = "check + hash + metadata" if metadata else "check + hash (no metadata)"
    cases: dict[str, Callable[[], object]] = {
        "old, 1 thread (reference)": lambda: old_stage(store, names, metadata),
    }
    for threads in args.thread_counts:
        default = " (default)" if threads == READ_THREADS else ""
        cases[f"new, threads={threads}{default}"] = new(threads)
    print(f"\n{title}:\n{_HEADER}")
    agree = True
    base = 0.0
    reference: object = None
    for name, f in cases.items():
        wait_quiet(args.wait_quiet)
        best, cpu, times, out = best_of(args.rounds, f)
        if not base:
            base, reference = best, out
        agree &= out == reference
        print(
            f"{name:34s} {best:7.3f} {len(names) / best:8.0f} {base / best:6.2f}x "
            f"{1000 * cpu / len(names):12.3f}  " + " ".join(f"{t:.2f}" for t in times)
        )
    assert isinstance(reference, CheckResult)
    print(
        f"corrupt: {len(reference.corrupt)}, hashed: {len(reference.hashes)}, "
        f"with metadata: {len(reference.metadata)}"
    )
    return agree


def main() -> None:
    args = _parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="winnow-corrupt-bench-") as tmp:
        t0 = time.perf_counter()
        names = make_files(Path(tmp), args.files)
        store = LocalStore(Path(tmp))
        sizes = [os.path.getsize(Path(tmp) / n) for n in names]
        print(
            f"{len(names):,} JPEGs generated in {time.perf_counter() - t0:.1f} s: "
            f"{sum(sizes) / 1e6:.1f} MB, median {int(np.median(sizes)):,} B, "
            f"64-256 px per side; Pillow {Image.__version__}, {cores} cores"
        )
        busy0, wall0 = cpu_busy(), time.perf_counter()
        agree = True
        for metadata in (False, True):
            agree &= _compare(args, store, names, metadata)
        busy = cpu_busy() - busy0
        wall = time.perf_counter() - wall0
        print(
            f"\nevery case gives the reference's result (corrupt, hashes, metadata): {agree}; "
            f"machine busy {busy / wall:.2f} cores on average (this benchmark included)"
        )
        detection([(Path(tmp) / n).read_bytes() for n in names[:300]])


if __name__ == "__main__":
    main()
