from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReplayPreview")


@_attrs_define
class ReplayPreview:
    """What a replay would send, counted now.

    Attributes:
        count (int): Deliveries it would send: `existing` plus `missed`.
        existing (int): Existing deliveries of the window it would send again.
        missed (int): Events of the window the webhook matched and never got (with `include_missed`).
    """

    count: int
    existing: int
    missed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        existing = self.existing

        missed = self.missed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "existing": existing,
                "missed": missed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        existing = d.pop("existing")

        missed = d.pop("missed")

        replay_preview = cls(
            count=count,
            existing=existing,
            missed=missed,
        )

        replay_preview.additional_properties = d
        return replay_preview

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
