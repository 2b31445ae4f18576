"""``PredictionsMixin``: a prediction task's schema and each sample's predictions (lightly's
``_PredictionsMixin``). The server writes them, in Lightly's format, under the LIGHTLY
datasource's ``.lightly/predictions/<task>/``, where runs and ``download_raw_predictions`` read
them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from winnow_client.generated.api.predictions import (
    create_or_update_prediction_by_sample_id,
    create_or_update_prediction_task_schema,
)
from winnow_client.generated.models import (
    CreateEntityResponse,
    PredictionSingletonClassification,
    PredictionSingletonInstanceSegmentation,
    PredictionSingletonKeypointDetection,
    PredictionSingletonObjectDetection,
    PredictionSingletonSemanticSegmentation,
    PredictionTaskSchemaKeypoint,
    PredictionTaskSchemaSimple,
)
from winnow_client.generated.types import UNSET, Unset
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import ok

PredictionTaskSchema = PredictionTaskSchemaKeypoint | PredictionTaskSchemaSimple
PredictionSingleton = (
    PredictionSingletonClassification
    | PredictionSingletonInstanceSegmentation
    | PredictionSingletonKeypointDetection
    | PredictionSingletonObjectDetection
    | PredictionSingletonSemanticSegmentation
)
SINGLETON_TYPES: dict[str, type[PredictionSingleton]] = {
    "CLASSIFICATION": PredictionSingletonClassification,
    "INSTANCE_SEGMENTATION": PredictionSingletonInstanceSegmentation,
    "KEYPOINT_DETECTION": PredictionSingletonKeypointDetection,
    "OBJECT_DETECTION": PredictionSingletonObjectDetection,
    "SEMANTIC_SEGMENTATION": PredictionSingletonSemanticSegmentation,
}


def version(prediction_version_id: int) -> int | Unset:
    """The ``predictionUUIDTimestamp`` query value: a negative id (lightly's default -1, which
    lightly's own client refuses before sending) leaves it out, the server's default."""
    return UNSET if prediction_version_id < 0 else prediction_version_id


def as_schema(schema: PredictionTaskSchema | Mapping[str, Any]) -> PredictionTaskSchema:
    """A generated schema model, or one parsed from its wire dict (``{"name", "type", ...}``)."""
    if not isinstance(schema, Mapping):
        return schema
    if schema.get("type") == "KEYPOINT_DETECTION":
        return PredictionTaskSchemaKeypoint.from_dict(dict(schema))
    return PredictionTaskSchemaSimple.from_dict(dict(schema))


def as_singleton(singleton: PredictionSingleton | Mapping[str, Any]) -> PredictionSingleton:
    """A generated singleton model, or one parsed from its wire dict (by its ``type``)."""
    if not isinstance(singleton, Mapping):
        return singleton
    kind = SINGLETON_TYPES.get(str(singleton.get("type")))
    if kind is None:
        raise ValueError(f"type: {singleton.get('type')!r} is not one of {sorted(SINGLETON_TYPES)}")
    return kind.from_dict(dict(singleton))


class PredictionsMixin(WorkflowBase):
    """Prediction task schemas and per-sample predictions of the current dataset."""

    def create_or_update_prediction_task_schema(
        self,
        schema: PredictionTaskSchema | Mapping[str, Any],
        prediction_version_id: int = -1,
    ) -> None:
        """Create or replace the task's schema (``.lightly/predictions/<task>/schema.json``).

        ``prediction_version_id``: lightly's ``prediction_uuid_timestamp`` (use the same one
        for a schema and its predictions; negative: none).
        """
        response = create_or_update_prediction_task_schema.sync_detailed(
            self.dataset_id,
            client=self.api,
            body=as_schema(schema),
            prediction_uuid_timestamp=version(prediction_version_id),
        )
        ok(response, CreateEntityResponse)

    def create_or_update_prediction(
        self,
        sample_id: str,
        prediction_singletons: Sequence[PredictionSingleton | Mapping[str, Any]],
        prediction_version_id: int = -1,
    ) -> None:
        """Create or replace one sample's predictions (each singleton names its task)."""
        response = create_or_update_prediction_by_sample_id.sync_detailed(
            self.dataset_id,
            sample_id,
            client=self.api,
            body=[as_singleton(s) for s in prediction_singletons],
            prediction_uuid_timestamp=version(prediction_version_id),
        )
        ok(response, CreateEntityResponse)
