"""PostgreSQL 16 from pgserver's bundled binaries, on a loopback TCP port."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import stat
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from . import procs
from .binaries import pg_bin_dir
from .errors import StackError
from .ports import HOST
from .state import StatePaths

COMPONENT = "postgres"
SUPERUSER = "postgres"
DATABASE = "winnow"
MAX_CONNECTIONS = 200
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leave room for ".s.PGSQL.65535"


def os_user() -> tuple[int, int] | None:
    """``(uid, gid)`` to run Postgres as: None normally, a non-root account when root.

    Postgres refuses to run as root; then the ``postgres`` (or ``pgserver``) account is used
    when present, else ``nobody``.
    """
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("WINNOW_PG_OS_USER"), "postgres", "pgserver", "nobody"):
        if not name:
            continue
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    raise StackError(COMPONENT, "running as root and no unprivileged account to run Postgres as")


def _allow_traversal(path: Path) -> None:
    """Give others execute (traverse) permission on ``path`` and each ancestor."""
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _chown_tree(path: Path, user: tuple[int, int]) -> None:
    uid, gid = user
    st = path.stat()
    if (st.st_uid, st.st_gid) == (uid, gid):
        return
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)


def socket_dir(paths: StatePaths) -> Path:
    """Unix socket directory: inside the state dir unless that path is too long."""
    inside = paths.postgres / "run"
    if len(str(inside.resolve())) <= _SOCKET_PATH_MAX - len("/.s.PGSQL.65535"):
        return inside
    return Path(tempfile.gettempdir()) / f"winnow-pg-{paths.statehash}"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.setdefault("LC_ALL", "C")
    return env


def prepare(paths: StatePaths, password: str) -> None:
    """Create the data dir (initdb, once) and the socket dir, owned by the right account."""
    user = os_user()
    sock = socket_dir(paths)
    paths.pg_data.mkdir(parents=True, exist_ok=True)
    sock.mkdir(parents=True, exist_ok=True)
    paths.pg_data.chmod(0o700)
    if user is not None:
        _allow_traversal(paths.postgres)
        _allow_traversal(sock)
        _allow_traversal(pg_bin_dir())
        _chown_tree(paths.pg_data, user)
        _chown_tree(sock, user)
    if (paths.pg_data / "PG_VERSION").exists():
        return
    log = paths.log(COMPONENT)
    pwfile = paths.postgres / ".pwfile"
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    if user is not None:
        os.chown(pwfile, *user)
    argv = [
        str(pg_bin_dir() / "initdb"),
        "-D", str(paths.pg_data),
        "-U", SUPERUSER,
        f"--pwfile={pwfile}",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
        "--no-instructions",
    ]  # fmt: skip
    try:
        proc = procs.spawn(argv, log=log, env=_env(), cwd=paths.postgres, user=user)
        code = proc.wait(timeout=120)
    except subprocess.TimeoutExpired as exc:
        raise StackError(COMPONENT, "initdb timed out", log) from exc
    finally:
        pwfile.unlink(missing_ok=True)
    if code != 0:
        raise StackError(COMPONENT, f"initdb failed with exit code {code}", log)


def start(paths: StatePaths, port: int) -> subprocess.Popen[bytes]:
    """Start the postmaster on ``127.0.0.1:port`` (data dir must be prepared)."""
    argv = [
        str(pg_bin_dir() / "postgres"),
        "-D", str(paths.pg_data),
        "-c", f"listen_addresses={HOST}",
        "-c", f"port={port}",
        "-c", f"unix_socket_directories={socket_dir(paths)}",
        "-c", f"max_connections={MAX_CONNECTIONS}",
        "-c", "logging_collector=off",
    ]  # fmt: skip
    return procs.spawn(
        argv, log=paths.log(COMPONENT), env=_env(), cwd=paths.postgres, user=os_user()
    )


def url(port: int, password: str, database: str = DATABASE, host: str = HOST) -> str:
    """SQLAlchemy URL (psycopg 3 driver) of the local server."""
    return f"postgresql+psycopg://{SUPERUSER}:{quote(password, safe='')}@{host}:{port}/{database}"


def sqlalchemy_url(raw: str) -> str:
    """Normalise ``postgres://``/``postgresql://`` URLs to the psycopg 3 SQLAlchemy driver."""
    parts = urlsplit(raw)
    if parts.scheme in ("postgres", "postgresql"):
        return urlunsplit(parts._replace(scheme="postgresql+psycopg"))
    return raw


def libpq_url(raw: str) -> str:
    """The URL as psycopg/libpq accepts it (no ``+driver`` in the scheme)."""
    parts = urlsplit(raw)
    if parts.scheme.startswith("postgresql+") or parts.scheme == "postgres":
        return urlunsplit(parts._replace(scheme="postgresql"))
    return raw


def ready(database_url: str, timeout: float = 2.0) -> bool:
    """True when the server behind ``database_url`` answers ``SELECT 1``."""
    import psycopg

    try:
        with psycopg.connect(libpq_url(database_url), connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def ensure_database(port: int, password: str, name: str = DATABASE) -> None:
    """Create database ``name`` if it does not exist."""
    import psycopg

    admin = libpq_url(url(port, password, database="postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if row is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def stop(paths: StatePaths, pid: int | None) -> None:
    """``pg_ctl stop -m fast``; then make sure the postmaster's process group is gone."""
    if pid and procs.pid_alive(pid) and (paths.pg_data / "postmaster.pid").exists():
        argv = [str(pg_bin_dir() / "pg_ctl"), "stop", "-D", str(paths.pg_data), "-m", "fast"]
        argv += ["-w", "-t", "15"]
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            user = os_user()
            subprocess.run(
                argv,
                env=_env(),
                cwd=paths.postgres,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=20,
                check=False,
                user=user[0] if user else None,
                group=user[1] if user else None,
                extra_groups=[] if user else None,
            )
    procs.stop(pid, group=True, sig=signal.SIGINT)
