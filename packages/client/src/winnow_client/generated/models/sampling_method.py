from enum import StrEnum

class SamplingMethod(StrEnum):
    ACTIVE_LEARNING = "ACTIVE_LEARNING"
    CORAL = "CORAL"
    CORESET = "CORESET"
    RANDOM = "RANDOM"

    def __str__(self) -> str:
        return str(self.value)
