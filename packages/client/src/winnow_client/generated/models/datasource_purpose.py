from enum import StrEnum

class DatasourcePurpose(StrEnum):
    INPUT = "INPUT"
    INPUT_OUTPUT = "INPUT_OUTPUT"
    LIGHTLY = "LIGHTLY"

    def __str__(self) -> str:
        return str(self.value)
