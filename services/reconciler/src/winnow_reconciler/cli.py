"""``winnow-reconciler``: the reconciler loop (default), one pass (``--once``), or a health check.

Why its own loop and not Celery beat: beat would need a worker consuming a queue on the very
broker whose outages the reconciler must outlive (a Redis restart would also drop the beat
tick messages), while a plain loop keeps repairing leases in Postgres with Redis down.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import (
    database_settings,
    reconciler_settings,
    redis_settings,
    run_settings,
)
from winnow_common.jobs.celery_app import create_celery_app
from winnow_reconciler.loop import health_ok, reconcile_once, run_forever

log = logging.getLogger("winnow_reconciler")

# Outages must not stall a pass for long: connect quickly, fail quickly, try again next pass.
_DB_CONNECT_TIMEOUT_S = 5
_REDIS_TIMEOUT_S = 5.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="winnow-reconciler",
        description=(
            "Re-queue runs whose lease expired (bounded by RUN_MAX_ATTEMPTS), mark silent "
            "workers OFFLINE and re-publish messages the broker lost, every "
            "RECONCILER_INTERVAL_S seconds."
        ),
    )
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    parser.add_argument(
        "--health-file",
        type=Path,
        default=None,
        help="file the loop touches after every pass (for container health checks)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 0 when --health-file was touched recently (a health check), else 1",
    )
    return parser


def session_factory() -> sessionmaker[Session]:
    """Sessions on a small engine of the reconciler's own (short connect timeout)."""
    settings = database_settings()
    engine = create_engine(
        settings.url,
        pool_size=2,
        max_overflow=2,
        pool_pre_ping=True,
        connect_args={"connect_timeout": _DB_CONNECT_TIMEOUT_S},
    )
    return sessionmaker(bind=engine, expire_on_commit=False)


def redis_client() -> Any:
    """A Redis client on the broker (``REDIS_URL``), for what the queues still hold."""
    import redis

    return redis.Redis.from_url(
        redis_settings().url,
        socket_connect_timeout=_REDIS_TIMEOUT_S,
        socket_timeout=_REDIS_TIMEOUT_S,
    )


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Celery's and kombu's own retries are noisy at INFO during a broker outage.
    for name in ("kombu", "celery", "amqp"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point."""
    args = _parser().parse_args(argv)
    if args.check:
        if args.health_file is None:
            print("winnow-reconciler: --check needs --health-file", file=sys.stderr)
            return 2
        return 0 if health_ok(args.health_file, reconciler_settings().interval_s) else 1
    _configure_logging()
    runs, reconciler = run_settings(), reconciler_settings()
    sessions = session_factory()
    app = create_celery_app("winnow-reconciler")
    broker = redis_client()
    if args.once:
        report = reconcile_once(sessions, app, broker, runs, reconciler)
        return 1 if report.database_error else 0

    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current pass", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run_forever(sessions, app, broker, runs, reconciler, stop, args.health_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
