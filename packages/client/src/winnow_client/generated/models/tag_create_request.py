from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.tag_creator import TagCreator
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.tag_create_request_changes_type_0_item import TagCreateRequestChangesType0Item





T = TypeVar("T", bound="TagCreateRequest")



@_attrs_define
class TagCreateRequest:
    """ 
        Attributes:
            bit_mask_data (str):
            name (str):
            prev_tag_id (str):
            tot_size (int):
            changes (list[TagCreateRequestChangesType0Item] | None | Unset):
            creator (None | TagCreator | Unset):
            preselected_tag_id (None | str | Unset):
            query_tag_id (None | str | Unset):
            run_id (None | str | Unset):
     """

    bit_mask_data: str
    name: str
    prev_tag_id: str
    tot_size: int
    changes: list[TagCreateRequestChangesType0Item] | None | Unset = UNSET
    creator: None | TagCreator | Unset = UNSET
    preselected_tag_id: None | str | Unset = UNSET
    query_tag_id: None | str | Unset = UNSET
    run_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.tag_create_request_changes_type_0_item import TagCreateRequestChangesType0Item # noqa: PLC0415
        bit_mask_data = self.bit_mask_data

        name = self.name

        prev_tag_id = self.prev_tag_id

        tot_size = self.tot_size

        changes: list[dict[str, Any]] | None | Unset
        if isinstance(self.changes, Unset):
            changes = UNSET
        elif isinstance(self.changes, list):
            changes = []
            for changes_type_0_item_data in self.changes:
                changes_type_0_item = changes_type_0_item_data.to_dict()
                changes.append(changes_type_0_item)


        else:
            changes = self.changes

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, TagCreator):
            creator = self.creator.value
        else:
            creator = self.creator

        preselected_tag_id: None | str | Unset
        if isinstance(self.preselected_tag_id, Unset):
            preselected_tag_id = UNSET
        else:
            preselected_tag_id = self.preselected_tag_id

        query_tag_id: None | str | Unset
        if isinstance(self.query_tag_id, Unset):
            query_tag_id = UNSET
        else:
            query_tag_id = self.query_tag_id

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "bitMaskData": bit_mask_data,
            "name": name,
            "prevTagId": prev_tag_id,
            "totSize": tot_size,
        })
        if changes is not UNSET:
            field_dict["changes"] = changes
        if creator is not UNSET:
            field_dict["creator"] = creator
        if preselected_tag_id is not UNSET:
            field_dict["preselectedTagId"] = preselected_tag_id
        if query_tag_id is not UNSET:
            field_dict["queryTagId"] = query_tag_id
        if run_id is not UNSET:
            field_dict["runId"] = run_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tag_create_request_changes_type_0_item import TagCreateRequestChangesType0Item # noqa: PLC0415
        d = dict(src_dict)
        bit_mask_data = d.pop("bitMaskData")

        name = d.pop("name")

        prev_tag_id = d.pop("prevTagId")

        tot_size = d.pop("totSize")

        def _parse_changes(data: object) -> list[TagCreateRequestChangesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                changes_type_0 = []
                _changes_type_0 = data
                for changes_type_0_item_data in (_changes_type_0):
                    changes_type_0_item = TagCreateRequestChangesType0Item.from_dict(changes_type_0_item_data)



                    changes_type_0.append(changes_type_0_item)

                return changes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[TagCreateRequestChangesType0Item] | None | Unset, data)

        changes = _parse_changes(d.pop("changes", UNSET))


        def _parse_creator(data: object) -> None | TagCreator | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                creator_type_0 = TagCreator(data)



                return creator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TagCreator | Unset, data)

        creator = _parse_creator(d.pop("creator", UNSET))


        def _parse_preselected_tag_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preselected_tag_id = _parse_preselected_tag_id(d.pop("preselectedTagId", UNSET))


        def _parse_query_tag_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        query_tag_id = _parse_query_tag_id(d.pop("queryTagId", UNSET))


        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("runId", UNSET))


        tag_create_request = cls(
            bit_mask_data=bit_mask_data,
            name=name,
            prev_tag_id=prev_tag_id,
            tot_size=tot_size,
            changes=changes,
            creator=creator,
            preselected_tag_id=preselected_tag_id,
            query_tag_id=query_tag_id,
            run_id=run_id,
        )

        return tag_create_request

