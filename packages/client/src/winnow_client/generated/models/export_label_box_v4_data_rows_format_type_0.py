from enum import StrEnum

class ExportLabelBoxV4DataRowsFormatType0(StrEnum):
    JSON = "JSON"
    PLAIN = "PLAIN"

    def __str__(self) -> str:
        return str(self.value)
