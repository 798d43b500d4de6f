from enum import StrEnum


class TransportFailure(StrEnum):
    CONNECTION_CLOSED = "connection_closed"
    CONNECTION_REFUSED = "connection_refused"
    HTTPS_REQUIRED = "https_required"
    NAME_NOT_RESOLVED = "name_not_resolved"
    NOT_SENT = "not_sent"
    OTHER = "other"
    PRIVATE_TARGET = "private_target"
    TIMEOUT = "timeout"
    TLS = "tls"

    def __str__(self) -> str:
        return str(self.value)
