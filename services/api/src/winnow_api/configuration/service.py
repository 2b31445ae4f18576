"""Custom metadata configurations: stored rows, and their use by runs.

Every configuration of a dataset is a row (``metadata_configuration``). The dataset's
configured entries are also written to ``.lightly/metadata/schema.json`` in its LIGHTLY
datasource (Lightly's datasource format, the same ``ConfigurationEntry`` objects), which the
worker's METADATA input reads: a configured path is read as its ``valueDataType`` and its
``defaultValue`` stands in for a sample that lacks it. When several configurations name one
path, the newest wins. The file is rewritten from the rows each time, so it is always theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.samples import lightly_inputs
from winnow_common.db.models import MetadataConfiguration, User
from winnow_common.db.repositories import metadata_configurations as configuration_repo
from winnow_common.db.repositories._base import UniqueViolation
from winnow_common.errors import DatasetNotFound, InvalidInput
from winnow_common.schemas.wire_configuration import ConfigurationSetRequest
from winnow_common.storage.lightly_inputs import METADATA_SCHEMA_KEY


def schema_entries(configurations: Sequence[MetadataConfiguration]) -> list[dict[str, Any]]:
    """The entries of ``schema.json``: every configured path once (first-configured order),
    with the entry of the newest configuration that names it (``configurations`` oldest
    first)."""
    by_path: dict[str, dict[str, Any]] = {}
    for configuration in configurations:
        for entry in configuration.configs:
            by_path[entry["path"]] = entry
    return list(by_path.values())


def create(
    session: Session, user: User, dataset_id: str, body: ConfigurationSetRequest
) -> MetadataConfiguration:
    """Store the configuration and rewrite the dataset's ``schema.json``."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    paths = [entry.path for entry in body.configs]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise InvalidInput(f"configs: each path may be configured once, repeated: {repeated}")
    store = lightly_inputs.lightly_store(session, dataset.id)
    row = MetadataConfiguration(
        dataset_id=dataset.id, name=body.name, configs=[e.entry() for e in body.configs]
    )
    try:
        configuration_repo.add(session, row)
    except UniqueViolation as exc:
        raise DatasetNotFound(dataset.id) from exc
    entries = schema_entries(configuration_repo.of_dataset(session, dataset.id))
    lightly_inputs.write_json(store, METADATA_SCHEMA_KEY, entries)
    return row
