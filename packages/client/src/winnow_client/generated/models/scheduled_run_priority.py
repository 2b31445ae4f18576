from enum import StrEnum

class ScheduledRunPriority(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    LOW = "LOW"
    MID = "MID"

    def __str__(self) -> str:
        return str(self.value)
