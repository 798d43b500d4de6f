from enum import StrEnum


class PayloadFormat(StrEnum):
    CLOUDEVENTS = "cloudevents"
    ENVELOPE = "envelope"
    FLAT = "flat"
    WRAPPED = "wrapped"

    def __str__(self) -> str:
        return str(self.value)
