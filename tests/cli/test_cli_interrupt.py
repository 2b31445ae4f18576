"""Ctrl-C on ``winnow-worker`` mid-run: a one-line message and exit 130, never a traceback."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from PIL import Image

WORKER = Path(sys.executable).with_name("winnow-worker")


def _images(root: Path, n: int) -> None:
    rng = random.Random(1)
    for i in range(n):
        img = Image.new("RGB", (32, 32))
        img.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(32 * 32)])
        img.save(root / f"img_{i:03d}.png")


def test_ctrl_c_during_embedding_exits_130_without_traceback(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    _images(source, 400)
    # Loader processes on: a terminal's Ctrl-C reaches the whole foreground process group,
    # DataLoader children included, and they must not turn it into a crash report.
    env = {**os.environ, "WORKER_NUM_LOADER_WORKERS": "2", "WORKER_DEVICE": "cpu"}
    proc = subprocess.Popen(
        [
            str(WORKER),
            f"input_dir={source}",
            f"output_dir={tmp_path / 'out'}",
            "stopping_condition.n_samples=0.1",
            "lightly.loader.batch_size=4",
            "lightly.collate.input_size=64",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own group: the "terminal" we press Ctrl-C in
    )
    lines: list[str] = []
    embedding = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            # Printed when EMBEDDING starts (the "Embedded n/N" counts only move a progress
            # bar, which a pipe sees once, at the end of the run).
            if "EMBEDDING: Embedding" in line:
                embedding.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert embedding.wait(180), "".join(lines)
        os.killpg(proc.pid, signal.SIGINT)
        sent = time.monotonic()
        code = proc.wait(timeout=60)
        exit_s = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    reader.join(10)
    err = "".join(lines)
    assert code == 130, err
    assert "Traceback" not in err
    assert "winnow-worker: failed: interrupted" in err
    assert "killed by signal" not in err
    assert "SAMPLING" not in err  # it stopped in EMBEDDING, not after the run
    assert exit_s < 30, exit_s
