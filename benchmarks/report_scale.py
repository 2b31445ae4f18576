"""Report at scale: time and peak RSS of the reporter for a run of N samples (default 1,000,000).

Builds a run folder as the worker writes it (embeddings CSV N x 32, lightly.* metadata lines,
a selection of k samples) in a temp dir, then renders the full report (report_v2.json, plots,
report.pdf) in a child process, so the printed peak RSS is the reporter's own:

    .venv/bin/python benchmarks/report_scale.py              # N=1,000,000, k=10,000
    .venv/bin/python benchmarks/report_scale.py --n 50000    # quicker

Printed: seconds per phase (load the run folder, build report_v2, thumbnails + plots, PDF),
the peak RSS, and the RSS relative to the float32 embedding matrix (N x 32 x 4 bytes). The
reference in the same run is the cost of just parsing the embeddings CSV, which any reporter
must do.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from winnow_common.config import ReporterSettings
from winnow_common.embeddings_csv import read_embeddings_csv, write_embeddings_csv
from winnow_common.storage import LocalStore, RunKeys

KEYS = RunKeys("run")
DIM = 32


def make_run(root: Path, n: int, k: int) -> None:
    """A run folder with N clustered unit embeddings, k selected, lightly.* metadata."""
    store = LocalStore(root)
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((50, DIM)).astype(np.float32)
    x = centres[rng.integers(0, 50, n)] + 0.3 * rng.standard_normal((n, DIM)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    names = [f"images/{i // 1000:04d}/img_{i:07d}.jpg" for i in range(n)]
    selected = sorted(rng.choice(n, size=k, replace=False).tolist())
    store.write(KEYS.embeddings_csv, write_embeddings_csv(names, x))
    store.write(KEYS.filenames("selected"), "".join(f"{names[i]}\n" for i in selected).encode())
    store.write(KEYS.corruptness_info, json.dumps({"corrupt_samples": {}}).encode())
    store.write(KEYS.exact_duplicates, b"{}")
    store.write(KEYS.config, json.dumps({"docker": {}}).encode())
    store.write(
        KEYS.selection_info,
        json.dumps({"n_input": n, "stop_reason": "n_samples reached", "strategies": []}).encode(),
    )
    sharp = rng.gamma(2.0, 10.0, n)
    size = rng.integers(20_000, 400_000, n)
    lines = (
        json.dumps(
            {"filename": names[i], "lightly": {"sharpness": sharp[i], "sizeInBytes": int(size[i])}}
        )
        for i in range(n)
    )
    store.write(KEYS.metadata, ("\n".join(lines) + "\n").encode())
    store.write(KEYS.predictions, b"{}")


def child(root: Path) -> dict[str, float]:
    """Render the report and return phase times and the peak RSS (run in a fresh process)."""
    from winnow_reporter.pdf import render_pdf
    from winnow_reporter.plots import render_plots
    from winnow_reporter.report import build_report, load_run_outputs, thumbnails_for

    store = LocalStore(root)
    run_info = {"run_id": "bench", "dataset_id": "bench", "dataset_name": "bench"}
    out: dict[str, float] = {}
    t = time.perf_counter()
    read_embeddings_csv(store.read(KEYS.embeddings_csv))
    out["reference: parse embeddings CSV"] = time.perf_counter() - t
    t = time.perf_counter()
    outputs = load_run_outputs(store, KEYS)
    out["load run folder"] = time.perf_counter() - t
    t = time.perf_counter()
    report = build_report(outputs, run_info, ReporterSettings())
    out["build report_v2"] = time.perf_counter() - t
    t = time.perf_counter()
    plots = render_plots(report, thumbnails_for(report, None))
    out["plots"] = time.perf_counter() - t
    t = time.perf_counter()
    pdf = render_pdf(report, plots)
    out["pdf"] = time.perf_counter() - t
    out["pdf_bytes"] = len(pdf)
    out["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--k", type=int, default=10_000)
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        make_run(root, args.n, min(args.k, args.n))
        print(
            f"N={args.n:,} d={DIM} k={min(args.k, args.n):,}: run folder written in "
            f"{time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(root)],
            check=True,
            capture_output=True,
            text=True,
        )
        total = time.perf_counter() - t
    r = json.loads(result.stdout.strip().splitlines()[-1])
    matrix_gib = args.n * DIM * 4 / 2**30
    for phase in (
        "reference: parse embeddings CSV",
        "load run folder",
        "build report_v2",
        "plots",
        "pdf",
    ):
        print(f"  {phase:34s} {r[phase]:8.1f} s")
    report_s = sum(r[ph] for ph in ("load run folder", "build report_v2", "plots", "pdf"))
    print(
        f"  {'report total (child)':34s} {report_s:8.1f} s   "
        f"ratio to CSV parse {report_s / r['reference: parse embeddings CSV']:.2f}x"
    )
    print(f"  child wall time incl. imports     {total:8.1f} s")
    print(
        f"  peak RSS {r['peak_rss_gib']:.2f} GiB (float32 matrix {matrix_gib:.2f} GiB, "
        f"{r['peak_rss_gib'] / matrix_gib:.1f}x); report.pdf {r['pdf_bytes'] / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
