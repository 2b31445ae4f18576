from enum import StrEnum

class ImageType(StrEnum):
    FULL = "full"
    META = "meta"
    THUMBNAIL = "thumbnail"

    def __str__(self) -> str:
        return str(self.value)
