from enum import StrEnum

class Creator(StrEnum):
    UNKNOWN = "UNKNOWN"
    USER_PIP = "USER_PIP"
    USER_PIP_LIGHTLY_MAGIC = "USER_PIP_LIGHTLY_MAGIC"
    USER_WEBAPP = "USER_WEBAPP"
    USER_WORKER = "USER_WORKER"

    def __str__(self) -> str:
        return str(self.value)
