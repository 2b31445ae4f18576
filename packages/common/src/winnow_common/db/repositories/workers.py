"""Registered compute workers (Lightly's ``DockerWorkerRegistryEntry``) and their heartbeats."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from winnow_common.db.models import ComputeWorker
from winnow_common.enums import ComputeWorkerState
from winnow_common.ids import now_ms


def get(session: Session, worker_id: str) -> ComputeWorker | None:
    """The registered worker, whoever owns it."""
    return session.get(ComputeWorker, worker_id)


def get_owned(session: Session, worker_id: str, user_id: str) -> ComputeWorker | None:
    """The registered worker when ``user_id`` owns it."""
    row = session.get(ComputeWorker, worker_id)
    if row is None or row.user_id != user_id:
        return None
    return row


def of_user(session: Session, user_id: str) -> Sequence[ComputeWorker]:
    """The user's registered workers, oldest first."""
    return session.scalars(
        select(ComputeWorker).where(ComputeWorker.user_id == user_id).order_by(ComputeWorker.id)
    ).all()


def register(
    session: Session,
    user_id: str,
    name: str,
    worker_type: str,
    labels: list[str],
    docker_version: str | None,
) -> str:
    """Register a worker by name; the same name again updates its labels. Its id.

    One ``INSERT ... ON CONFLICT (user_id, name) DO UPDATE`` so that two concurrent
    registrations of one name cannot both insert or fail on the unique constraint.
    """
    now = now_ms()
    values = insert(ComputeWorker).values(
        user_id=user_id,
        name=name,
        worker_type=worker_type,
        state=ComputeWorkerState.OFFLINE.value,
        labels=labels,
        docker_version=docker_version,
        created_at=now,
        last_modified_at=now,
    )
    upsert = values.on_conflict_do_update(
        index_elements=[ComputeWorker.user_id, ComputeWorker.name],
        set_={
            "labels": values.excluded.labels,
            # Keep the recorded version when a re-registration does not send one.
            "docker_version": values.excluded.docker_version
            if docker_version is not None
            else ComputeWorker.docker_version,
            "last_modified_at": now,
        },
    ).returning(ComputeWorker.id)
    return str(session.execute(upsert).scalar_one())


def delete(session: Session, row: ComputeWorker) -> None:
    """Remove a registered worker; its runs keep existing (their ``worker_id`` is nulled)."""
    session.delete(row)
    session.flush()


def set_state(session: Session, worker_id: str, state: ComputeWorkerState) -> None:
    """Record the worker's state (a no-op for a deleted worker)."""
    session.execute(
        update(ComputeWorker)
        .where(ComputeWorker.id == worker_id)
        .values(state=state.value, last_modified_at=now_ms())
    )


def set_offline(session: Session, worker_id: str) -> None:
    """Mark the worker OFFLINE."""
    session.execute(
        update(ComputeWorker)
        .where(ComputeWorker.id == worker_id)
        .values(state=ComputeWorkerState.OFFLINE.value)
    )


def record_heartbeat(session: Session, worker_id: str, state: ComputeWorkerState, now: int) -> None:
    """Write the worker's ``lastSeen`` and its state (``lastModifiedAt`` moves only with the
    state, not with every beat)."""
    session.execute(
        update(ComputeWorker).where(ComputeWorker.id == worker_id).values(last_seen_at=now)
    )
    session.execute(
        update(ComputeWorker)
        .where(ComputeWorker.id == worker_id, ComputeWorker.state != state.value)
        .values(state=state.value, last_modified_at=now)
    )


def mark_silent_offline(session: Session, cutoff: int) -> list[str]:
    """Mark OFFLINE every worker whose last heartbeat is older than ``cutoff``; their ids."""
    rows = session.scalars(
        update(ComputeWorker)
        .where(
            ComputeWorker.state != ComputeWorkerState.OFFLINE.value,
            ComputeWorker.last_seen_at.is_not(None),
            ComputeWorker.last_seen_at < cutoff,
        )
        .values(state=ComputeWorkerState.OFFLINE.value)
        .returning(ComputeWorker.id)
    )
    return list(rows)
