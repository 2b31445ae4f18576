"""``TagsMixin``: a dataset's tags and the filenames their bitmasks select (lightly's
``_TagsMixin``)."""

from __future__ import annotations

from collections.abc import Sequence

from winnow_client.generated.api.samples import get_mappings
from winnow_client.generated.api.tags import (
    create_tag,
    delete_tag,
    get_tag,
    list_tags,
    tag_arithmetics,
)
from winnow_client.generated.models import (
    CreateEntityResponse,
    GetMappingsField,
    TagArithmeticsRequest,
    TagArithmeticsRequestOperation,
    TagBitMaskResponse,
    TagCreateRequest,
    TagCreator,
    TagData,
)
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import SAMPLE_PAGE_SIZE, check, ok, ok_list, paginate
from winnow_client.workflow.errors import TagDoesNotExistError


class TagsMixin(WorkflowBase):
    """The current dataset's tags, read by id or name, and new tags from filenames."""

    def get_all_tags(self) -> list[TagData]:
        """Every tag of the current dataset."""
        return ok_list(list_tags.sync_detailed(self.dataset_id, client=self.api), TagData)

    def get_tag_by_id(self, tag_id: str) -> TagData:
        """The tag ``tag_id`` of the current dataset."""
        return ok(get_tag.sync_detailed(self.dataset_id, tag_id, client=self.api), TagData)

    def get_tag_by_name(self, tag_name: str) -> TagData:
        """The tag named ``tag_name`` (``TagDoesNotExistError`` if none)."""
        for tag in self.get_all_tags():
            if tag.name == tag_name:
                return self.get_tag_by_id(tag.id)
        raise TagDoesNotExistError(f"Your tag_name does not exist: {tag_name}")

    def _mappings(self, field: str) -> list[str]:
        def fetch(offset: int, size: int) -> list[str]:
            response = get_mappings.sync_detailed(
                self.dataset_id,
                client=self.api,
                field=GetMappingsField(field),
                page_size=size,
                page_offset=offset,
            )
            return ok_list(response, str)

        return paginate(fetch, SAMPLE_PAGE_SIZE)

    def get_filenames(self) -> list[str]:
        """Every sample's filename, in the order the tags' bitmasks index them."""
        return self._mappings("fileName")

    def get_filenames_in_tag(
        self,
        tag_data: TagData,
        filenames_on_server: list[str] | None = None,
        exclude_parent_tag: bool = False,
    ) -> list[str]:
        """The filenames the tag's bitmask selects (minus its parent's with
        ``exclude_parent_tag``)."""
        bitmask_hex = tag_data.bit_mask_data
        prev = tag_data.prev_tag_id
        if exclude_parent_tag and isinstance(prev, str):
            body = TagArithmeticsRequest(
                tag_id_1=tag_data.id,
                tag_id_2=prev,
                operation=TagArithmeticsRequestOperation.DIFFERENCE,
            )
            response = tag_arithmetics.sync_detailed(self.dataset_id, client=self.api, body=body)
            bitmask_hex = ok(response, TagBitMaskResponse).bit_mask_data
        filenames = filenames_on_server if filenames_on_server is not None else self.get_filenames()
        bitmask = int(bitmask_hex, 16)
        return [name for i, name in enumerate(filenames) if bitmask >> i & 1]

    def create_tag_from_filenames(
        self, fnames_new_tag: Sequence[str], new_tag_name: str, parent_tag_id: str | None = None
    ) -> CreateEntityResponse:
        """A tag holding exactly ``fnames_new_tag`` (parent: ``initial-tag`` by default)."""
        tags = self.get_all_tags()
        if not tags:
            raise RuntimeError("There are no tags in the dataset; run a selection first.")
        if any(tag.name == new_tag_name for tag in tags):
            raise RuntimeError(f"There already exists a tag with tag_name {new_tag_name}.")
        if parent_tag_id is None:
            initial = next((tag for tag in tags if tag.name == "initial-tag"), None)
            if initial is None:
                raise RuntimeError("There is no initial-tag to use as the parent tag.")
            parent_tag_id = initial.id
        index = {name: i for i, name in enumerate(self.get_filenames())}
        bitmask = 0
        for name in fnames_new_tag:
            if name not in index:
                raise RuntimeError(f"An image with filename {name} does not exist on the server.")
            bitmask |= 1 << index[name]
        body = TagCreateRequest(
            name=new_tag_name,
            prev_tag_id=parent_tag_id,
            bit_mask_data=hex(bitmask),
            tot_size=len(index),
            creator=TagCreator.USER_PIP,
        )
        response = create_tag.sync_detailed(self.dataset_id, client=self.api, body=body)
        return ok(response, CreateEntityResponse)

    def delete_tag_by_id(self, tag_id: str) -> None:
        """Delete the tag ``tag_id`` of the current dataset (a leaf tag: the root
        ``initial-tag`` and a tag other tags descend from are refused with 409)."""
        check(delete_tag.sync_detailed(self.dataset_id, tag_id, client=self.api))

    def delete_tag_by_name(self, tag_name: str) -> None:
        """Delete the tag named ``tag_name`` (``TagDoesNotExistError`` if none)."""
        self.delete_tag_by_id(self.get_tag_by_name(tag_name).id)
