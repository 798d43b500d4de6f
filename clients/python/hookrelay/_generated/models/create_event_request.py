from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateEventRequest")


@_attrs_define
class CreateEventRequest:
    """Body of `POST /v1/events`.

    Attributes:
        data (Any): Any JSON value; sent to receivers as given.
        event_type (str): An event type: letters and digits of any script, spaces inside, `_`, `.` and `-`; not `.` or
            `..`; at most 100 characters.
        occurred_at (datetime.datetime | None | Unset):
        ordering_key (None | str | Unset): On FIFO webhooks, events of the same key are delivered one at a time in the
            order
            they were accepted, and a key waits only for its own (e.g. `post:42`); without one,
            a FIFO webhook's events form one lane. Ignored by unordered webhooks. 1-255
            characters, no control characters.
    """

    data: Any
    event_type: str
    occurred_at: datetime.datetime | None | Unset = UNSET
    ordering_key: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        data = self.data

        event_type = self.event_type

        occurred_at: None | str | Unset
        if isinstance(self.occurred_at, Unset):
            occurred_at = UNSET
        elif isinstance(self.occurred_at, datetime.datetime):
            occurred_at = self.occurred_at.isoformat()
        else:
            occurred_at = self.occurred_at

        ordering_key: None | str | Unset
        if isinstance(self.ordering_key, Unset):
            ordering_key = UNSET
        else:
            ordering_key = self.ordering_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data": data,
                "event_type": event_type,
            }
        )
        if occurred_at is not UNSET:
            field_dict["occurred_at"] = occurred_at
        if ordering_key is not UNSET:
            field_dict["ordering_key"] = ordering_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        data = d.pop("data")

        event_type = d.pop("event_type")

        def _parse_occurred_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                occurred_at_type_1 = datetime.datetime.fromisoformat(data)

                return occurred_at_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        occurred_at = _parse_occurred_at(d.pop("occurred_at", UNSET))

        def _parse_ordering_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ordering_key = _parse_ordering_key(d.pop("ordering_key", UNSET))

        create_event_request = cls(
            data=data,
            event_type=event_type,
            occurred_at=occurred_at,
            ordering_key=ordering_key,
        )

        return create_event_request
