from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.transport_failure import TransportFailure
from ..types import UNSET, Unset

T = TypeVar("T", bound="AttemptResponse")


@_attrs_define
class AttemptResponse:
    """One attempt of a delivery.

    Attributes:
        attempt (int):
        duration_ms (int):
        started_at (datetime.datetime):
        succeeded (bool):
        error (None | str | Unset): Why the attempt failed without a response (timeout, connection refused...).
        error_kind (None | TransportFailure | Unset):
        request_headers (list[list[str]] | None | Unset): The headers sent, as `[name, value]` pairs (custom header
            values redacted); null
            when nothing was sent or the attempt predates header logging.
        response_body (None | str | Unset): First 4 KiB of the response body.
        response_code (int | None | Unset): HTTP status, absent when no response arrived.
        response_headers (list[list[str]] | None | Unset): The headers of the answer; null when none arrived.
        retry_after (int | None | Unset): The receiver's `Retry-After` (seconds), when it sent one.
    """

    attempt: int
    duration_ms: int
    started_at: datetime.datetime
    succeeded: bool
    error: None | str | Unset = UNSET
    error_kind: None | TransportFailure | Unset = UNSET
    request_headers: list[list[str]] | None | Unset = UNSET
    response_body: None | str | Unset = UNSET
    response_code: int | None | Unset = UNSET
    response_headers: list[list[str]] | None | Unset = UNSET
    retry_after: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        duration_ms = self.duration_ms

        started_at = self.started_at.isoformat()

        succeeded = self.succeeded

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

        request_headers: list[list[str]] | None | Unset
        if isinstance(self.request_headers, Unset):
            request_headers = UNSET
        elif isinstance(self.request_headers, list):
            request_headers = []
            for request_headers_type_0_item_data in self.request_headers:
                request_headers_type_0_item = request_headers_type_0_item_data

                request_headers.append(request_headers_type_0_item)

        else:
            request_headers = self.request_headers

        response_body: None | str | Unset
        if isinstance(self.response_body, Unset):
            response_body = UNSET
        else:
            response_body = self.response_body

        response_code: int | None | Unset
        if isinstance(self.response_code, Unset):
            response_code = UNSET
        else:
            response_code = self.response_code

        response_headers: list[list[str]] | None | Unset
        if isinstance(self.response_headers, Unset):
            response_headers = UNSET
        elif isinstance(self.response_headers, list):
            response_headers = []
            for response_headers_type_0_item_data in self.response_headers:
                response_headers_type_0_item = response_headers_type_0_item_data

                response_headers.append(response_headers_type_0_item)

        else:
            response_headers = self.response_headers

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
                "duration_ms": duration_ms,
                "started_at": started_at,
                "succeeded": succeeded,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if error_kind is not UNSET:
            field_dict["error_kind"] = error_kind
        if request_headers is not UNSET:
            field_dict["request_headers"] = request_headers
        if response_body is not UNSET:
            field_dict["response_body"] = response_body
        if response_code is not UNSET:
            field_dict["response_code"] = response_code
        if response_headers is not UNSET:
            field_dict["response_headers"] = response_headers
        if retry_after is not UNSET:
            field_dict["retry_after"] = retry_after

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        duration_ms = d.pop("duration_ms")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        succeeded = d.pop("succeeded")

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

        def _parse_request_headers(data: object) -> list[list[str]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                request_headers_type_0 = []
                _request_headers_type_0 = data
                for request_headers_type_0_item_data in _request_headers_type_0:
                    request_headers_type_0_item = cast(
                        list[str], request_headers_type_0_item_data
                    )

                    request_headers_type_0.append(request_headers_type_0_item)

                return request_headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[str]] | None | Unset, data)

        request_headers = _parse_request_headers(d.pop("request_headers", UNSET))

        def _parse_response_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_body = _parse_response_body(d.pop("response_body", UNSET))

        def _parse_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        response_code = _parse_response_code(d.pop("response_code", UNSET))

        def _parse_response_headers(data: object) -> list[list[str]] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                response_headers_type_0 = []
                _response_headers_type_0 = data
                for response_headers_type_0_item_data in _response_headers_type_0:
                    response_headers_type_0_item = cast(
                        list[str], response_headers_type_0_item_data
                    )

                    response_headers_type_0.append(response_headers_type_0_item)

                return response_headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[str]] | None | Unset, data)

        response_headers = _parse_response_headers(d.pop("response_headers", UNSET))

        def _parse_retry_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retry_after = _parse_retry_after(d.pop("retry_after", UNSET))

        attempt_response = cls(
            attempt=attempt,
            duration_ms=duration_ms,
            started_at=started_at,
            succeeded=succeeded,
            error=error,
            error_kind=error_kind,
            request_headers=request_headers,
            response_body=response_body,
            response_code=response_code,
            response_headers=response_headers,
            retry_after=retry_after,
        )

        attempt_response.additional_properties = d
        return attempt_response

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
