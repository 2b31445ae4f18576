"""Embedding throughput: Winnow's embed stage vs lightly 1.6's ``lightly-embed`` CLI.

Both embed the same generated JPEGs with the same model (lightly's resnet-18 CLI model,
``num_ftrs=32``, input size 64, identical random-init weights from one checkpoint file, so
``lightly-embed`` makes no download attempt) and the same batch size. Measured, in one run:

* ``lightly-embed`` end to end as a subprocess (interpreter start, imports, hydra, model load,
  decode, inference, CSV write), plus the steady-state rate its own progress bar reports;
* Winnow end to end as a subprocess (same scope: start, imports, checkpoint load, file reads,
  decode, inference, ``.npy`` write), plus the in-process stage time (model build + checkpoint
  load + ``embed_images`` reading the files from disk);
* a float32 run of ours, to report the cosine agreement of the (possibly bf16) embeddings with
  float32 (min and mean), and the agreement of our float32 embeddings with lightly's.

Usage::

    .venv/bin/python benchmarks/embed_throughput.py            # 2,000 images
    .venv/bin/python benchmarks/embed_throughput.py --quick    # 160 images, smoke run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = 1
INPUT_SIZE = 64
NUM_FTRS = 32
MODEL_NAME = "resnet-18"
# Bundled (offline) scikit-image sample photos used as sources for the generated images.
_SOURCES = (
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
)


def make_images(out_dir: Path, n: int, seed: int = 0) -> list[str]:
    """Write ``n`` photo-like JPEGs (random crops, resizes, flips, tints of skimage photos)."""
    import skimage.data
    from PIL import Image

    rng = np.random.default_rng(seed)
    sources = []
    for name in _SOURCES:
        arr = np.asarray(getattr(skimage.data, name)())
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        sources.append(np.ascontiguousarray(arr[..., :3]).astype(np.uint8))
    out_dir.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n):
        src = sources[int(rng.integers(len(sources)))]
        h, w = src.shape[:2]
        frac = rng.uniform(0.35, 1.0)
        ch, cw = max(16, int(h * frac)), max(16, int(w * rng.uniform(0.35, 1.0)))
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        crop = src[y : y + ch, x : x + cw].astype(np.float32)
        crop *= rng.uniform(0.75, 1.25, size=3).astype(np.float32)  # colour cast
        img = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8))
        if rng.random() < 0.5:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        longest = int(rng.integers(240, 641))
        scale = longest / max(img.size)
        img = img.resize(
            (max(8, round(img.width * scale)), max(8, round(img.height * scale))),
            Image.Resampling.BILINEAR,
        )
        name = f"img_{i:05d}.jpg"
        img.save(out_dir / name, format="JPEG", quality=int(rng.integers(75, 96)))
        names.append(name)
    return names


def write_checkpoint(path: Path) -> None:
    """Random-init lightly model (with projection head, so lightly-embed can load it)."""
    from winnow_gpu_worker.ml.models import ModelSpec, build_simclr_model, save_checkpoint

    model = build_simclr_model(ModelSpec(name=MODEL_NAME, num_ftrs=NUM_FTRS), seed=SEED)
    path.write_bytes(save_checkpoint(model))


def run_lightly_embed(
    image_dir: Path, checkpoint: Path, work: Path, batch_size: int, num_workers: int
) -> dict[str, Any]:
    """Run ``lightly-embed`` in ``work`` (its cwd); return timing and the embeddings."""
    work.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("lightly-embed")
    cmd = [
        str(exe),
        f"input_dir={image_dir}",
        f"checkpoint={checkpoint}",
        f"collate.input_size={INPUT_SIZE}",
        f"model.name={MODEL_NAME}",
        f"model.num_ftrs={NUM_FTRS}",
        "model.out_dim=128",
        "model.width=1",
        f"loader.batch_size={batch_size}",
        f"loader.num_workers={num_workers}",
        f"hydra.run.dir={work / 'hydra'}",
    ]
    env = {**os.environ, "HYDRA_FULL_ERROR": "1"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"lightly-embed failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    rates = re.findall(r"([\d.]+)imgs/s", proc.stderr)
    csv_path = work / "embeddings.csv"
    with csv_path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cols = [i for i, h in enumerate(header) if h.startswith("embedding_")]
    names = [r[0] for r in body]
    emb = np.array([[float(r[i]) for i in cols] for r in body], dtype=np.float32)
    return {
        "wall_s": wall,
        "progress_bar_rate": float(rates[-1]) if rates else None,
        "filenames": names,
        "embeddings": emb,
    }


def ours_stage(
    image_dir: Path, checkpoint: Path, batch_size: int, num_workers: int, precision: str
) -> dict[str, Any]:
    """Our embed stage in this process: build + load checkpoint, list files, embed from disk."""
    import functools

    from winnow_gpu_worker.ml.embed import build_backbone, embed_images
    from winnow_gpu_worker.ml.models import ModelSpec

    start = time.perf_counter()
    model, trained = build_backbone(
        checkpoint, seed=SEED, model_cfg=ModelSpec(name=MODEL_NAME, num_ftrs=NUM_FTRS)
    )
    assert trained
    names = sorted(p.name for p in image_dir.iterdir() if p.is_file())
    result = embed_images(
        names,
        functools.partial(_read, str(image_dir)),
        model,
        input_size=INPUT_SIZE,
        batch_size=batch_size,
        num_workers=num_workers,
        device="cpu",
        precision=precision,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - start
    if result.failed:
        raise RuntimeError(f"unexpected decode failures: {list(result.failed)[:5]}")
    return {
        "seconds": seconds,
        "filenames": result.filenames,
        "embeddings": result.embeddings,
        "precision": result.precision,
        "calibration_min_cosine": result.calibration_min_cosine,
    }


def _read(root: str, name: str) -> bytes:
    return (Path(root) / name).read_bytes()


def run_ours_subprocess(
    image_dir: Path,
    checkpoint: Path,
    out: Path,
    batch_size: int,
    num_workers: int,
    precision: str,
) -> dict[str, Any]:
    """Our stage end to end in a fresh interpreter (same scope as the lightly-embed timing)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(image_dir),
        str(checkpoint),
        str(out),
        "--batch-size",
        str(batch_size),
        "--num-workers",
        str(num_workers),
        "--precision",
        precision,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"our embed subprocess failed:\n{proc.stderr[-3000:]}")
    info: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    info["wall_s"] = wall
    info["embeddings"] = np.load(out)
    return info


def cosine_stats(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Row-wise cosine between ``a`` and ``b``: (min, mean)."""
    num = (a * b).sum(axis=1)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    cos = num / np.maximum(den, 1e-12)
    return float(cos.min()), float(cos.mean())


def _child(args: argparse.Namespace) -> None:
    image_dir, checkpoint, out = (Path(p) for p in args.child)
    res = ours_stage(image_dir, checkpoint, args.batch_size, args.num_workers, args.precision)
    np.save(out, res["embeddings"])
    print(
        json.dumps(
            {
                "stage_s": res["seconds"],
                "n": len(res["filenames"]),
                "precision": res["precision"],
                "calibration_min_cosine": res["calibration_min_cosine"],
            }
        )
    )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=2000, help="number of images")
    parser.add_argument("--quick", action="store_true", help="smoke run with 160 images")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--num-workers", type=int, default=1, help="our decode worker processes (-1: all cores)"
    )
    parser.add_argument(
        "--lightly-num-workers", type=int, default=-1, help="lightly-embed loader.num_workers"
    )
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate lightly/winnow runs this often"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep images/outputs here")
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    parser.add_argument(
        "--child", nargs=3, metavar=("IMAGES", "CKPT", "OUT"), help=argparse.SUPPRESS
    )
    return parser.parse_args()


def _alternate_runs(
    args: argparse.Namespace, image_dir: Path, checkpoint: Path, base: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``args.repeat`` end-to-end runs of lightly-embed and of ours, alternating."""
    lightly_runs: list[dict[str, Any]] = []
    ours_runs: list[dict[str, Any]] = []
    for rep in range(args.repeat):
        # Alternate the two so that load from other processes hits both alike.
        lightly_runs.append(
            _with_cpu_time(
                run_lightly_embed,
                image_dir,
                checkpoint,
                base / f"lightly_run{rep}",
                args.batch_size,
                args.lightly_num_workers,
            )
        )
        print(f"lightly-embed run {rep + 1}: {lightly_runs[-1]['wall_s']:.1f}s", flush=True)
        ours_runs.append(
            _with_cpu_time(
                run_ours_subprocess,
                image_dir,
                checkpoint,
                base / "ours.npy",
                args.batch_size,
                args.num_workers,
                args.precision,
            )
        )
        print(f"winnow run {rep + 1}: {ours_runs[-1]['wall_s']:.1f}s", flush=True)
    return lightly_runs, ours_runs


def _results(
    args: argparse.Namespace,
    n: int,
    load_before: list[float],
    runs: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    stages: tuple[dict[str, Any], dict[str, Any]],
) -> dict[str, Any]:
    """Rates, CPU time and cosine agreement from the runs and the in-process stages."""
    lightly_runs, ours_runs = runs
    ours, ref = stages
    lightly, ours_sub = lightly_runs[-1], ours_runs[-1]
    assert ours["filenames"] == ref["filenames"] == lightly["filenames"], "file order differs"
    cos_min, cos_mean = cosine_stats(ours["embeddings"], ref["embeddings"])
    l_min, l_mean = cosine_stats(ref["embeddings"], lightly["embeddings"])
    lo_min, lo_mean = cosine_stats(ours_sub["embeddings"], lightly["embeddings"])

    lightly_rate = max(n / r["wall_s"] for r in lightly_runs)
    ours_rate = max(n / r["wall_s"] for r in ours_runs)
    bar_rates = [r["progress_bar_rate"] for r in lightly_runs if r["progress_bar_rate"]]
    bar_rate = max(bar_rates) if bar_rates else None
    return {
        "images": n,
        "batch_size": args.batch_size,
        "repeat": args.repeat,
        "load_average_before": load_before,
        "lightly_embed_end_to_end_img_s": lightly_rate,
        "lightly_embed_progress_bar_img_s": bar_rate,
        "lightly_embed_cpu_s_per_img": min(r["cpu_s"] for r in lightly_runs) / n,
        "ours_end_to_end_img_s": ours_rate,
        "ours_cpu_s_per_img": min(r["cpu_s"] for r in ours_runs) / n,
        "ours_stage_img_s": n / ours["seconds"],
        "ours_fp32_stage_img_s": n / ref["seconds"],
        "ours_precision": ours["precision"],
        "ratio_end_to_end": ours_rate / lightly_rate,
        "ratio_stage_vs_lightly_progress_bar": (n / ours["seconds"]) / bar_rate
        if bar_rate
        else None,
        "cosine_ours_vs_fp32_min": cos_min,
        "cosine_ours_vs_fp32_mean": cos_mean,
        "cosine_ours_fp32_vs_lightly_min": l_min,
        "cosine_ours_fp32_vs_lightly_mean": l_mean,
        "cosine_ours_vs_lightly_min": lo_min,
        "cosine_ours_vs_lightly_mean": lo_mean,
        "calibration_min_cosine": ours["calibration_min_cosine"],
    }


def _row(label: str, value: float | None, fmt: str = "10.1f") -> None:
    if value is not None:
        print(f"{label:48s}{value:{fmt}}")


def _print_results(results: dict[str, Any]) -> None:
    prec = results["ours_precision"]
    best = " (best of runs)" if results["repeat"] > 1 else ""
    print()
    print(f"{'images/s' + best:>58s}")
    _row("lightly-embed, end to end (subprocess)", results["lightly_embed_end_to_end_img_s"])
    _row(
        "lightly-embed, its progress bar (steady state)",
        results["lightly_embed_progress_bar_img_s"],
    )
    _row("winnow, end to end (subprocess)", results["ours_end_to_end_img_s"])
    _row(f"winnow stage in-process ({prec})", results["ours_stage_img_s"])
    _row("winnow stage in-process (fp32)", results["ours_fp32_stage_img_s"])
    print()
    _row("speed-up, end to end (x)", results["ratio_end_to_end"], "10.2f")
    _row(
        "speed-up, stage vs lightly's bar (x)",
        results["ratio_stage_vs_lightly_progress_bar"],
        "10.2f",
    )
    _row("CPU seconds per image, lightly-embed", results["lightly_embed_cpu_s_per_img"], "10.4f")
    _row("CPU seconds per image, winnow", results["ours_cpu_s_per_img"], "10.4f")
    print()
    cos = (results["cosine_ours_vs_fp32_min"], results["cosine_ours_vs_fp32_mean"])
    print(f"cosine {prec} vs fp32 (ours):      min {cos[0]:.5f}  mean {cos[1]:.5f}")
    cos = (results["cosine_ours_fp32_vs_lightly_min"], results["cosine_ours_fp32_vs_lightly_mean"])
    print(f"cosine ours fp32 vs lightly-embed: min {cos[0]:.5f}  mean {cos[1]:.5f}")
    cos = (results["cosine_ours_vs_lightly_min"], results["cosine_ours_vs_lightly_mean"])
    print(f"cosine ours {prec} vs lightly-embed: min {cos[0]:.5f}  mean {cos[1]:.5f}")
    print(f"load average before the runs: {results['load_average_before']}")


def main() -> None:
    args = _parse_args()
    if args.child:
        _child(args)
        return
    n = 160 if args.quick else args.n

    tmp_ctx = tempfile.TemporaryDirectory(prefix="winnow-embed-bench-")
    base = args.keep or Path(tmp_ctx.name)
    base.mkdir(parents=True, exist_ok=True)
    image_dir = base / "images"
    t0 = time.perf_counter()
    if not image_dir.exists() or len(list(image_dir.iterdir())) != n:
        make_images(image_dir, n)
    print(f"{n} JPEGs in {image_dir} ({time.perf_counter() - t0:.1f}s to generate)", flush=True)
    checkpoint = base / "random_init.ckpt"
    write_checkpoint(checkpoint)

    import torch

    load_before = [round(x, 2) for x in os.getloadavg()]
    print(
        f"torch {torch.__version__}, {os.cpu_count()} CPUs, torch threads "
        f"{torch.get_num_threads()}, batch size {args.batch_size}, input {INPUT_SIZE}px, "
        f"{MODEL_NAME} num_ftrs={NUM_FTRS}",
        flush=True,
    )

    runs = _alternate_runs(args, image_dir, checkpoint, base)
    ours = ours_stage(image_dir, checkpoint, args.batch_size, args.num_workers, args.precision)
    ref = ours_stage(image_dir, checkpoint, args.batch_size, args.num_workers, "fp32")
    results = _results(args, n, load_before, runs, (ours, ref))
    _print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    tmp_ctx.cleanup()


def _with_cpu_time(fn: Any, *fn_args: Any) -> dict[str, Any]:
    """Run ``fn`` and add the CPU seconds its child processes used (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out: dict[str, Any] = fn(*fn_args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out


if __name__ == "__main__":
    main()
