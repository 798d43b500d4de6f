from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CallbackResponse")


@_attrs_define
class CallbackResponse:
    """One callback received for a post.

    Attributes:
        http_status (int): Same as `status_code` (the name of earlier versions).
        outcome (str): `applied`, `duplicate`, or why it was rejected.
        received_at (datetime.datetime):
        status_code (int): The HTTP status it was answered with.
        body_excerpt (None | str | Unset): The first 512 bytes of its body.
        details (None | str | Unset):
        error (None | str | Unset): The error message it was answered with (refused ones).
        post_id (int | None | Unset): The post it named (null: none could be read from the body).
        status (None | str | Unset):
    """

    http_status: int
    outcome: str
    received_at: datetime.datetime
    status_code: int
    body_excerpt: None | str | Unset = UNSET
    details: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    post_id: int | None | Unset = UNSET
    status: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        http_status = self.http_status

        outcome = self.outcome

        received_at = self.received_at.isoformat()

        status_code = self.status_code

        body_excerpt: None | str | Unset
        if isinstance(self.body_excerpt, Unset):
            body_excerpt = UNSET
        else:
            body_excerpt = self.body_excerpt

        details: None | str | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        else:
            details = self.details

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        post_id: int | None | Unset
        if isinstance(self.post_id, Unset):
            post_id = UNSET
        else:
            post_id = self.post_id

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "http_status": http_status,
                "outcome": outcome,
                "received_at": received_at,
                "status_code": status_code,
            }
        )
        if body_excerpt is not UNSET:
            field_dict["body_excerpt"] = body_excerpt
        if details is not UNSET:
            field_dict["details"] = details
        if error is not UNSET:
            field_dict["error"] = error
        if post_id is not UNSET:
            field_dict["post_id"] = post_id
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        http_status = d.pop("http_status")

        outcome = d.pop("outcome")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        status_code = d.pop("status_code")

        def _parse_body_excerpt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        body_excerpt = _parse_body_excerpt(d.pop("body_excerpt", UNSET))

        def _parse_details(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        details = _parse_details(d.pop("details", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_post_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        post_id = _parse_post_id(d.pop("post_id", UNSET))

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        callback_response = cls(
            http_status=http_status,
            outcome=outcome,
            received_at=received_at,
            status_code=status_code,
            body_excerpt=body_excerpt,
            details=details,
            error=error,
            post_id=post_id,
            status=status,
        )

        callback_response.additional_properties = d
        return callback_response

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
