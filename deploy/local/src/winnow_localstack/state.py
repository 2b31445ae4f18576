"""Layout of the state directory and the small files kept in it."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECRET_KEYS = ("s3_access_key", "s3_secret_key", "api_secret_key", "pg_password")


@dataclass(frozen=True)
class StatePaths:
    """Every path under one state directory."""

    root: Path

    @property
    def logs(self) -> Path:
        """Directory of per-process log files."""
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        """Directory of per-process pid files."""
        return self.root / "pids"

    @property
    def postgres(self) -> Path:
        """Postgres' directory (data dir and socket dir live under it)."""
        return self.root / "postgres"

    @property
    def pg_data(self) -> Path:
        """The Postgres data directory (PGDATA)."""
        return self.postgres / "data"

    @property
    def redis(self) -> Path:
        """Redis' working directory."""
        return self.root / "redis"

    @property
    def s3(self) -> Path:
        """SeaweedFS data directory."""
        return self.root / "s3"

    @property
    def s3_config(self) -> Path:
        """SeaweedFS ``-s3.config`` identities file."""
        return self.root / "s3-identities.json"

    @property
    def stack_json(self) -> Path:
        """Machine-readable record of what runs (pids, ports, env)."""
        return self.root / "stack.json"

    @property
    def stack_env(self) -> Path:
        """``KEY=value`` environment of the running stack."""
        return self.root / "stack.env"

    @property
    def secrets(self) -> Path:
        """Generated-once credentials of this state dir."""
        return self.root / "secrets.json"

    @property
    def lock(self) -> Path:
        """Lock file serialising launcher runs on this state dir."""
        return self.root / ".lock"

    @property
    def statehash(self) -> str:
        """Short stable hash of the resolved state dir path (distinguishes stacks)."""
        return hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:8]

    def log(self, name: str) -> Path:
        """Log file of component ``name``."""
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        """Pid file of component ``name``."""
        return self.pids / f"{name}.pid"

    def ensure(self) -> None:
        """Create the directory skeleton."""
        for path in (self.root, self.logs, self.pids, self.postgres, self.redis, self.s3):
            path.mkdir(parents=True, exist_ok=True)


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Atomically write ``data`` as JSON, readable by the owner only."""
    _write_private(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_json(path: Path) -> dict[str, Any] | None:
    """Read a JSON object; None when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _access_key() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "WNW" + "".join(secrets.choice(alphabet) for _ in range(17))


def load_secrets(paths: StatePaths) -> dict[str, str]:
    """Return this state dir's credentials, generating (and storing) missing ones once."""
    data = {k: str(v) for k, v in (read_json(paths.secrets) or {}).items()}
    generators: dict[str, Callable[[], str]] = {
        "s3_access_key": _access_key,
        "s3_secret_key": lambda: secrets.token_urlsafe(30),
        "api_secret_key": lambda: secrets.token_urlsafe(32),
        "pg_password": lambda: secrets.token_urlsafe(18),
    }
    missing = [k for k in SECRET_KEYS if not data.get(k)]
    for key in missing:
        data[key] = generators[key]()
    if missing:
        write_json(paths.secrets, data)
    return data


def save_secret(paths: StatePaths, key: str, value: str) -> None:
    """Store one more value (e.g. the API token) in the secrets file."""
    data = {k: str(v) for k, v in (read_json(paths.secrets) or {}).items()}
    data[key] = value
    write_json(paths.secrets, data)


def write_env_file(path: Path, env: Mapping[str, str]) -> None:
    """Write ``env`` as ``KEY=value`` lines (owner-readable only)."""
    _write_private(path, "".join(f"{k}={v}\n" for k, v in env.items()))


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``KEY=value`` file; {} when missing."""
    env: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return env
    for line in lines:
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value
    return env
