"""``CustomMetadataMixin``: upload COCO-style custom metadata onto the samples and configure how
it is read (lightly's ``_UploadCustomMetadataMixin``)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from winnow_client.generated.api.configuration import create_meta_data_configuration
from winnow_client.generated.api.samples import get_samples_partial, update_sample
from winnow_client.generated.models import (
    ConfigurationEntry,
    ConfigurationSetRequest,
    CreateEntityResponse,
    GetSamplesPartialMode,
    SampleDataModes,
    SampleUpdateRequest,
)
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import SAMPLE_PAGE_SIZE, check, ok, ok_list, paginate


class CustomMetadataMixin(WorkflowBase):
    """Each sample's ``customMetaData``."""

    def upload_custom_metadata(
        self, custom_metadata: dict[str, Any], verbose: bool = False, max_workers: int = 8
    ) -> None:
        """COCO-style ``{"images": [{"file_name", "id"}], "metadata": [{"image_id", ...}]}``:
        each metadata entry becomes its sample's ``customMetaData``."""
        dataset_id = self.dataset_id

        def fetch(offset: int, size: int) -> list[SampleDataModes]:
            response = get_samples_partial.sync_detailed(
                dataset_id,
                client=self.api,
                mode=GetSamplesPartialMode("fileNames"),
                page_size=size,
                page_offset=offset,
            )
            return ok_list(response, SampleDataModes)

        sample_ids = {
            s.file_name: s.id
            for s in paginate(fetch, SAMPLE_PAGE_SIZE)
            if isinstance(s.file_name, str)
        }
        filenames = {image["id"]: image["file_name"] for image in custom_metadata["images"]}
        updates: list[tuple[str, dict[str, Any]]] = []
        for entry in custom_metadata["metadata"]:
            name = filenames.get(entry["image_id"])
            if name is None or name not in sample_ids:
                warnings.warn(
                    f"No sample with the filename of image_id {entry['image_id']} "
                    "in the dataset: skipped.",
                    stacklevel=2,
                )
                continue
            updates.append((sample_ids[name], entry))

        def put(item: tuple[str, dict[str, Any]]) -> None:
            sample_id, entry = item
            body = SampleUpdateRequest.from_dict({"customMetaData": entry})
            check(update_sample.sync_detailed(dataset_id, sample_id, client=self.api, body=body))

        with ThreadPoolExecutor(max_workers=max_workers) as pool:
            list(pool.map(put, updates))
        if verbose:
            print(f"Uploaded custom metadata of {len(updates)} samples.")

    def create_custom_metadata_config(
        self, name: str, configs: Sequence[ConfigurationEntry | Mapping[str, Any]]
    ) -> CreateEntityResponse:
        """Store the dataset's metadata configuration ``name``: one entry per custom metadata
        field (``name``, ``path``, ``defaultValue``, ``valueDataType``; a generated
        ``ConfigurationEntry`` or its wire dict). Returns the API's answer (its ``id``)."""
        entries = [
            c if isinstance(c, ConfigurationEntry) else ConfigurationEntry.from_dict(dict(c))
            for c in configs
        ]
        body = ConfigurationSetRequest(name=name, configs=entries)
        response = create_meta_data_configuration.sync_detailed(
            self.dataset_id, client=self.api, body=body
        )
        return ok(response, CreateEntityResponse)
