from enum import StrEnum

class ArtifactStorageLocation(StrEnum):
    DATASOURCE = "DATASOURCE"
    LIGHTLY = "LIGHTLY"

    def __str__(self) -> str:
        return str(self.value)
