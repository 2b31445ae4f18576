from enum import StrEnum

class DatasetType(StrEnum):
    CROPS = "Crops"
    IMAGES = "Images"
    VIDEOS = "Videos"

    def __str__(self) -> str:
        return str(self.value)
