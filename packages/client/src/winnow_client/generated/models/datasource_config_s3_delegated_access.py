from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.datasource_config_s3_delegated_access_s3_region import DatasourceConfigS3DelegatedAccessS3Region
from ..models.datasource_purpose import DatasourcePurpose
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast






T = TypeVar("T", bound="DatasourceConfigS3DelegatedAccess")



@_attrs_define
class DatasourceConfigS3DelegatedAccess:
    """ 
        Attributes:
            full_path (str):
            purpose (DatasourcePurpose):
            s_3arn (str):
            s_3_external_id (str):
            s_3_region (DatasourceConfigS3DelegatedAccessS3Region):
            type_ (Literal['S3DelegatedAccess']):
            id (None | str | Unset):
            s_3_server_side_encryption_kms_key (None | str | Unset):
            thumb_suffix (None | str | Unset):
     """

    full_path: str
    purpose: DatasourcePurpose
    s_3arn: str
    s_3_external_id: str
    s_3_region: DatasourceConfigS3DelegatedAccessS3Region
    type_: Literal['S3DelegatedAccess']
    id: None | str | Unset = UNSET
    s_3_server_side_encryption_kms_key: None | str | Unset = UNSET
    thumb_suffix: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        full_path = self.full_path

        purpose = self.purpose.value

        s_3arn = self.s_3arn

        s_3_external_id = self.s_3_external_id

        s_3_region = self.s_3_region.value

        type_ = self.type_

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        s_3_server_side_encryption_kms_key: None | str | Unset
        if isinstance(self.s_3_server_side_encryption_kms_key, Unset):
            s_3_server_side_encryption_kms_key = UNSET
        else:
            s_3_server_side_encryption_kms_key = self.s_3_server_side_encryption_kms_key

        thumb_suffix: None | str | Unset
        if isinstance(self.thumb_suffix, Unset):
            thumb_suffix = UNSET
        else:
            thumb_suffix = self.thumb_suffix


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "fullPath": full_path,
            "purpose": purpose,
            "s3ARN": s_3arn,
            "s3ExternalId": s_3_external_id,
            "s3Region": s_3_region,
            "type": type_,
        })
        if id is not UNSET:
            field_dict["id"] = id
        if s_3_server_side_encryption_kms_key is not UNSET:
            field_dict["s3ServerSideEncryptionKMSKey"] = s_3_server_side_encryption_kms_key
        if thumb_suffix is not UNSET:
            field_dict["thumbSuffix"] = thumb_suffix

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        full_path = d.pop("fullPath")

        purpose = DatasourcePurpose(d.pop("purpose"))




        s_3arn = d.pop("s3ARN")

        s_3_external_id = d.pop("s3ExternalId")

        s_3_region = DatasourceConfigS3DelegatedAccessS3Region(d.pop("s3Region"))




        type_ = cast(Literal['S3DelegatedAccess'] , d.pop("type"))
        if type_ != 'S3DelegatedAccess':
            raise ValueError(f"type must match const 'S3DelegatedAccess', got '{type_}'")

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))


        def _parse_s_3_server_side_encryption_kms_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        s_3_server_side_encryption_kms_key = _parse_s_3_server_side_encryption_kms_key(d.pop("s3ServerSideEncryptionKMSKey", UNSET))


        def _parse_thumb_suffix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thumb_suffix = _parse_thumb_suffix(d.pop("thumbSuffix", UNSET))


        datasource_config_s3_delegated_access = cls(
            full_path=full_path,
            purpose=purpose,
            s_3arn=s_3arn,
            s_3_external_id=s_3_external_id,
            s_3_region=s_3_region,
            type_=type_,
            id=id,
            s_3_server_side_encryption_kms_key=s_3_server_side_encryption_kms_key,
            thumb_suffix=thumb_suffix,
        )

        return datasource_config_s3_delegated_access

