"""Wire models of prediction task schemas and per-sample predictions (lightly's
``PredictionTaskSchema`` and ``PredictionSingleton`` with their ``oneOf`` variants).

The ``type`` key picks the variant. A task name becomes a folder of the LIGHTLY datasource
(``.lightly/predictions/<task>/``), so besides lightly's pattern it must be a plain folder name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from winnow_common.schemas.base import ObjectId, WireRequest

TaskName = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[a-zA-Z0-9_+=,.@:-]+$")]
CategoryId = Annotated[int, Field(ge=0, strict=True)]
Probability = Annotated[float, Field(ge=0, le=1, strict=True)]
Coordinate = Annotated[float, Field(ge=0, strict=True)]
BBox = Annotated[list[Coordinate], Field(min_length=4, max_length=4)]
Rle = list[Annotated[int, Field(ge=0, strict=True)]]
SimpleTaskType = Literal[
    "CLASSIFICATION", "OBJECT_DETECTION", "SEMANTIC_SEGMENTATION", "INSTANCE_SEGMENTATION"
]
KEYPOINT_DETECTION = "KEYPOINT_DETECTION"


def _plain_folder(name: str) -> str:
    if name in (".", ".."):
        raise ValueError("must be a plain folder name, not '.' or '..'")
    return name


class PredictionTaskCategory(WireRequest):
    """lightly's ``PredictionTaskSchemaCategory``."""

    id: CategoryId
    name: Annotated[str, Field(min_length=1)]


class PredictionTaskCategoryKeypoints(PredictionTaskCategory):
    """lightly's ``PredictionTaskSchemaCategoryKeypoints``."""

    keypoint_names: list[Annotated[str, Field(min_length=1)]] | None = None
    keypoint_skeleton: (
        list[Annotated[list[CategoryId], Field(min_length=2, max_length=2)]] | None
    ) = None


class _TaskSchemaBase(WireRequest):
    name: TaskName

    _name_is_folder = field_validator("name")(_plain_folder)


class PredictionTaskSchemaSimple(_TaskSchemaBase):
    """Classification, object detection, semantic and instance segmentation."""

    type: SimpleTaskType
    categories: list[PredictionTaskCategory]


class PredictionTaskSchemaKeypoint(_TaskSchemaBase):
    """Keypoint detection (categories may name their keypoints)."""

    type: Literal["KEYPOINT_DETECTION"]
    categories: list[PredictionTaskCategoryKeypoints]


PredictionTaskSchema = Annotated[
    PredictionTaskSchemaSimple | PredictionTaskSchemaKeypoint, Field(discriminator="type")
]


class _SingletonBase(WireRequest):
    task_name: TaskName
    crop_dataset_id: ObjectId | None = None
    crop_sample_id: ObjectId | None = None
    category_id: CategoryId
    score: Probability
    probabilities: list[Probability] | None = None

    _name_is_folder = field_validator("task_name")(_plain_folder)

    def file_entry(self) -> dict[str, Any]:
        """The singleton in the datasource files' format (COCO-results style, snake_case)."""
        entry: dict[str, Any] = {"category_id": self.category_id, "score": self.score}
        for key in ("bbox", "segmentation", "keypoints", "probabilities"):
            value = getattr(self, key, None)
            if value is not None:
                entry[key] = value
        return entry


class PredictionSingletonClassification(_SingletonBase):
    type: Literal["CLASSIFICATION"]


class PredictionSingletonObjectDetection(_SingletonBase):
    type: Literal["OBJECT_DETECTION"]
    bbox: BBox


class PredictionSingletonSemanticSegmentation(_SingletonBase):
    type: Literal["SEMANTIC_SEGMENTATION"]
    segmentation: Rle


class PredictionSingletonInstanceSegmentation(_SingletonBase):
    type: Literal["INSTANCE_SEGMENTATION"]
    segmentation: Rle
    bbox: BBox


class PredictionSingletonKeypointDetection(_SingletonBase):
    type: Literal["KEYPOINT_DETECTION"]
    keypoints: Annotated[list[Coordinate], Field(min_length=3)]
    bbox: BBox | None = None


PredictionSingleton = Annotated[
    PredictionSingletonClassification
    | PredictionSingletonObjectDetection
    | PredictionSingletonSemanticSegmentation
    | PredictionSingletonInstanceSegmentation
    | PredictionSingletonKeypointDetection,
    Field(discriminator="type"),
]
