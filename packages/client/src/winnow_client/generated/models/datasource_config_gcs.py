from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.datasource_purpose import DatasourcePurpose
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="DatasourceConfigGCS")



@_attrs_define
class DatasourceConfigGCS:
    """ 
        Attributes:
            full_path (str):
            gcs_credentials (str):
            gcs_project_id (str):
            purpose (DatasourcePurpose):
            type_ (Literal['GCS']):
            id (None | str | Unset):
            thumb_suffix (None | str | Unset):
     """

    full_path: str
    gcs_credentials: str
    gcs_project_id: str
    purpose: DatasourcePurpose
    type_: Literal['GCS']
    id: None | str | Unset = UNSET
    thumb_suffix: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        full_path = self.full_path

        gcs_credentials = self.gcs_credentials

        gcs_project_id = self.gcs_project_id

        purpose = self.purpose.value

        type_ = self.type_

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        thumb_suffix: None | str | Unset
        if isinstance(self.thumb_suffix, Unset):
            thumb_suffix = UNSET
        else:
            thumb_suffix = self.thumb_suffix


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "fullPath": full_path,
            "gcsCredentials": gcs_credentials,
            "gcsProjectId": gcs_project_id,
            "purpose": purpose,
            "type": type_,
        })
        if id is not UNSET:
            field_dict["id"] = id
        if thumb_suffix is not UNSET:
            field_dict["thumbSuffix"] = thumb_suffix

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        full_path = d.pop("fullPath")

        gcs_credentials = d.pop("gcsCredentials")

        gcs_project_id = d.pop("gcsProjectId")

        purpose = DatasourcePurpose(d.pop("purpose"))




        type_ = cast(Literal['GCS'] , d.pop("type"))
        if type_ != 'GCS':
            raise ValueError(f"type must match const 'GCS', got '{type_}'")

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))


        def _parse_thumb_suffix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thumb_suffix = _parse_thumb_suffix(d.pop("thumbSuffix", UNSET))


        datasource_config_gcs = cls(
            full_path=full_path,
            gcs_credentials=gcs_credentials,
            gcs_project_id=gcs_project_id,
            purpose=purpose,
            type_=type_,
            id=id,
            thumb_suffix=thumb_suffix,
        )

        return datasource_config_gcs

