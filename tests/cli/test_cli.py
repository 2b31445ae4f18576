"""``winnow-worker``: the standalone CLI runs the worker pipeline and the report without a server.

Tiny images on the CPU with the default (untrained) model: every run takes a few seconds.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from winnow_cli.main import main
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.storage import RunKeys
from winnow_reporter.analysis import projection_process

WORKER = Path(sys.executable).with_name("winnow-worker")
N_DISTINCT = 11  # clean images; plus one exact copy and one corrupt file
KEYS = RunKeys("")
OUTPUT_FILES = [
    KEYS.config,
    KEYS.embeddings_csv,
    KEYS.selected_embeddings_csv,
    KEYS.metadata,
    KEYS.selection_info,
    KEYS.corruptness_info,
    *(KEYS.filenames(kind) for kind in ("corrupt", "duplicate", "removed", "selected")),
    KEYS.report_pdf,
    KEYS.report_json,
]
FAST = ["lightly.loader.batch_size=4"]
# The runs that check one feature embed smaller images: a quarter of the CPU time.
FASTER = [*FAST, "lightly.collate.input_size=32"]


@pytest.fixture(autouse=True)
def _no_loader_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_NUM_LOADER_WORKERS", "0")
    monkeypatch.setenv("WORKER_DEVICE", "cpu")


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """11 distinct images (one in a subfolder), an exact copy of one and a corrupt .png."""
    root = tmp_path_factory.mktemp("input")
    (root / "sub").mkdir()
    rng = random.Random(0)
    for i in range(N_DISTINCT):
        img = Image.new("RGB", (24, 24))
        img.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(24 * 24)])
        img.save(root / ("sub" if i == 5 else ".") / f"img_{i:02d}.png")
    shutil.copy(root / "img_00.png", root / "zz_copy_of_img_00.png")
    (root / "broken.png").write_bytes(b"this is text, not a PNG image\n")
    return root


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line]


def _check_output(out: Path) -> list[str]:
    """The whole output folder of a legacy ``stopping_condition.n_samples=0.3`` run."""
    missing = [key for key in OUTPUT_FILES if not (out / key).is_file()]
    assert not missing
    assert (out / KEYS.report_pdf).read_bytes().startswith(b"%PDF-")
    assert json.loads((out / KEYS.report_json).read_text())

    selected = _lines(out / KEYS.filenames("selected"))
    corrupt = _lines(out / KEYS.filenames("corrupt"))
    duplicate = _lines(out / KEYS.filenames("duplicate"))
    removed = _lines(out / KEYS.filenames("removed"))
    assert corrupt == ["broken.png"]
    assert duplicate == ["zz_copy_of_img_00.png"]
    assert len(selected) == math.ceil(0.3 * N_DISTINCT) == 4
    assert len(set(selected)) == len(selected)
    assert not set(selected) & (set(corrupt) | set(duplicate))
    assert sorted(selected + removed) == sorted(
        [f"img_{i:02d}.png" for i in range(N_DISTINCT) if i != 5] + ["sub/img_05.png"]
    )
    assert "broken.png" in json.loads((out / KEYS.corruptness_info).read_text())["corrupt_samples"]

    info = json.loads((out / KEYS.selection_info).read_text())
    assert info["n_input"] == N_DISTINCT + 2
    assert info["n_corrupt"] == 1
    assert info["n_duplicate"] == 1
    assert info["n_candidates"] == N_DISTINCT
    assert info["n_selected"] == len(selected)

    embedded = _lines(out / KEYS.embeddings_csv)
    assert len(embedded) == N_DISTINCT + 1  # header + one row per clean image
    assert len(_lines(out / KEYS.selected_embeddings_csv)) == len(selected) + 1
    return selected


def test_legacy_run_in_process_writes_the_lightly_output_folder(
    input_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[bool] = []
    real_start = projection_process.start
    monkeypatch.setattr(projection_process, "start", lambda: started.append(real_start()))
    prefetched: list[tuple[np.ndarray, dict[str, object]]] = []
    real_prefetch = projection_process.prefetch

    def prefetch(x: np.ndarray, **kwargs: object) -> bool:
        prefetched.append((np.array(x), kwargs))
        return real_prefetch(x, **kwargs)

    monkeypatch.setattr(projection_process, "prefetch", prefetch)
    out = tmp_path / "out"
    argv = [
        f"input_dir={input_dir}",
        f"output_dir={out}",
        "remove_exact_duplicates=True",
        "enable_corruptness_check=True",
        "stopping_condition.n_samples=0.3",
        *FAST,
    ]
    assert main(argv) == 0
    _check_output(out)
    # the run forked its projection process where that is safe, and ended it
    assert len(started) == 1 and projection_process._process is None
    # the report's projection was started on the run's embeddings, with the report's arguments
    # (so that the report takes it), as soon as EMBEDDING had them
    _, rows, _ = read_embeddings_csv((out / KEYS.embeddings_csv).read_bytes())
    assert len(prefetched) == 1
    np.testing.assert_array_equal(prefetched[0][0], rows)
    assert prefetched[0][1] == {"max_points": 2000, "seed": 0, "umap_neighbors": (5, 15, 50)}
    config = json.loads((out / KEYS.config).read_text())
    assert config["selection"]["proportionSamples"] == 0.3
    captured = capsys.readouterr()
    assert captured.out == ""  # progress and summary go to stderr
    assert "SAMPLING" in captured.err
    assert "Selected 4 of 13 images" in captured.err


def test_count_stopping_condition_and_output_inside_the_input_dir(
    input_dir: Path, tmp_path: Path
) -> None:
    """``n_samples=5`` is a count; an output folder inside input_dir is never read as input."""
    work = tmp_path / "images"
    shutil.copytree(input_dir, work)
    out = work / "results"
    # As if left by an earlier run: images in the output folder are not input.
    (out / "plots").mkdir(parents=True)
    shutil.copy(work / "img_01.png", out / "plots" / "old_plot.png")
    argv = [f"input_dir={work}", f"output_dir={out}", "stopping_condition.n_samples=5", *FASTER]
    assert main(argv) == 0
    info = json.loads((out / KEYS.selection_info).read_text())
    assert info["n_input"] == N_DISTINCT + 2
    assert info["n_duplicate"] == 1
    assert len(_lines(out / KEYS.filenames("selected"))) == 5


def test_console_script_runs_the_same_pipeline(input_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "WORKER_NUM_LOADER_WORKERS": "0", "WORKER_DEVICE": "cpu"}
    proc = subprocess.run(
        [
            str(WORKER),
            f"input_dir={input_dir}",
            f"output_dir={out}",
            "remove_exact_duplicates=True",
            "stopping_condition.n_samples=0.3",
            *FAST,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "CHECKING_CORRUPTNESS" in proc.stderr
    _check_output(out)


def test_dump_dataset_writes_small_pngs(input_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = [
        f"input_dir={input_dir}",
        f"output_dir={out}",
        "stopping_condition.n_samples=3",
        "dump_dataset=True",
        "output_image_format=png",
        "output_image_size=16",
        *FAST,
    ]
    assert main(argv) == 0
    selected = _lines(out / KEYS.filenames("selected"))
    dumped = sorted(p for p in (out / "data" / "sampled").rglob("*") if p.is_file())
    assert len(dumped) == len(selected) == 3
    assert sorted(p.relative_to(out / "data" / "sampled").as_posix() for p in dumped) == sorted(
        str(Path(name).with_suffix(".png")) for name in selected
    )
    for path in dumped:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "PNG"
            assert max(img.size) <= 16


def test_random_weights_selection_is_reproducible(input_dir: Path, tmp_path: Path) -> None:
    strategies = "[{input: {type: RANDOM, randomSeed: 1}, strategy: {type: WEIGHTS}}]"
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        argv = [
            f"input_dir={input_dir}",
            f"output_dir={out}",
            "selection.n_samples=5",
            f"selection.strategies={strategies}",
            *FASTER,
        ]
        assert main(argv) == 0
        selected = _lines(out / KEYS.filenames("selected"))
        assert len(selected) == 5
        assert not {"broken.png", "zz_copy_of_img_00.png"} & set(selected)
        info = json.loads((out / KEYS.selection_info).read_text())
        assert [(s["strategy"], s["input"]) for s in info["strategies"]] == [("WEIGHTS", "RANDOM")]
        runs.append(selected)
    assert runs[0] == runs[1]


def test_help_lists_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for option in (
        "input_dir",
        "output_dir",
        "shared_dir",
        "remove_exact_duplicates",
        "stopping_condition.n_samples",
        "dump_dataset",
        "output_image_size",
        "corruptness_check.corruption_threshold",
        "lightly.loader.batch_size",
        "lightly.collate.input_size",
        "lightly.model.name",
        "selection.n_samples",
        "selection.proportion_samples",
        "selection.strategies",
        "input.random_seed",
        "strategy.type",
        "WORKER_NUM_LOADER_WORKERS",
    ):
        assert option in text, option


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["remove_exact_duplicate=True"],
            "Did you mean 'remove_exact_duplicates'?",
        ),
        (
            ["lightly.loader.batchsize=4"],
            "Did you mean 'lightly.loader.batch_size'?",
        ),
        (["loader.batch_size=4"], "Did you mean 'lightly.loader'?"),
        (["stopping_condition.n_samples=-1"], "stopping_condition.n_samples"),
        (["not-an-override"], "expected key=value"),
        (["selection.strategies=[{input:"], "cannot parse"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    input_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: str,
) -> None:
    base = [f"input_dir={input_dir}", f"output_dir={tmp_path / 'out'}"]
    assert main([*base, "stopping_condition.n_samples=3", *args]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_or_bad_directories_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([f"output_dir={tmp_path}", "stopping_condition.n_samples=3"]) == 2
    assert "input_dir=DIR and output_dir=DIR are required" in capsys.readouterr().err
    missing = tmp_path / "missing"
    argv = [
        f"input_dir={missing}",
        f"output_dir={tmp_path / 'o'}",
        "stopping_condition.n_samples=3",
    ]
    assert main(argv) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert main([f"input_dir={tmp_path}", f"output_dir={tmp_path / 'o'}"]) == 2
    assert "stopping_condition.n_samples" in capsys.readouterr().err


def test_pipeline_failure_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no images here")
    argv = [f"input_dir={empty}", f"output_dir={tmp_path / 'o'}", "stopping_condition.n_samples=3"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "winnow-worker: failed: no image or video files found" in err
    assert "Traceback" not in err


def test_console_script_reports_a_bad_key_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(WORKER), f"input_dir={tmp_path}", f"output_dir={tmp_path / 'o'}", "dump_datset=1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Did you mean 'dump_dataset'?" in proc.stderr
    assert "Traceback" not in proc.stderr
