from enum import StrEnum

class TagArithmeticsRequestOperation(StrEnum):
    DIFFERENCE = "DIFFERENCE"
    INTERSECTION = "INTERSECTION"
    UNION = "UNION"

    def __str__(self) -> str:
        return str(self.value)
