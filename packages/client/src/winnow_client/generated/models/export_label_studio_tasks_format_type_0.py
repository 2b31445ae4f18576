from enum import StrEnum

class ExportLabelStudioTasksFormatType0(StrEnum):
    JSON = "JSON"
    PLAIN = "PLAIN"

    def __str__(self) -> str:
        return str(self.value)
