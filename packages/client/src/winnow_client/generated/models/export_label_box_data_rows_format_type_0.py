from enum import StrEnum

class ExportLabelBoxDataRowsFormatType0(StrEnum):
    JSON = "JSON"
    PLAIN = "PLAIN"

    def __str__(self) -> str:
        return str(self.value)
