"""Selection quality: does Winnow's selection serve a model better than a random subset?

On labelled real images available offline -- Fashion-MNIST (Debian's ``dataset-fashion-mnist``)
as it comes (balanced) and with a long-tailed pool (class sizes falling exponentially, largest /
smallest = 50 and 100, as CIFAR-10-LT is built: how unlabelled data usually arrives), and
scikit-learn's handwritten digits (1,797 8x8 scans, upscaled) -- each set is split into a pool,
a held-out split (always balanced) and a small labelled seed set (10 per class). For every
embedding model:

* ``random-init``: the worker's model without a checkpoint (lightly's resnet-18, 32-d, 64 px);
* ``pretrained``: the default model (EfficientNet-Lite0 on ImageNet-1k, 1280-d, 128 px);
* with ``--ssl-epochs E``: lightly's resnet-18 after a short SimCLR training (bf16 autocast on
  the CPU) on ``--ssl-images`` pool images with ``train_simclr`` (what ``enable_training`` does
  in a run, for E epochs only: on 2 CPU cores it trains at about 20 images/s);

the pool is embedded the way the worker does (``rgb_to_array`` + ``embed_dataset``, ImageNet
normalisation, L2-normalised rows as with ``normalize_embeddings``), and the worker's selection
engine picks 1 %, 5 % and 10 % of the pool with DIVERSITY, TYPICALITY, BALANCE (uniform target;
predictions from a 5-NN on the seed set's embeddings, and the true labels as an upper bound),
DIVERSITY+BALANCE and RANDOM (mean of 10 seeds). Each subset is scored by the classes it
covers and the held-out accuracy of a 1-NN and a linear probe (logistic regression on features
standardised with the whole unlabelled pool's statistics) trained on its embeddings and labels.
The table shows each value and its difference to RANDOM.

Embeddings are cached in ``.cache/selection_quality/`` (keyed by model, input size and a hash of
the images), so a second run only selects and scores.

    .venv/bin/python benchmarks/selection_quality.py           # full run (first run ~11 min)
    .venv/bin/python benchmarks/selection_quality.py --quick   # smaller sets, no SSL, 3 seeds
    .venv/bin/python benchmarks/selection_quality.py --sets digits --ssl-epochs 2 --ssl-images 600
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection_quality_lib import (
    FASHION_INSTALL_HINT,
    STRATEGIES,
    LabelledSet,
    Quality,
    budget_sizes,
    evaluate_model,
    find_fashion_mnist,
    knn_accuracy,
    load_digits_set,
    load_fashion_mnist,
    load_fashion_mnist_lt,
    probe_accuracy,
)

from winnow_gpu_worker.ml.embed import (
    build_backbone,
    cpu_supports_bf16,
    embed_dataset,
    l2_normalize,
    rgb_to_array,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO_ROOT / ".cache" / "selection_quality"
FRACTIONS = (0.01, 0.05, 0.10)
SPLITS = ("pool", "test", "seed")


class ArrayImages(Dataset[tuple[torch.Tensor, int, str]]):
    """uint8 grey images ``(N, H, W)`` as the worker's model inputs (``rgb_to_array``)."""

    def __init__(self, images: np.ndarray, input_size: int) -> None:
        self.images = images
        self.input_size = input_size

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int, str]:
        rgb = Image.fromarray(self.images[index]).convert("RGB")
        return torch.from_numpy(rgb_to_array(rgb, self.input_size)), index, ""


def embed_array(images: np.ndarray, model: torch.nn.Module, input_size: int) -> np.ndarray:
    """Embeddings of ``images`` by ``model`` through the worker's ``embed_dataset``."""
    names = [str(i) for i in range(len(images))]
    result = embed_dataset(ArrayImages(images, input_size), names, model, batch_size=64)
    if result.failed:
        raise RuntimeError(f"{len(result.failed)} images failed to embed")
    return result.embeddings


def png_bytes(images: np.ndarray) -> dict[str, bytes]:
    """Each image as PNG bytes by name (what ``train_simclr`` reads)."""
    out: dict[str, bytes] = {}
    for i, img in enumerate(images):
        buf = io.BytesIO()
        Image.fromarray(img).convert("RGB").save(buf, format="PNG")
        out[f"{i:06d}.png"] = buf.getvalue()
    return out


class ModelSource:
    """One embedding model of the benchmark: a name, its input size and how to build it."""

    def __init__(
        self, key: str, label: str, input_size: int, build: Callable[[LabelledSet], torch.nn.Module]
    ) -> None:
        self.key, self.label, self.input_size, self.build = key, label, input_size, build


def _random_init(_data: LabelledSet) -> torch.nn.Module:
    model, _ = build_backbone()
    return model


def _pretrained(_data: LabelledSet) -> torch.nn.Module:
    from winnow_gpu_worker.ml.pretrained import load_pretrained

    return load_pretrained()


def _ssl_builder(epochs: int, n_train: int) -> Callable[[LabelledSet], torch.nn.Module]:
    def build(data: LabelledSet) -> torch.nn.Module:
        from winnow_common.schemas.worker_config import LightlyConfig
        from winnow_gpu_worker.ml.train import train_simclr

        files = png_bytes(data.pool[:n_train])
        cfg = LightlyConfig.model_validate(
            {
                "trainer": {"max_epochs": epochs, "precision": 16},
                "loader": {"batch_size": 64, "num_workers": 0},
            }
        )
        started = time.perf_counter()
        result = train_simclr(sorted(files), files.__getitem__, cfg, device="cpu")
        print(
            f"  SimCLR: {epochs} epochs on {n_train} pool images in "
            f"{time.perf_counter() - started:.0f} s, final loss {result.final_loss:.3f}",
            flush=True,
        )
        return result.model.eval()

    return build


def model_sources(ssl_epochs: int, ssl_images: int) -> list[ModelSource]:
    """The models compared (the SSL one only when ``ssl_epochs`` > 0)."""
    from winnow_gpu_worker.ml.pretrained import PRETRAINED_INPUT_SIZE

    sources = [
        ModelSource("random-init", "lightly resnet-18, random init, 32-d @64", 64, _random_init),
        ModelSource(
            "pretrained",
            f"EfficientNet-Lite0 ImageNet (default), 1280-d @{PRETRAINED_INPUT_SIZE}",
            PRETRAINED_INPUT_SIZE,
            _pretrained,
        ),
    ]
    if ssl_epochs > 0:
        label = f"resnet-18 after SimCLR in the run ({ssl_epochs} ep, {ssl_images} img), @64"
        key = f"ssl-e{ssl_epochs}-n{ssl_images}"
        sources.append(ModelSource(key, label, 64, _ssl_builder(ssl_epochs, ssl_images)))
    return sources


def _data_hash(data: LabelledSet) -> str:
    digest = hashlib.sha256()
    for split in SPLITS:
        digest.update(np.ascontiguousarray(getattr(data, split)).tobytes())
    return digest.hexdigest()[:16]


def embeddings_for(
    data: LabelledSet, source: ModelSource, cache_dir: Path
) -> tuple[dict[str, np.ndarray], float | None]:
    """L2-normalised embeddings of every split; cached. Also images/s when they were computed."""
    path = cache_dir / f"{data.name}-{_data_hash(data)}-{source.key}-{source.input_size}.npz"
    if path.is_file():
        with np.load(path) as stored:
            return {s: stored[s] for s in SPLITS}, None
    model = source.build(data)
    started = time.perf_counter()
    raw = {s: embed_array(getattr(data, s), model, source.input_size) for s in SPLITS}
    rate = sum(len(v) for v in raw.values()) / (time.perf_counter() - started)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez(path, **raw)
    return raw, rate


def _cell(q: Quality, base: Quality | None) -> str:
    if base is None:
        return f"{q.covered:4.1f}       {100 * q.knn:4.1f}        {100 * q.probe:4.1f}       "
    return (
        f"{q.covered:4.1f}({q.covered - base.covered:+4.1f}) "
        f"{100 * q.knn:4.1f}({100 * (q.knn - base.knn):+5.1f}) "
        f"{100 * q.probe:4.1f}({100 * (q.probe - base.probe):+5.1f})"
    )


def print_block(
    data: LabelledSet, source: ModelSource, results: dict[tuple[str, int], Quality]
) -> None:
    """One table: strategies x budgets, each cell classes / kNN % / probe % (diff to RANDOM)."""
    sizes = budget_sizes(len(data.pool), FRACTIONS)
    head = " | ".join(
        f"{f'{100 * f:.0f} % = {n}':^34s}" for f, n in zip(FRACTIONS, sizes, strict=True)
    )
    sub = " | ".join(f"{'classes   1-NN %      probe %':34s}" for _ in sizes)
    print(f"\n{data.name} x {source.key}: {source.label}")
    print(f"{'strategy':24s} | {head}")
    print(f"{'':24s} | {sub}")
    for method in STRATEGIES:
        cells = []
        for n in sizes:
            base = None if method == "RANDOM" else results[("RANDOM", n)]
            cells.append(f"{_cell(results[(method, n)], base):34s}")
        name = "RANDOM (mean of seeds)" if method == "RANDOM" else method
        print(f"{name:24s} | " + " | ".join(cells))


def whole_pool(data: LabelledSet, emb: dict[str, np.ndarray]) -> tuple[float, float]:
    """1-NN and probe accuracy when the whole pool is labelled (the ceiling of any subset)."""
    args = (emb["pool"], data.pool_labels, emb["test"], data.test_labels)
    return knn_accuracy(*args, k=1), probe_accuracy(*args)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def machine_line() -> str:
    """The machine figures printed with the results."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"machine: {cpu}; {os.cpu_count()} CPUs, torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads, bf16 kernels {_yes(cpu_supports_bf16())}, "
        f"CUDA {_yes(torch.cuda.is_available())}; load average {load:.1f}"
    )


Results = dict[tuple[str, str], dict[tuple[str, int], Quality]]


def headline(
    sets: list[LabelledSet], sources: list[ModelSource], results: Results, pools: dict
) -> None:
    """The issue's two acceptance checks, with the figures they rest on."""
    print("\nheadline checks (issue 16)")
    keys = [s.key for s in sources]
    better = True
    for data in sets:
        sizes = budget_sizes(len(data.pool), FRACTIONS)
        parts = []
        for n in sizes:
            rnd = {k: results[(data.name, k)][("RANDOM", n)].probe for k in keys[:2]}
            better &= rnd["pretrained"] > rnd["random-init"]
            parts.append(f"{n}: {100 * rnd['pretrained']:.1f} vs {100 * rnd['random-init']:.1f}")
        full = {k: pools[(data.name, k)][1] for k in keys[:2]}
        better &= full["pretrained"] > full["random-init"]
        print(
            f"  {data.name}: probe accuracy, pretrained vs random-init, random subsets of "
            + ", ".join(parts)
            + f"; whole pool {100 * full['pretrained']:.1f} vs {100 * full['random-init']:.1f}"
        )
    print("  -> pretrained beats random-init in probe accuracy everywhere: " + _yes(better).upper())
    hits = []
    for data in sets:
        n5 = budget_sizes(len(data.pool), FRACTIONS)[1]
        for key in keys:
            res = results[(data.name, key)]
            div, rnd = res[("DIVERSITY", n5)], res[("RANDOM", n5)]
            d_knn, d_probe = 100 * (div.knn - rnd.knn), 100 * (div.probe - rnd.probe)
            print(
                f"  {data.name} x {key}: DIVERSITY - RANDOM at 5 % ({n5}): "
                f"1-NN {d_knn:+.1f}, probe {d_probe:+.1f} points, "
                f"classes {div.covered - rnd.covered:+.1f}"
            )
            if min(d_knn, d_probe) >= 5.0:  # both classifiers, not the better of the two
                hits.append(f"{data.name} x {key}")
    verdict = f"YES ({', '.join(hits)})" if hits else "NO"
    print(
        "  -> DIVERSITY beats RANDOM by >= 5 points (1-NN and probe) at 5 % on at least one "
        f"set: {verdict}"
    )


def load_sets(args: argparse.Namespace) -> list[LabelledSet]:
    """The labelled sets of this run (Fashion-MNIST only when its files are found or fetched)."""
    sets: list[LabelledSet] = []
    if {"fashion", "fashion-lt"} & set(args.sets):
        folder = Path(args.fashion_dir) if args.fashion_dir else find_fashion_mnist(args.cache_dir)
        pool, test = (1000, 400) if args.quick else (3000, 1000)
        if folder is None:
            print(f"Fashion-MNIST not found and not downloadable; install: {FASHION_INSTALL_HINT}")
        if folder is not None and "fashion" in args.sets:
            sets.append(load_fashion_mnist(folder, pool, test))
        if folder is not None and "fashion-lt" in args.sets:
            for imbalance in args.imbalance:
                sets.append(load_fashion_mnist_lt(folder, pool, test, imbalance=imbalance))
    if "digits" in args.sets:
        sets.append(load_digits_set(n_test=500, limit=600 if args.quick else None))
    return sets


def run(args: argparse.Namespace) -> None:
    """Embed, select and score every set x model; print the tables and the headline checks."""
    started = time.perf_counter()
    print(machine_line())
    sets = load_sets(args)
    sources = model_sources(0 if args.quick else args.ssl_epochs, args.ssl_images)
    seeds = 3 if args.quick else args.random_seeds
    print(
        f"budgets {', '.join(f'{100 * f:.0f} %' for f in FRACTIONS)} of the pool; RANDOM = mean "
        f"of {seeds} seeds; BALANCE preds: 5-NN on the labelled seed set's embeddings"
    )
    results: Results = {}
    pools: dict[tuple[str, str], tuple[float, float]] = {}
    for data in sets:
        print(f"\n== {data.describe()}", flush=True)
        for source in sources:
            t0 = time.perf_counter()
            emb, rate = embeddings_for(data, source, args.cache_dir)
            emb = {k: l2_normalize(v) for k, v in emb.items()}
            how = f"embedded at {rate:.0f} images/s" if rate else "embeddings from the cache"
            t1 = time.perf_counter()
            results[(data.name, source.key)] = evaluate_model(data, emb, FRACTIONS, seeds)
            pools[(data.name, source.key)] = whole_pool(data, emb)
            knn, probe = pools[(data.name, source.key)]
            print_block(data, source, results[(data.name, source.key)])
            print(
                f"whole pool labelled ({len(data.pool)}): 1-NN {100 * knn:.1f} %, probe "
                f"{100 * probe:.1f} %.  {source.key}: {how}, {t1 - t0:.0f} s; selection and "
                f"scoring {time.perf_counter() - t1:.0f} s",
                flush=True,
            )
    if sets:
        headline(sets, sources, results, pools)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller sets, no SSL, 3 seeds")
    parser.add_argument(
        "--sets",
        nargs="+",
        default=["fashion", "fashion-lt", "digits"],
        choices=["fashion", "fashion-lt", "digits"],
    )
    parser.add_argument(
        "--imbalance",
        type=float,
        nargs="+",
        default=[50.0, 100.0],
        help="fashion-lt: largest / smallest class size, one set each (CIFAR-10-LT uses 10-100)",
    )
    parser.add_argument("--fashion-dir", help="folder with Fashion-MNIST's *-ubyte.gz files")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--random-seeds", type=int, default=10)
    # Off by default: SimCLR on 2 CPU cores runs at about 7 (fp32) to 20 (bf16) images/s, so
    # even 2 epochs on 1,000 images take minutes and teach the model little.
    parser.add_argument("--ssl-epochs", type=int, default=0, help="> 0: add the SSL model")
    parser.add_argument("--ssl-images", type=int, default=1000, help="pool images SimCLR trains on")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
