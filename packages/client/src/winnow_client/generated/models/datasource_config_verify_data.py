from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.datasource_verify_errors import DatasourceVerifyErrors





T = TypeVar("T", bound="DatasourceConfigVerifyData")



@_attrs_define
class DatasourceConfigVerifyData:
    """ 
        Attributes:
            can_list (bool):
            can_overwrite (bool):
            can_read (bool):
            can_write (bool):
            errors (DatasourceVerifyErrors | None | Unset):
     """

    can_list: bool
    can_overwrite: bool
    can_read: bool
    can_write: bool
    errors: DatasourceVerifyErrors | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.datasource_verify_errors import DatasourceVerifyErrors # noqa: PLC0415
        can_list = self.can_list

        can_overwrite = self.can_overwrite

        can_read = self.can_read

        can_write = self.can_write

        errors: dict[str, Any] | None | Unset
        if isinstance(self.errors, Unset):
            errors = UNSET
        elif isinstance(self.errors, DatasourceVerifyErrors):
            errors = self.errors.to_dict()
        else:
            errors = self.errors


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "canList": can_list,
            "canOverwrite": can_overwrite,
            "canRead": can_read,
            "canWrite": can_write,
        })
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.datasource_verify_errors import DatasourceVerifyErrors # noqa: PLC0415
        d = dict(src_dict)
        can_list = d.pop("canList")

        can_overwrite = d.pop("canOverwrite")

        can_read = d.pop("canRead")

        can_write = d.pop("canWrite")

        def _parse_errors(data: object) -> DatasourceVerifyErrors | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                errors_type_0 = DatasourceVerifyErrors.from_dict(data)



                return errors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DatasourceVerifyErrors | None | Unset, data)

        errors = _parse_errors(d.pop("errors", UNSET))


        datasource_config_verify_data = cls(
            can_list=can_list,
            can_overwrite=can_overwrite,
            can_read=can_read,
            can_write=can_write,
            errors=errors,
        )

        return datasource_config_verify_data

