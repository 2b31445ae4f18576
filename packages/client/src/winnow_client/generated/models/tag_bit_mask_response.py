from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="TagBitMaskResponse")



@_attrs_define
class TagBitMaskResponse:
    """ 
        Attributes:
            bit_mask_data (str):
     """

    bit_mask_data: str





    def to_dict(self) -> dict[str, Any]:
        bit_mask_data = self.bit_mask_data


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "bitMaskData": bit_mask_data,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bit_mask_data = d.pop("bitMaskData")

        tag_bit_mask_response = cls(
            bit_mask_data=bit_mask_data,
        )

        return tag_bit_mask_response

