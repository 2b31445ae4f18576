from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.sample_type import SampleType
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.crop_data import CropData
  from ..models.sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0
  from ..models.video_frame_data import VideoFrameData





T = TypeVar("T", bound="SampleDataModes")



@_attrs_define
class SampleDataModes:
    """ Lightly's ``SampleDataModes``: which keys are set depends on the requested mode.

        Attributes:
            id (str):
            created_at (int | None | Unset):
            crop_data (CropData | None | Unset):
            custom_meta_data (None | SampleDataModesCustomMetaDataType0 | Unset):
            dataset_id (None | str | Unset):
            file_name (None | str | Unset):
            index (int | None | Unset):
            type_ (None | SampleType | Unset):
            video_frame_data (None | Unset | VideoFrameData):
     """

    id: str
    created_at: int | None | Unset = UNSET
    crop_data: CropData | None | Unset = UNSET
    custom_meta_data: None | SampleDataModesCustomMetaDataType0 | Unset = UNSET
    dataset_id: None | str | Unset = UNSET
    file_name: None | str | Unset = UNSET
    index: int | None | Unset = UNSET
    type_: None | SampleType | Unset = UNSET
    video_frame_data: None | Unset | VideoFrameData = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.crop_data import CropData # noqa: PLC0415
        from ..models.sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0 # noqa: PLC0415
        from ..models.video_frame_data import VideoFrameData # noqa: PLC0415
        id = self.id

        created_at: int | None | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        crop_data: dict[str, Any] | None | Unset
        if isinstance(self.crop_data, Unset):
            crop_data = UNSET
        elif isinstance(self.crop_data, CropData):
            crop_data = self.crop_data.to_dict()
        else:
            crop_data = self.crop_data

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

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        elif isinstance(self.type_, SampleType):
            type_ = self.type_.value
        else:
            type_ = self.type_

        video_frame_data: dict[str, Any] | None | Unset
        if isinstance(self.video_frame_data, Unset):
            video_frame_data = UNSET
        elif isinstance(self.video_frame_data, VideoFrameData):
            video_frame_data = self.video_frame_data.to_dict()
        else:
            video_frame_data = self.video_frame_data


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
        })
        if created_at is not UNSET:
            field_dict["createdAt"] = created_at
        if crop_data is not UNSET:
            field_dict["cropData"] = crop_data
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
        if video_frame_data is not UNSET:
            field_dict["videoFrameData"] = video_frame_data

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.crop_data import CropData # noqa: PLC0415
        from ..models.sample_data_modes_custom_meta_data_type_0 import SampleDataModesCustomMetaDataType0 # noqa: PLC0415
        from ..models.video_frame_data import VideoFrameData # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_created_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        created_at = _parse_created_at(d.pop("createdAt", UNSET))


        def _parse_crop_data(data: object) -> CropData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                crop_data_type_0 = CropData.from_dict(data)



                return crop_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CropData | None | Unset, data)

        crop_data = _parse_crop_data(d.pop("cropData", UNSET))


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


        def _parse_type_(data: object) -> None | SampleType | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                type_type_0 = SampleType(data)



                return type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SampleType | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))


        def _parse_video_frame_data(data: object) -> None | Unset | VideoFrameData:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                video_frame_data_type_0 = VideoFrameData.from_dict(data)



                return video_frame_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VideoFrameData, data)

        video_frame_data = _parse_video_frame_data(d.pop("videoFrameData", UNSET))


        sample_data_modes = cls(
            id=id,
            created_at=created_at,
            crop_data=crop_data,
            custom_meta_data=custom_meta_data,
            dataset_id=dataset_id,
            file_name=file_name,
            index=index,
            type_=type_,
            video_frame_data=video_frame_data,
        )

        return sample_data_modes

