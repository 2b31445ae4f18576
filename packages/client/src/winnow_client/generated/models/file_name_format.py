from enum import StrEnum

class FileNameFormat(StrEnum):
    DATASOURCE_FULL = "DATASOURCE_FULL"
    NAME = "NAME"
    REDIRECTED_READ_URL = "REDIRECTED_READ_URL"

    def __str__(self) -> str:
        return str(self.value)
