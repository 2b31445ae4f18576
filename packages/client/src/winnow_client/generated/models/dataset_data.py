from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.dataset_type import DatasetType
from ..models.image_type import ImageType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DatasetData")



@_attrs_define
class DatasetData:
    """ 
        Attributes:
            created_at (int):
            datasources (list[str]):
            id (str):
            img_type (ImageType):
            last_modified_at (int):
            n_samples (int):
            name (str):
            size_in_bytes (int):
            type_ (DatasetType):
            user_id (str):
            parent_dataset_id (None | str | Unset):
     """

    created_at: int
    datasources: list[str]
    id: str
    img_type: ImageType
    last_modified_at: int
    n_samples: int
    name: str
    size_in_bytes: int
    type_: DatasetType
    user_id: str
    parent_dataset_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        datasources = self.datasources



        id = self.id

        img_type = self.img_type.value

        last_modified_at = self.last_modified_at

        n_samples = self.n_samples

        name = self.name

        size_in_bytes = self.size_in_bytes

        type_ = self.type_.value

        user_id = self.user_id

        parent_dataset_id: None | str | Unset
        if isinstance(self.parent_dataset_id, Unset):
            parent_dataset_id = UNSET
        else:
            parent_dataset_id = self.parent_dataset_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "createdAt": created_at,
            "datasources": datasources,
            "id": id,
            "imgType": img_type,
            "lastModifiedAt": last_modified_at,
            "nSamples": n_samples,
            "name": name,
            "sizeInBytes": size_in_bytes,
            "type": type_,
            "userId": user_id,
        })
        if parent_dataset_id is not UNSET:
            field_dict["parentDatasetId"] = parent_dataset_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("createdAt")

        datasources = cast(list[str], d.pop("datasources"))


        id = d.pop("id")

        img_type = ImageType(d.pop("imgType"))




        last_modified_at = d.pop("lastModifiedAt")

        n_samples = d.pop("nSamples")

        name = d.pop("name")

        size_in_bytes = d.pop("sizeInBytes")

        type_ = DatasetType(d.pop("type"))




        user_id = d.pop("userId")

        def _parse_parent_dataset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_dataset_id = _parse_parent_dataset_id(d.pop("parentDatasetId", UNSET))


        dataset_data = cls(
            created_at=created_at,
            datasources=datasources,
            id=id,
            img_type=img_type,
            last_modified_at=last_modified_at,
            n_samples=n_samples,
            name=name,
            size_in_bytes=size_in_bytes,
            type_=type_,
            user_id=user_id,
            parent_dataset_id=parent_dataset_id,
        )

        return dataset_data

