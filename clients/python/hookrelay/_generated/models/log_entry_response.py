from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.transport_failure import TransportFailure
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.log_entry_response_payload_type_0 import LogEntryResponsePayloadType0


T = TypeVar("T", bound="LogEntryResponse")


@_attrs_define
class LogEntryResponse:
    """One attempt (or test send) of a webhook.

    Attributes:
        attempt (int): The attempt number within its delivery (1 for a test send).
        created_at (datetime.datetime): When the attempt started.
        event_type (str):
        execution_time (float): Seconds from sending to the end of the response.
        id (UUID):
        success (bool):
        test (bool): A test send (`POST /v1/webhooks/{id}/test`), not a delivery.
        delivery_id (None | Unset | UUID): Absent for a test send.
        error (None | str | Unset): Why the attempt failed without a response (timeout, connection refused...).
        error_kind (None | TransportFailure | Unset):
        event_id (None | Unset | UUID): Absent for a test send.
        payload (LogEntryResponsePayloadType0 | None | Unset): The exact JSON body that was sent (absent when nothing
            was sent).
        response_code (int | None | Unset): HTTP status, absent when no response arrived.
        response_excerpt (None | str | Unset): First 4 KiB of the response body.
        retry_after (int | None | Unset): The receiver's `Retry-After` (seconds) with a 429 or 503.
    """

    attempt: int
    created_at: datetime.datetime
    event_type: str
    execution_time: float
    id: UUID
    success: bool
    test: bool
    delivery_id: None | Unset | UUID = UNSET
    error: None | str | Unset = UNSET
    error_kind: None | TransportFailure | Unset = UNSET
    event_id: None | Unset | UUID = UNSET
    payload: LogEntryResponsePayloadType0 | None | Unset = UNSET
    response_code: int | None | Unset = UNSET
    response_excerpt: None | str | Unset = UNSET
    retry_after: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.log_entry_response_payload_type_0 import (
            LogEntryResponsePayloadType0,  # noqa: PLC0415
        )

        attempt = self.attempt

        created_at = self.created_at.isoformat()

        event_type = self.event_type

        execution_time = self.execution_time

        id = str(self.id)

        success = self.success

        test = self.test

        delivery_id: None | str | Unset
        if isinstance(self.delivery_id, Unset):
            delivery_id = UNSET
        elif isinstance(self.delivery_id, UUID):
            delivery_id = str(self.delivery_id)
        else:
            delivery_id = self.delivery_id

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        error_kind: None | str | Unset
        if isinstance(self.error_kind, Unset):
            error_kind = UNSET
        elif isinstance(self.error_kind, TransportFailure):
            error_kind = self.error_kind.value
        else:
            error_kind = self.error_kind

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        elif isinstance(self.event_id, UUID):
            event_id = str(self.event_id)
        else:
            event_id = self.event_id

        payload: dict[str, Any] | None | Unset
        if isinstance(self.payload, Unset):
            payload = UNSET
        elif isinstance(self.payload, LogEntryResponsePayloadType0):
            payload = self.payload.to_dict()
        else:
            payload = self.payload

        response_code: int | None | Unset
        if isinstance(self.response_code, Unset):
            response_code = UNSET
        else:
            response_code = self.response_code

        response_excerpt: None | str | Unset
        if isinstance(self.response_excerpt, Unset):
            response_excerpt = UNSET
        else:
            response_excerpt = self.response_excerpt

        retry_after: int | None | Unset
        if isinstance(self.retry_after, Unset):
            retry_after = UNSET
        else:
            retry_after = self.retry_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt": attempt,
                "created_at": created_at,
                "event_type": event_type,
                "execution_time": execution_time,
                "id": id,
                "success": success,
                "test": test,
            }
        )
        if delivery_id is not UNSET:
            field_dict["delivery_id"] = delivery_id
        if error is not UNSET:
            field_dict["error"] = error
        if error_kind is not UNSET:
            field_dict["error_kind"] = error_kind
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if payload is not UNSET:
            field_dict["payload"] = payload
        if response_code is not UNSET:
            field_dict["response_code"] = response_code
        if response_excerpt is not UNSET:
            field_dict["response_excerpt"] = response_excerpt
        if retry_after is not UNSET:
            field_dict["retry_after"] = retry_after

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.log_entry_response_payload_type_0 import (
            LogEntryResponsePayloadType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        attempt = d.pop("attempt")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        event_type = d.pop("event_type")

        execution_time = d.pop("execution_time")

        id = UUID(d.pop("id"))

        success = d.pop("success")

        test = d.pop("test")

        def _parse_delivery_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivery_id_type_0 = UUID(data)

                return delivery_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        delivery_id = _parse_delivery_id(d.pop("delivery_id", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_error_kind(data: object) -> None | TransportFailure | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                error_kind_type_1 = TransportFailure(data)

                return error_kind_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TransportFailure | Unset, data)

        error_kind = _parse_error_kind(d.pop("error_kind", UNSET))

        def _parse_event_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                event_id_type_0 = UUID(data)

                return event_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        def _parse_payload(data: object) -> LogEntryResponsePayloadType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_type_0 = LogEntryResponsePayloadType0.from_dict(data)

                return payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LogEntryResponsePayloadType0 | None | Unset, data)

        payload = _parse_payload(d.pop("payload", UNSET))

        def _parse_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        response_code = _parse_response_code(d.pop("response_code", UNSET))

        def _parse_response_excerpt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_excerpt = _parse_response_excerpt(d.pop("response_excerpt", UNSET))

        def _parse_retry_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retry_after = _parse_retry_after(d.pop("retry_after", UNSET))

        log_entry_response = cls(
            attempt=attempt,
            created_at=created_at,
            event_type=event_type,
            execution_time=execution_time,
            id=id,
            success=success,
            test=test,
            delivery_id=delivery_id,
            error=error,
            error_kind=error_kind,
            event_id=event_id,
            payload=payload,
            response_code=response_code,
            response_excerpt=response_excerpt,
            retry_after=retry_after,
        )

        log_entry_response.additional_properties = d
        return log_entry_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
