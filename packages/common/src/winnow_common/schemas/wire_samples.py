"""Lightly's sample models: ``SampleDataModes`` with its ``videoFrameData`` and ``cropData``.

The lightly client validates them strictly (``StrictInt``, ``StrictFloat``, ObjectId patterns,
no unknown keys), so each field here has the type lightly 1.5.26 declares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from winnow_common.enums import SampleType
from winnow_common.schemas.base import ObjectId, Timestamp, WireRequest, WireResponse

if TYPE_CHECKING:
    from winnow_common.db import models

# lightly's ``predictionTaskName`` pattern (it may be empty).
TaskName = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_+=,.@:\/-]*$")]
NonNegative = Annotated[int, Field(ge=0)]


class VideoFrameData(WireResponse):
    """Where a ``VIDEO_FRAME`` sample comes from: the video (its key relative to the INPUT
    datasource), the frame's 0-based index and its timestamp in seconds."""

    source_video: str
    source_video_frame_index: int
    source_video_frame_timestamp: float


class CropData(WireResponse):
    """Where a ``CROP`` sample comes from: its parent sample (in the parent dataset) and the
    prediction of the task whose box it is."""

    parent_id: ObjectId
    # lightly spells it with a capital UUID (the alias generator would write "Uuid").
    prediction_uuid_timestamp: Timestamp = Field(alias="predictionUUIDTimestamp")
    prediction_index: NonNegative
    prediction_task_name: TaskName
    prediction_task_category_id: NonNegative
    prediction_task_score: Annotated[float, Field(ge=0, le=1)]


class SampleDataModes(WireResponse):
    """Lightly's ``SampleDataModes``: which keys are set depends on the requested mode."""

    id: ObjectId
    type: SampleType | None = None
    dataset_id: ObjectId | None = None
    file_name: str | None = None
    index: int | None = None
    created_at: Timestamp | None = None
    custom_meta_data: dict[str, Any] | None = None
    video_frame_data: VideoFrameData | None = None
    crop_data: CropData | None = None

    @classmethod
    def from_row(
        cls, row: models.Sample, mode: Literal["ids", "fileNames", "full"]
    ) -> SampleDataModes:
        """The keys ``mode`` asks for: the id; id and fileName; or everything."""
        if mode == "ids":
            return cls(id=row.id)
        if mode == "fileNames":
            return cls(id=row.id, file_name=row.file_name)
        return cls(
            id=row.id,
            type=SampleType(row.type or SampleType.IMAGE.value),
            dataset_id=row.dataset_id,
            file_name=row.file_name,
            index=row.idx,
            created_at=row.created_at,
            custom_meta_data=row.custom_meta_data,
            video_frame_data=(
                VideoFrameData.model_validate(row.video_frame_data)
                if row.video_frame_data
                else None
            ),
            crop_data=CropData.model_validate(row.crop_data) if row.crop_data else None,
        )


class SampleUpdateRequest(WireRequest):
    file_name: str | None = None
    thumb_name: str | None = None
    exif: dict[str, Any] | None = None
    meta_data: dict[str, Any] | None = None
    custom_meta_data: dict[str, Any] | None = None
