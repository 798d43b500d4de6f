from enum import StrEnum


class RatePeriod(StrEnum):
    HOUR = "hour"
    MINUTE = "minute"
    SECOND = "second"

    def __str__(self) -> str:
        return str(self.value)
