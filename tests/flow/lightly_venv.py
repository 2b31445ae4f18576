"""A throwaway venv with the real ``lightly==1.5.26`` client (no torch), and how to run it.

``pip install --no-deps lightly==1.5.26`` plus the few packages ``lightly.api`` imports; built
once per test session by the ``lightly_python`` fixture (tests/flow/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

LIGHTLY_VERSION = "1.5.26"
# What ``import lightly.api`` needs besides lightly itself (torch is not needed).
CLIENT_DEPS = (
    "requests",
    "tqdm",
    "typing_extensions",
    "pydantic",
    "aenum",
    "python-dateutil",
    "Pillow",
    "numpy",
)


def run_checked(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> str:
    """Run a command; fail the test with its output unless it exits 0. Returns its stdout."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, (
        f"{' '.join(argv[:4])}... exited {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-8000:]}"
    )
    return proc.stdout


def client_env(extra: dict[str, str]) -> dict[str, str]:
    """A clean environment: no proxies, no Winnow venv on the path, only what the client reads."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return {**env, **extra}


def build_lightly_venv(venv: Path) -> Path:
    """Create the venv at ``venv`` with the real client; returns its interpreter."""
    started = time.monotonic()
    run_checked([sys.executable, "-m", "venv", str(venv)], timeout=180)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run_checked([*pip, "--no-deps", f"lightly=={LIGHTLY_VERSION}"], timeout=600)
    run_checked([*pip, *CLIENT_DEPS], timeout=600)
    probe = "import lightly, lightly.api, sys; print(lightly.__version__, 'torch' in sys.modules)"
    out = run_checked([str(python), "-c", probe], timeout=120, env=client_env({})).split()
    assert out == [LIGHTLY_VERSION, "False"], out
    print(f"\nlightly client venv built in {time.monotonic() - started:.1f}s")
    return python
