"""Engine and session factory. The edge (API request, Celery task) owns the transaction."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from winnow_common.config import database_settings


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: ``DATABASE_URL``)."""
    settings = database_settings()
    return create_engine(
        url or settings.url, pool_size=settings.pool_size, pool_pre_ping=True, future=True
    )


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to the engine for ``url``; objects stay readable after commit."""
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)
