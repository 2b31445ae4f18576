"""Outages are waited out: database, broker and storage errors that mean "not reachable now".

Only those are retried. An error in the run's own input (a missing file, a bad config, refused
credentials) is an answer, and retrying it would only delay the FAILED it deserves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from winnow_common.errors import StorageUnavailable
from winnow_common.storage.retrying import backoff_delays

log = logging.getLogger(__name__)

T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` says a server is unreachable (worth waiting for), not that input is bad."""
    if isinstance(exc, StorageUnavailable | OperationalError | InterfaceError | BrokerError):
        return True
    if isinstance(exc, RedisConnectionError | RedisTimeoutError | ConnectionError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def retry_transient(fn: Callable[[], T], *, budget_s: float, what: str) -> T:
    """Call ``fn`` until it succeeds or fails with a non-transient error, for ``budget_s``.

    Backoff is exponential (0.5 s doubling, at most 10 s between tries); the last transient
    error is raised once the budget is spent.
    """
    delays = backoff_delays(budget_s)
    while True:
        try:
            return fn()
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                log.error("%s: gave up after %.0fs: %s", what, budget_s, exc)
                raise
            log.warning("%s: %s unreachable, retrying in %.1fs", what, type(exc).__name__, delay)
            time.sleep(delay)
