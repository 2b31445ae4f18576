from enum import StrEnum

class JobState(StrEnum):
    FAILED = "FAILED"
    FINISHED = "FINISHED"
    RUNNING = "RUNNING"
    WAITING = "WAITING"

    def __str__(self) -> str:
        return str(self.value)
