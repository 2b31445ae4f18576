from enum import StrEnum

class ScheduledRunState(StrEnum):
    CANCELED = "CANCELED"
    DONE = "DONE"
    LOCKED = "LOCKED"
    OPEN = "OPEN"

    def __str__(self) -> str:
        return str(self.value)
