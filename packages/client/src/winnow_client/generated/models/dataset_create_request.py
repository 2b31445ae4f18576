from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.creator import Creator
from ..models.dataset_type import DatasetType
from ..models.image_type import ImageType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DatasetCreateRequest")



@_attrs_define
class DatasetCreateRequest:
    """ 
        Attributes:
            name (str):
            creator (Creator | None | Unset):
            img_type (ImageType | Unset):
            parent_dataset_id (None | str | Unset):
            type_ (DatasetType | Unset):
     """

    name: str
    creator: Creator | None | Unset = UNSET
    img_type: ImageType | Unset = UNSET
    parent_dataset_id: None | str | Unset = UNSET
    type_: DatasetType | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        creator: None | str | Unset
        if isinstance(self.creator, Unset):
            creator = UNSET
        elif isinstance(self.creator, Creator):
            creator = self.creator.value
        else:
            creator = self.creator

        img_type: str | Unset = UNSET
        if not isinstance(self.img_type, Unset):
            img_type = self.img_type.value


        parent_dataset_id: None | str | Unset
        if isinstance(self.parent_dataset_id, Unset):
            parent_dataset_id = UNSET
        else:
            parent_dataset_id = self.parent_dataset_id

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if creator is not UNSET:
            field_dict["creator"] = creator
        if img_type is not UNSET:
            field_dict["imgType"] = img_type
        if parent_dataset_id is not UNSET:
            field_dict["parentDatasetId"] = parent_dataset_id
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_creator(data: object) -> Creator | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                creator_type_0 = Creator(data)



                return creator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Creator | None | Unset, data)

        creator = _parse_creator(d.pop("creator", UNSET))


        _img_type = d.pop("imgType", UNSET)
        img_type: ImageType | Unset
        if isinstance(_img_type,  Unset):
            img_type = UNSET
        else:
            img_type = ImageType(_img_type)




        def _parse_parent_dataset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_dataset_id = _parse_parent_dataset_id(d.pop("parentDatasetId", UNSET))


        _type_ = d.pop("type", UNSET)
        type_: DatasetType | Unset
        if isinstance(_type_,  Unset):
            type_ = UNSET
        else:
            type_ = DatasetType(_type_)




        dataset_create_request = cls(
            name=name,
            creator=creator,
            img_type=img_type,
            parent_dataset_id=parent_dataset_id,
            type_=type_,
        )

        return dataset_create_request

