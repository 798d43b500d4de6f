from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LaneView")


@_attrs_define
class LaneView:
    """Where a pending delivery of a FIFO webhook stands in its lane.

    Attributes:
        position (int): Deliveries ahead of it (0: it is the lane's head, being attempted or retried),
            counted up to 10,000.
        ordering_key (None | str | Unset): The event's ordering key; null for the webhook's single lane.
        waiting_behind (None | Unset | UUID): The delivery at the head of the lane that this one waits behind (null:
            this one is
            the head).
    """

    position: int
    ordering_key: None | str | Unset = UNSET
    waiting_behind: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        position = self.position

        ordering_key: None | str | Unset
        if isinstance(self.ordering_key, Unset):
            ordering_key = UNSET
        else:
            ordering_key = self.ordering_key

        waiting_behind: None | str | Unset
        if isinstance(self.waiting_behind, Unset):
            waiting_behind = UNSET
        elif isinstance(self.waiting_behind, UUID):
            waiting_behind = str(self.waiting_behind)
        else:
            waiting_behind = self.waiting_behind

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "position": position,
            }
        )
        if ordering_key is not UNSET:
            field_dict["ordering_key"] = ordering_key
        if waiting_behind is not UNSET:
            field_dict["waiting_behind"] = waiting_behind

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        position = d.pop("position")

        def _parse_ordering_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ordering_key = _parse_ordering_key(d.pop("ordering_key", UNSET))

        def _parse_waiting_behind(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                waiting_behind_type_0 = UUID(data)

                return waiting_behind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        waiting_behind = _parse_waiting_behind(d.pop("waiting_behind", UNSET))

        lane_view = cls(
            position=position,
            ordering_key=ordering_key,
            waiting_behind=waiting_behind,
        )

        lane_view.additional_properties = d
        return lane_view

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
