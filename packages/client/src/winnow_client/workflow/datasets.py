"""``DatasetsMixin``: create, find, choose and delete datasets (lightly's ``_DatasetsMixin``)."""

from __future__ import annotations

import warnings

from winnow_client.generated.api.datasets import (
    create_dataset as api_create_dataset,
)
from winnow_client.generated.api.datasets import (
    delete_dataset,
    get_dataset,
    list_datasets,
    query_datasets_by_name,
)
from winnow_client.generated.models import (
    CreateEntityResponse,
    Creator,
    DatasetCreateRequest,
    DatasetData,
    DatasetType,
)
from winnow_client.generated.types import UNSET, Unset
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import PAGE_SIZE, check, ok, ok_list, paginate, wire_value
from winnow_client.workflow.errors import WinnowApiError


class DatasetsMixin(WorkflowBase):
    """The current dataset (``dataset_id``) and the dataset routes."""

    @property
    def dataset_id(self) -> str:
        """The current dataset; unset, the caller's most recently modified dataset."""
        if self._dataset_id is None:
            datasets = self.get_datasets()
            if not datasets:
                raise ValueError("no dataset: create one with create_dataset() first")
            latest = max(datasets, key=lambda d: d.last_modified_at)
            warnings.warn(
                f"Dataset has not been specified, taking the last modified dataset "
                f"{latest.name} as default dataset.",
                stacklevel=2,
            )
            self._dataset_id = latest.id
        return self._dataset_id

    @dataset_id.setter
    def dataset_id(self, dataset_id: str) -> None:
        if not self.dataset_exists(dataset_id):
            raise ValueError(f"A dataset with the id {dataset_id} does not exist.")
        self._dataset_id = dataset_id

    def create_dataset(
        self, dataset_name: str, dataset_type: str | DatasetType = DatasetType.IMAGES
    ) -> None:
        """Create a dataset and make it the current one; ``ValueError`` if the name is taken."""
        if self.get_datasets_by_name(dataset_name, shared=False):
            raise ValueError(
                f"A dataset with the name '{dataset_name}' already exists! Please use "
                "the `set_dataset_id_by_name()` method instead if you intend to reuse "
                "an existing dataset."
            )
        body = DatasetCreateRequest(
            name=dataset_name, type_=DatasetType(wire_value(dataset_type)), creator=Creator.USER_PIP
        )
        created = ok(
            api_create_dataset.sync_detailed(client=self.api, body=body), CreateEntityResponse
        )
        self._dataset_id = created.id

    def set_dataset_id_by_name(self, dataset_name: str, shared: bool | None = False) -> None:
        """Make the first dataset named ``dataset_name`` current (``ValueError`` if none)."""
        datasets = self.get_datasets_by_name(dataset_name, shared=shared)
        if not datasets:
            raise ValueError(f"A dataset with the name '{dataset_name}' does not exist.")
        self._dataset_id = datasets[0].id

    def get_dataset_by_id(self, dataset_id: str) -> DatasetData:
        """The dataset ``dataset_id`` (``WinnowApiError`` when it is missing or not accessible)."""
        return ok(get_dataset.sync_detailed(dataset_id, client=self.api), DatasetData)

    def dataset_exists(self, dataset_id: str) -> bool:
        """False only when the API answers 404; other errors are raised."""
        try:
            self.get_dataset_by_id(dataset_id)
        except WinnowApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def dataset_name_exists(self, dataset_name: str, shared: bool | None = False) -> bool:
        """Whether a dataset is named ``dataset_name`` (``shared`` as in ``get_datasets``)."""
        return bool(self.get_datasets_by_name(dataset_name, shared=shared))

    @staticmethod
    def _visibility(shared: bool | None) -> list[tuple[bool | Unset, bool | Unset]]:
        """(shared, getAssetsOfTeam) queries: own datasets, shared ones, or both (``None``)."""
        queries: list[tuple[bool | Unset, bool | Unset]] = []
        if shared is None or not shared:
            queries.append((False, UNSET))
        if shared is None or shared:
            queries += [(True, UNSET), (UNSET, True)]
        return queries

    def get_datasets(self, shared: bool | None = False) -> list[DatasetData]:
        """Own datasets; ``shared=True``: shared with you; ``None``: both (by id, once)."""
        seen: dict[str, DatasetData] = {}
        for shared_flag, team_flag in self._visibility(shared):

            def fetch(
                offset: int, size: int, s: bool | Unset = shared_flag, t: bool | Unset = team_flag
            ) -> list[DatasetData]:
                response = list_datasets.sync_detailed(
                    client=self.api,
                    shared=s,
                    get_assets_of_team=t,
                    page_size=size,
                    page_offset=offset,
                )
                return ok_list(response, DatasetData)

            for dataset in paginate(fetch, PAGE_SIZE):
                seen.setdefault(dataset.id, dataset)
        return list(seen.values())

    def get_all_datasets(self) -> list[DatasetData]:
        """Own datasets and the ones shared with you."""
        return self.get_datasets(shared=None)

    def get_datasets_by_name(
        self, dataset_name: str, shared: bool | None = False
    ) -> list[DatasetData]:
        """Datasets named exactly ``dataset_name`` (``[]`` when none)."""
        seen: dict[str, DatasetData] = {}
        for shared_flag, team_flag in self._visibility(shared):

            def fetch(
                offset: int, size: int, s: bool | Unset = shared_flag, t: bool | Unset = team_flag
            ) -> list[DatasetData]:
                response = query_datasets_by_name.sync_detailed(
                    dataset_name,
                    client=self.api,
                    exact=True,
                    shared=s,
                    get_assets_of_team=t,
                    page_size=size,
                    page_offset=offset,
                )
                return ok_list(response, DatasetData)

            for dataset in paginate(fetch, PAGE_SIZE):
                seen.setdefault(dataset.id, dataset)
        return list(seen.values())

    def delete_dataset_by_id(self, dataset_id: str) -> None:
        """Delete the dataset; if it was the current one, none is current any more."""
        check(delete_dataset.sync_detailed(dataset_id, client=self.api))
        if self._dataset_id == dataset_id:
            self._dataset_id = None
