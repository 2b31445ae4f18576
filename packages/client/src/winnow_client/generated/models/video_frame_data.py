from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="VideoFrameData")



@_attrs_define
class VideoFrameData:
    """ Where a ``VIDEO_FRAME`` sample comes from: the video (its key relative to the INPUT
    datasource), the frame's 0-based index and its timestamp in seconds.

        Attributes:
            source_video (str):
            source_video_frame_index (int):
            source_video_frame_timestamp (float):
     """

    source_video: str
    source_video_frame_index: int
    source_video_frame_timestamp: float





    def to_dict(self) -> dict[str, Any]:
        source_video = self.source_video

        source_video_frame_index = self.source_video_frame_index

        source_video_frame_timestamp = self.source_video_frame_timestamp


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "sourceVideo": source_video,
            "sourceVideoFrameIndex": source_video_frame_index,
            "sourceVideoFrameTimestamp": source_video_frame_timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source_video = d.pop("sourceVideo")

        source_video_frame_index = d.pop("sourceVideoFrameIndex")

        source_video_frame_timestamp = d.pop("sourceVideoFrameTimestamp")

        video_frame_data = cls(
            source_video=source_video,
            source_video_frame_index=source_video_frame_index,
            source_video_frame_timestamp=source_video_frame_timestamp,
        )

        return video_frame_data

