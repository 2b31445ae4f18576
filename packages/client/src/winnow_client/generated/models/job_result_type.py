from enum import StrEnum

class JobResultType(StrEnum):
    EMBEDDINGS2D = "EMBEDDINGS2D"
    SAMPLING = "SAMPLING"

    def __str__(self) -> str:
        return str(self.value)
