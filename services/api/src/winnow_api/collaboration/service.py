"""Sharing rules: only the owner shares (collaborators get 403) and sharing replaces the
config's users; owner and collaborators may look. Access itself is checked by
``dataset_service.access`` on every request, so a revoked email loses access at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_common.db.models import SharedAccessConfig, User
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import shares as share_repo
from winnow_common.errors import Conflict
from winnow_common.schemas.wire import SharedAccessConfigCreateRequest


def share(
    session: Session, user: User, dataset_id: str, body: SharedAccessConfigCreateRequest
) -> SharedAccessConfig:
    """Replace the users of the dataset's config of ``body.access_type`` (created if missing).

    ``teams`` is only replaced when sent. Only the owner may (a collaborator gets 403).
    """
    dataset = dataset_service.get_owned(session, user, dataset_id, "change who it is shared with")
    config = share_repo.get(session, dataset.id, body.access_type)
    if config is None:
        config = SharedAccessConfig(
            dataset_id=dataset.id, owner=dataset.user_id, access_type=body.access_type, teams=[]
        )
    # dict.fromkeys: drop duplicates but keep the order the caller gave.
    config.users = list(dict.fromkeys(body.users or []))
    if body.teams is not None:
        config.teams = list(dict.fromkeys(body.teams))
    try:
        share_repo.save(session, config)
    except UniqueViolation as exc:
        # Two first shares at once: the loser answers 409, which the client retries.
        raise Conflict(f"dataset {dataset.id} is being shared concurrently; retry") from exc
    return config


def configs(session: Session, user: User, dataset_id: str) -> Sequence[SharedAccessConfig]:
    """The dataset's share configs (none if it was never shared); its owner and its
    collaborators may look."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return share_repo.of_dataset(session, dataset.id)
