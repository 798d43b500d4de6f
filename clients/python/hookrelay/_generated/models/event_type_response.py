from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EventTypeResponse")


@_attrs_define
class EventTypeResponse:
    """A catalogue entry.

    Attributes:
        created_at (datetime.datetime):
        deprecated (bool):
        name (str):
        registered (bool): Registered through the API; false for types only seen in events.
        updated_at (datetime.datetime):
        description (None | str | Unset):
        example (Any | Unset):
        first_seen_at (datetime.datetime | None | Unset): When an event of this type was first accepted (null if
            registered before).
        group (None | str | Unset):
        schema (Any | Unset):
    """

    created_at: datetime.datetime
    deprecated: bool
    name: str
    registered: bool
    updated_at: datetime.datetime
    description: None | str | Unset = UNSET
    example: Any | Unset = UNSET
    first_seen_at: datetime.datetime | None | Unset = UNSET
    group: None | str | Unset = UNSET
    schema: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        deprecated = self.deprecated

        name = self.name

        registered = self.registered

        updated_at = self.updated_at.isoformat()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        example = self.example

        first_seen_at: None | str | Unset
        if isinstance(self.first_seen_at, Unset):
            first_seen_at = UNSET
        elif isinstance(self.first_seen_at, datetime.datetime):
            first_seen_at = self.first_seen_at.isoformat()
        else:
            first_seen_at = self.first_seen_at

        group: None | str | Unset
        if isinstance(self.group, Unset):
            group = UNSET
        else:
            group = self.group

        schema = self.schema

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "deprecated": deprecated,
                "name": name,
                "registered": registered,
                "updated_at": updated_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if example is not UNSET:
            field_dict["example"] = example
        if first_seen_at is not UNSET:
            field_dict["first_seen_at"] = first_seen_at
        if group is not UNSET:
            field_dict["group"] = group
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        deprecated = d.pop("deprecated")

        name = d.pop("name")

        registered = d.pop("registered")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        example = d.pop("example", UNSET)

        def _parse_first_seen_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                first_seen_at_type_0 = datetime.datetime.fromisoformat(data)

                return first_seen_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        first_seen_at = _parse_first_seen_at(d.pop("first_seen_at", UNSET))

        def _parse_group(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group = _parse_group(d.pop("group", UNSET))

        schema = d.pop("schema", UNSET)

        event_type_response = cls(
            created_at=created_at,
            deprecated=deprecated,
            name=name,
            registered=registered,
            updated_at=updated_at,
            description=description,
            example=example,
            first_seen_at=first_seen_at,
            group=group,
            schema=schema,
        )

        event_type_response.additional_properties = d
        return event_type_response

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
