from enum import StrEnum

class SampleType(StrEnum):
    CROP = "CROP"
    IMAGE = "IMAGE"
    VIDEO_FRAME = "VIDEO_FRAME"

    def __str__(self) -> str:
        return str(self.value)
