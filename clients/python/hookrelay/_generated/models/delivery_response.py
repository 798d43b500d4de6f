from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.lane_view import LaneView


T = TypeVar("T", bound="DeliveryResponse")


@_attrs_define
class DeliveryResponse:
    """The state of one delivery (an event to one webhook).

    Attributes:
        attempts (int): Attempts made so far.
        created_at (datetime.datetime):
        event_id (UUID):
        id (UUID):
        status (str): `pending`, `succeeded`, `failed` or `cancelled`.
        webhook_id (UUID):
        completed_at (datetime.datetime | None | Unset):
        event_type (None | str | Unset): The event's type (null once retention deleted the event).
        lane (LaneView | None | Unset):
        last_attempt_at (datetime.datetime | None | Unset):
        last_response_code (int | None | Unset):
        next_attempt_at (datetime.datetime | None | Unset):
    """

    attempts: int
    created_at: datetime.datetime
    event_id: UUID
    id: UUID
    status: str
    webhook_id: UUID
    completed_at: datetime.datetime | None | Unset = UNSET
    event_type: None | str | Unset = UNSET
    lane: LaneView | None | Unset = UNSET
    last_attempt_at: datetime.datetime | None | Unset = UNSET
    last_response_code: int | None | Unset = UNSET
    next_attempt_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.lane_view import LaneView  # noqa: PLC0415

        attempts = self.attempts

        created_at = self.created_at.isoformat()

        event_id = str(self.event_id)

        id = str(self.id)

        status = self.status

        webhook_id = str(self.webhook_id)

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        event_type: None | str | Unset
        if isinstance(self.event_type, Unset):
            event_type = UNSET
        else:
            event_type = self.event_type

        lane: dict[str, Any] | None | Unset
        if isinstance(self.lane, Unset):
            lane = UNSET
        elif isinstance(self.lane, LaneView):
            lane = self.lane.to_dict()
        else:
            lane = self.lane

        last_attempt_at: None | str | Unset
        if isinstance(self.last_attempt_at, Unset):
            last_attempt_at = UNSET
        elif isinstance(self.last_attempt_at, datetime.datetime):
            last_attempt_at = self.last_attempt_at.isoformat()
        else:
            last_attempt_at = self.last_attempt_at

        last_response_code: int | None | Unset
        if isinstance(self.last_response_code, Unset):
            last_response_code = UNSET
        else:
            last_response_code = self.last_response_code

        next_attempt_at: None | str | Unset
        if isinstance(self.next_attempt_at, Unset):
            next_attempt_at = UNSET
        elif isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "event_id": event_id,
                "id": id,
                "status": status,
                "webhook_id": webhook_id,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if event_type is not UNSET:
            field_dict["event_type"] = event_type
        if lane is not UNSET:
            field_dict["lane"] = lane
        if last_attempt_at is not UNSET:
            field_dict["last_attempt_at"] = last_attempt_at
        if last_response_code is not UNSET:
            field_dict["last_response_code"] = last_response_code
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lane_view import LaneView  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        event_id = UUID(d.pop("event_id"))

        id = UUID(d.pop("id"))

        status = d.pop("status")

        webhook_id = UUID(d.pop("webhook_id"))

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_event_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_type = _parse_event_type(d.pop("event_type", UNSET))

        def _parse_lane(data: object) -> LaneView | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                lane_type_1 = LaneView.from_dict(data)

                return lane_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LaneView | None | Unset, data)

        lane = _parse_lane(d.pop("lane", UNSET))

        def _parse_last_attempt_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_attempt_at = _parse_last_attempt_at(d.pop("last_attempt_at", UNSET))

        def _parse_last_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_response_code = _parse_last_response_code(
            d.pop("last_response_code", UNSET)
        )

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at", UNSET))

        delivery_response = cls(
            attempts=attempts,
            created_at=created_at,
            event_id=event_id,
            id=id,
            status=status,
            webhook_id=webhook_id,
            completed_at=completed_at,
            event_type=event_type,
            lane=lane,
            last_attempt_at=last_attempt_at,
            last_response_code=last_response_code,
            next_attempt_at=next_attempt_at,
        )

        delivery_response.additional_properties = d
        return delivery_response

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
