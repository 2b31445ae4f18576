from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="LabelBoxV4DataRow")



@_attrs_define
class LabelBoxV4DataRow:
    """ One Labelbox v4 data row; lightly spells its keys in snake_case.

        Attributes:
            row_data (str):
            global_key (None | str | Unset):
            media_type (Literal['IMAGE'] | None | Unset):
     """

    row_data: str
    global_key: None | str | Unset = UNSET
    media_type: Literal['IMAGE'] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        row_data = self.row_data

        global_key: None | str | Unset
        if isinstance(self.global_key, Unset):
            global_key = UNSET
        else:
            global_key = self.global_key

        media_type: Literal['IMAGE'] | None | Unset
        if isinstance(self.media_type, Unset):
            media_type = UNSET
        else:
            media_type = self.media_type


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "row_data": row_data,
        })
        if global_key is not UNSET:
            field_dict["global_key"] = global_key
        if media_type is not UNSET:
            field_dict["media_type"] = media_type

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        row_data = d.pop("row_data")

        def _parse_global_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        global_key = _parse_global_key(d.pop("global_key", UNSET))


        def _parse_media_type(data: object) -> Literal['IMAGE'] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            media_type_type_0 = cast(Literal['IMAGE'] , data)
            if media_type_type_0 != 'IMAGE':
                raise ValueError(f"media_type_type_0 must match const 'IMAGE', got '{media_type_type_0}'")
            return media_type_type_0
            return cast(Literal['IMAGE'] | None | Unset, data)

        media_type = _parse_media_type(d.pop("media_type", UNSET))


        label_box_v4_data_row = cls(
            row_data=row_data,
            global_key=global_key,
            media_type=media_type,
        )

        return label_box_v4_data_row

