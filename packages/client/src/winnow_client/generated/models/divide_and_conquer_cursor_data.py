from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="DivideAndConquerCursorData")



@_attrs_define
class DivideAndConquerCursorData:
    """ One cursor per shard of a listing; the shards together list every file once.

        Attributes:
            cursors (list[str]):
     """

    cursors: list[str]





    def to_dict(self) -> dict[str, Any]:
        cursors = self.cursors




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "cursors": cursors,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cursors = cast(list[str], d.pop("cursors"))


        divide_and_conquer_cursor_data = cls(
            cursors=cursors,
        )

        return divide_and_conquer_cursor_data

