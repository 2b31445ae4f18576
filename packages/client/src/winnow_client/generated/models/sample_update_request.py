from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.sample_update_request_custom_meta_data_type_0 import SampleUpdateRequestCustomMetaDataType0
  from ..models.sample_update_request_exif_type_0 import SampleUpdateRequestExifType0
  from ..models.sample_update_request_meta_data_type_0 import SampleUpdateRequestMetaDataType0





T = TypeVar("T", bound="SampleUpdateRequest")



@_attrs_define
class SampleUpdateRequest:
    """ 
        Attributes:
            custom_meta_data (None | SampleUpdateRequestCustomMetaDataType0 | Unset):
            exif (None | SampleUpdateRequestExifType0 | Unset):
            file_name (None | str | Unset):
            meta_data (None | SampleUpdateRequestMetaDataType0 | Unset):
            thumb_name (None | str | Unset):
     """

    custom_meta_data: None | SampleUpdateRequestCustomMetaDataType0 | Unset = UNSET
    exif: None | SampleUpdateRequestExifType0 | Unset = UNSET
    file_name: None | str | Unset = UNSET
    meta_data: None | SampleUpdateRequestMetaDataType0 | Unset = UNSET
    thumb_name: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.sample_update_request_custom_meta_data_type_0 import SampleUpdateRequestCustomMetaDataType0 # noqa: PLC0415
        from ..models.sample_update_request_exif_type_0 import SampleUpdateRequestExifType0 # noqa: PLC0415
        from ..models.sample_update_request_meta_data_type_0 import SampleUpdateRequestMetaDataType0 # noqa: PLC0415
        custom_meta_data: dict[str, Any] | None | Unset
        if isinstance(self.custom_meta_data, Unset):
            custom_meta_data = UNSET
        elif isinstance(self.custom_meta_data, SampleUpdateRequestCustomMetaDataType0):
            custom_meta_data = self.custom_meta_data.to_dict()
        else:
            custom_meta_data = self.custom_meta_data

        exif: dict[str, Any] | None | Unset
        if isinstance(self.exif, Unset):
            exif = UNSET
        elif isinstance(self.exif, SampleUpdateRequestExifType0):
            exif = self.exif.to_dict()
        else:
            exif = self.exif

        file_name: None | str | Unset
        if isinstance(self.file_name, Unset):
            file_name = UNSET
        else:
            file_name = self.file_name

        meta_data: dict[str, Any] | None | Unset
        if isinstance(self.meta_data, Unset):
            meta_data = UNSET
        elif isinstance(self.meta_data, SampleUpdateRequestMetaDataType0):
            meta_data = self.meta_data.to_dict()
        else:
            meta_data = self.meta_data

        thumb_name: None | str | Unset
        if isinstance(self.thumb_name, Unset):
            thumb_name = UNSET
        else:
            thumb_name = self.thumb_name


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if custom_meta_data is not UNSET:
            field_dict["customMetaData"] = custom_meta_data
        if exif is not UNSET:
            field_dict["exif"] = exif
        if file_name is not UNSET:
            field_dict["fileName"] = file_name
        if meta_data is not UNSET:
            field_dict["metaData"] = meta_data
        if thumb_name is not UNSET:
            field_dict["thumbName"] = thumb_name

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sample_update_request_custom_meta_data_type_0 import SampleUpdateRequestCustomMetaDataType0 # noqa: PLC0415
        from ..models.sample_update_request_exif_type_0 import SampleUpdateRequestExifType0 # noqa: PLC0415
        from ..models.sample_update_request_meta_data_type_0 import SampleUpdateRequestMetaDataType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_custom_meta_data(data: object) -> None | SampleUpdateRequestCustomMetaDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_meta_data_type_0 = SampleUpdateRequestCustomMetaDataType0.from_dict(data)



                return custom_meta_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SampleUpdateRequestCustomMetaDataType0 | Unset, data)

        custom_meta_data = _parse_custom_meta_data(d.pop("customMetaData", UNSET))


        def _parse_exif(data: object) -> None | SampleUpdateRequestExifType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                exif_type_0 = SampleUpdateRequestExifType0.from_dict(data)



                return exif_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SampleUpdateRequestExifType0 | Unset, data)

        exif = _parse_exif(d.pop("exif", UNSET))


        def _parse_file_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        file_name = _parse_file_name(d.pop("fileName", UNSET))


        def _parse_meta_data(data: object) -> None | SampleUpdateRequestMetaDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                meta_data_type_0 = SampleUpdateRequestMetaDataType0.from_dict(data)



                return meta_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SampleUpdateRequestMetaDataType0 | Unset, data)

        meta_data = _parse_meta_data(d.pop("metaData", UNSET))


        def _parse_thumb_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thumb_name = _parse_thumb_name(d.pop("thumbName", UNSET))


        sample_update_request = cls(
            custom_meta_data=custom_meta_data,
            exif=exif,
            file_name=file_name,
            meta_data=meta_data,
            thumb_name=thumb_name,
        )

        return sample_update_request

