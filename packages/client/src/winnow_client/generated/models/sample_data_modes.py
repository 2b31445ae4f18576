from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0





T = TypeVar("T", bound="SampleDataModes")



@_attrs_define
class SampleDataModes:
    """ Lightly's ``SampleDataModes``: which keys are set depends on the requested mode.

        Attributes:
            id (str):
            created_at (int | None | Unset):
            custom_meta_data (None | SampleDataModesCustomMetaDataType0 | Unset):
            dataset_id (None | str | Unset):
            file_name (None | str | Unset):
            index (int | None | Unset):
            type_ (Literal['IMAGE'] | None | Unset):
     """

    id: str
    created_at: int | None | Unset = UNSET
    custom_meta_data: None | SampleDataModesCustomMetaDataType0 | Unset = UNSET
    dataset_id: None | str | Unset = UNSET
    file_name: None | str | Unset = UNSET
    index: int | None | Unset = UNSET
    type_: Literal['IMAGE'] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0 # noqa: PLC0415
        id = self.id

        created_at: int | None | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        custom_meta_data: dict[str, Any] | None | Unset
        if isinstance(self.custom_meta_data, Unset):
            custom_meta_data = UNSET
        elif isinstance(self.custom_meta_data, SampleDataModesCustomMetaDataType0):
            custom_meta_data = self.custom_meta_data.to_dict()
        else:
            custom_meta_data = self.custom_meta_data

        dataset_id: None | str | Unset
        if isinstance(self.dataset_id, Unset):
            dataset_id = UNSET
        else:
            dataset_id = self.dataset_id

        file_name: None | str | Unset
        if isinstance(self.file_name, Unset):
            file_name = UNSET
        else:
            file_name = self.file_name

        index: int | None | Unset
        if isinstance(self.index, Unset):
            index = UNSET
        else:
            index = self.index

        type_: Literal['IMAGE'] | None | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
        })
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if custom_meta_data is not UNSET:
            field_dict["customMetaData"] = custom_meta_data
        if dataset_id is not UNSET:
            field_dict["datasetId"] = dataset_id
        if file_name is not UNSET:
            field_dict["fileName"] = file_name
        if index is not UNSET:
            field_dict["index"] = index
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0 # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_created_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        created_at = _parse_created_at(d.pop("createdAt", UNSET))


        def _parse_custom_meta_data(data: object) -> None | SampleDataModesCustomMetaDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_meta_data_type_0 = SampleDataModesCustomMetaDataType0.from_dict(data)



                return custom_meta_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SampleDataModesCustomMetaDataType0 | Unset, data)

        custom_meta_data = _parse_custom_meta_data(d.pop("customMetaData", UNSET))


        def _parse_dataset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dataset_id = _parse_dataset_id(d.pop("datasetId", UNSET))


        def _parse_file_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        file_name = _parse_file_name(d.pop("fileName", UNSET))


        def _parse_index(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        index = _parse_index(d.pop("index", UNSET))


        def _parse_type_(data: object) -> Literal['IMAGE'] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            type_type_0 = cast(Literal['IMAGE'] , data)
            if type_type_0 != 'IMAGE':
                raise ValueError(f"type_type_0 must match const 'IMAGE', got '{type_type_0}'")
            return type_type_0
            return cast(Literal['IMAGE'] | None | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))


        sample_data_modes = cls(
            id=id,
            created_at=created_at,
            custom_meta_data=custom_meta_data,
            dataset_id=dataset_id,
            file_name=file_name,
            index=index,
            type_=type_,
        )

        return sample_data_modes

