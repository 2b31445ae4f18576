from enum import StrEnum

class GetMappingsField(StrEnum):
    FILENAME = "fileName"
    VALUE_1 = "_id"

    def __str__(self) -> str:
        return str(self.value)
