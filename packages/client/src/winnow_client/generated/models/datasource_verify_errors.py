from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DatasourceVerifyErrors")



@_attrs_define
class DatasourceVerifyErrors:
    """ 
        Attributes:
            can_list (None | str | Unset):
            can_overwrite (None | str | Unset):
            can_read (None | str | Unset):
            can_write (None | str | Unset):
     """

    can_list: None | str | Unset = UNSET
    can_overwrite: None | str | Unset = UNSET
    can_read: None | str | Unset = UNSET
    can_write: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        can_list: None | str | Unset
        if isinstance(self.can_list, Unset):
            can_list = UNSET
        else:
            can_list = self.can_list

        can_overwrite: None | str | Unset
        if isinstance(self.can_overwrite, Unset):
            can_overwrite = UNSET
        else:
            can_overwrite = self.can_overwrite

        can_read: None | str | Unset
        if isinstance(self.can_read, Unset):
            can_read = UNSET
        else:
            can_read = self.can_read

        can_write: None | str | Unset
        if isinstance(self.can_write, Unset):
            can_write = UNSET
        else:
            can_write = self.can_write


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if can_list is not UNSET:
            field_dict["canList"] = can_list
        if can_overwrite is not UNSET:
            field_dict["canOverwrite"] = can_overwrite
        if can_read is not UNSET:
            field_dict["canRead"] = can_read
        if can_write is not UNSET:
            field_dict["canWrite"] = can_write

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_can_list(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        can_list = _parse_can_list(d.pop("canList", UNSET))


        def _parse_can_overwrite(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        can_overwrite = _parse_can_overwrite(d.pop("canOverwrite", UNSET))


        def _parse_can_read(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        can_read = _parse_can_read(d.pop("canRead", UNSET))


        def _parse_can_write(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        can_write = _parse_can_write(d.pop("canWrite", UNSET))


        datasource_verify_errors = cls(
            can_list=can_list,
            can_overwrite=can_overwrite,
            can_read=can_read,
            can_write=can_write,
        )

        return datasource_verify_errors

