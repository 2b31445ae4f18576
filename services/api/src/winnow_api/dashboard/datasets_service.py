"""What the dashboard's dataset pages need beyond the lightly-wire routes: the caller's role and
one page of samples with their signed read URLs (one request per page, not one per sample)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.datasources import service as datasource_service
from winnow_api.signing import sample_read_url
from winnow_common.db.models import Sample, User
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.db.repositories.datasets import DatasetRole
from winnow_common.errors import DatasourceNotFound


@dataclass(frozen=True)
class SamplesPage:
    """A page of samples in bit order; ``urls`` is None when no INPUT datasource is set (the
    files cannot be read), else one signed, token-free URL per sample."""

    total: int
    samples: Sequence[Sample]
    urls: list[str] | None


def role(session: Session, user: User, dataset_id: str) -> DatasetRole:
    """The caller's role in the dataset (owner or collaborator); 404 for anyone else."""
    return dataset_service.access(session, user, dataset_id).role


def samples_page(
    session: Session, user: User, dataset_id: str, *, offset: int, limit: int
) -> SamplesPage:
    """``limit`` samples from index ``offset`` with read URLs (owner and collaborators)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    samples = sample_repo.page(session, dataset.id, offset=offset, limit=limit)
    total = sample_repo.count(session, dataset.id)
    try:
        datasource_service.input_source(session, dataset.id)
    except DatasourceNotFound:
        return SamplesPage(total, samples, None)
    return SamplesPage(total, samples, [sample_read_url(dataset.id, s.id) for s in samples])
