from enum import StrEnum

class GetSamplesPartialMode(StrEnum):
    FILENAMES = "fileNames"
    FULL = "full"
    IDS = "ids"

    def __str__(self) -> str:
        return str(self.value)
