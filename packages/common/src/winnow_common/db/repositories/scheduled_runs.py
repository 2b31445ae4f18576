"""Scheduled runs (``ScheduledRun``) and the worker configs they run."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import ScheduledRun, WorkerConfig


def add(session: Session, scheduled: ScheduledRun) -> None:
    """Insert a scheduled run."""
    session.add(scheduled)
    session.flush()


def get(session: Session, scheduled_id: str) -> ScheduledRun | None:
    """A scheduled run, whoever owns it."""
    return session.get(ScheduledRun, scheduled_id)


def of_dataset(session: Session, dataset_id: str, states: Sequence[str]) -> Sequence[ScheduledRun]:
    """The dataset's scheduled runs in one of ``states``, oldest first."""
    return session.scalars(
        select(ScheduledRun)
        .where(ScheduledRun.dataset_id == dataset_id, ScheduledRun.state.in_(states))
        .order_by(ScheduledRun.id)
    ).all()


def get_config(session: Session, config_id: str) -> WorkerConfig | None:
    """A stored worker config, whoever owns it."""
    return session.get(WorkerConfig, config_id)


def add_config(session: Session, config: WorkerConfig) -> None:
    """Insert a (validated) worker config."""
    session.add(config)
    session.flush()
