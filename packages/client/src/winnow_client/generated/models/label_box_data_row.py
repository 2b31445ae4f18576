from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="LabelBoxDataRow")



@_attrs_define
class LabelBoxDataRow:
    """ One Labelbox v3 data row (deprecated by the client in favour of v4).

        Attributes:
            external_id (str):
            image_url (str):
     """

    external_id: str
    image_url: str





    def to_dict(self) -> dict[str, Any]:
        external_id = self.external_id

        image_url = self.image_url


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "externalId": external_id,
            "imageUrl": image_url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        external_id = d.pop("externalId")

        image_url = d.pop("imageUrl")

        label_box_data_row = cls(
            external_id=external_id,
            image_url=image_url,
        )

        return label_box_data_row

