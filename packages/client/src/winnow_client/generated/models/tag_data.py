from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TagData")



@_attrs_define
class TagData:
    """ 
        Attributes:
            bit_mask_data (str):
            created_at (int):
            dataset_id (str):
            id (str):
            name (str):
            tot_size (int):
            last_modified_at (int | None | Unset):
            prev_tag_id (None | str | Unset):
            run_id (None | str | Unset):
     """

    bit_mask_data: str
    created_at: int
    dataset_id: str
    id: str
    name: str
    tot_size: int
    last_modified_at: int | None | Unset = UNSET
    prev_tag_id: None | str | Unset = UNSET
    run_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        bit_mask_data = self.bit_mask_data

        created_at = self.created_at

        dataset_id = self.dataset_id

        id = self.id

        name = self.name

        tot_size = self.tot_size

        last_modified_at: int | None | Unset
        if isinstance(self.last_modified_at, Unset):
            last_modified_at = UNSET
        else:
            last_modified_at = self.last_modified_at

        prev_tag_id: None | str | Unset
        if isinstance(self.prev_tag_id, Unset):
            prev_tag_id = UNSET
        else:
            prev_tag_id = self.prev_tag_id

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "bitMaskData": bit_mask_data,
            "createdAt": created_at,
            "datasetId": dataset_id,
            "id": id,
            "name": name,
            "totSize": tot_size,
        })
        if last_modified_at is not UNSET:
            field_dict["lastModifiedAt"] = last_modified_at
        if prev_tag_id is not UNSET:
            field_dict["prevTagId"] = prev_tag_id
        if run_id is not UNSET:
            field_dict["runId"] = run_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bit_mask_data = d.pop("bitMaskData")

        created_at = d.pop("createdAt")

        dataset_id = d.pop("datasetId")

        id = d.pop("id")

        name = d.pop("name")

        tot_size = d.pop("totSize")

        def _parse_last_modified_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_modified_at = _parse_last_modified_at(d.pop("lastModifiedAt", UNSET))


        def _parse_prev_tag_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prev_tag_id = _parse_prev_tag_id(d.pop("prevTagId", UNSET))


        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("runId", UNSET))


        tag_data = cls(
            bit_mask_data=bit_mask_data,
            created_at=created_at,
            dataset_id=dataset_id,
            id=id,
            name=name,
            tot_size=tot_size,
            last_modified_at=last_modified_at,
            prev_tag_id=prev_tag_id,
            run_id=run_id,
        )

        return tag_data

