from enum import StrEnum


class Handshake(StrEnum):
    CLOUDEVENTS = "cloudevents"

    def __str__(self) -> str:
        return str(self.value)
