"""The pipeline tests' folders: an INPUT and a LIGHTLY root, each a fresh tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(input root, LIGHTLY root), both empty."""
    inp, lightly = tmp_path / "input", tmp_path / "lightly"
    inp.mkdir()
    lightly.mkdir()
    return inp, lightly
