from enum import StrEnum

class ComputeWorkerState(StrEnum):
    BUSY = "BUSY"
    CRASHED = "CRASHED"
    IDLE = "IDLE"
    OFFLINE = "OFFLINE"

    def __str__(self) -> str:
        return str(self.value)
