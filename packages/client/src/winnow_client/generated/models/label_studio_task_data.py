from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.sample_data_modes import SampleDataModes





T = TypeVar("T", bound="LabelStudioTaskData")



@_attrs_define
class LabelStudioTaskData:
    """ A task's ``data``: the image URL, the sample's name, its sample data when asked for.

        Attributes:
            image (str):
            lightly_file_name (None | str | Unset):
            lightly_meta_info (None | SampleDataModes | Unset):
     """

    image: str
    lightly_file_name: None | str | Unset = UNSET
    lightly_meta_info: None | SampleDataModes | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.sample_data_modes import SampleDataModes # noqa: PLC0415
        image = self.image

        lightly_file_name: None | str | Unset
        if isinstance(self.lightly_file_name, Unset):
            lightly_file_name = UNSET
        else:
            lightly_file_name = self.lightly_file_name

        lightly_meta_info: dict[str, Any] | None | Unset
        if isinstance(self.lightly_meta_info, Unset):
            lightly_meta_info = UNSET
        elif isinstance(self.lightly_meta_info, SampleDataModes):
            lightly_meta_info = self.lightly_meta_info.to_dict()
        else:
            lightly_meta_info = self.lightly_meta_info


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "image": image,
        })
        if lightly_file_name is not UNSET:
            field_dict["lightlyFileName"] = lightly_file_name
        if lightly_meta_info is not UNSET:
            field_dict["lightlyMetaInfo"] = lightly_meta_info

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sample_data_modes import SampleDataModes # noqa: PLC0415
        d = dict(src_dict)
        image = d.pop("image")

        def _parse_lightly_file_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lightly_file_name = _parse_lightly_file_name(d.pop("lightlyFileName", UNSET))


        def _parse_lightly_meta_info(data: object) -> None | SampleDataModes | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                lightly_meta_info_type_0 = SampleDataModes.from_dict(data)



                return lightly_meta_info_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SampleDataModes | Unset, data)

        lightly_meta_info = _parse_lightly_meta_info(d.pop("lightlyMetaInfo", UNSET))


        label_studio_task_data = cls(
            image=image,
            lightly_file_name=lightly_file_name,
            lightly_meta_info=lightly_meta_info,
        )

        return label_studio_task_data

