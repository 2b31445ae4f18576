"""The dashboard's files ship in its package: a non-editable install (the API image) serves
every page module and stylesheet, not only the ones a glob happened to name."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "services" / "dashboard"
STATIC = DASHBOARD / "src" / "winnow_dashboard" / "static"


def test_the_wheel_holds_every_static_file(tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves a build/ folder next to the sources it builds.
    source = tmp_path / "dashboard"
    shutil.copytree(DASHBOARD, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("winnow_dashboard-*.whl")
    prefix = "winnow_dashboard/static/"
    shipped = {n[len(prefix) :] for n in zipfile.ZipFile(wheel).namelist() if n.startswith(prefix)}
    on_disk = {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}
    assert on_disk and shipped == on_disk
