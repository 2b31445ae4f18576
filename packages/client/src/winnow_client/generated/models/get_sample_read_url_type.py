from enum import StrEnum

class GetSampleReadUrlType(StrEnum):
    FULL = "full"
    THUMBNAIL = "thumbnail"

    def __str__(self) -> str:
        return str(self.value)
