from enum import StrEnum

class PredictionTaskSchemaSimpleType(StrEnum):
    CLASSIFICATION = "CLASSIFICATION"
    INSTANCE_SEGMENTATION = "INSTANCE_SEGMENTATION"
    OBJECT_DETECTION = "OBJECT_DETECTION"
    SEMANTIC_SEGMENTATION = "SEMANTIC_SEGMENTATION"

    def __str__(self) -> str:
        return str(self.value)
