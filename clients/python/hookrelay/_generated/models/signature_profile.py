from enum import StrEnum


class SignatureProfile(StrEnum):
    STANDARD = "standard"
    X_WEBHOOK = "x-webhook"

    def __str__(self) -> str:
        return str(self.value)
