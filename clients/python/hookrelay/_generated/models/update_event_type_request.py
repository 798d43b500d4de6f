from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateEventTypeRequest")


@_attrs_define
class UpdateEventTypeRequest:
    """Body of `PATCH /v1/event-types/{name}`: only the fields given change; `null` clears.

    Attributes:
        deprecated (bool | None | Unset):
        description (None | str | Unset):
        example (Any | Unset):
        group (None | str | Unset):
        schema (Any | Unset):
    """

    deprecated: bool | None | Unset = UNSET
    description: None | str | Unset = UNSET
    example: Any | Unset = UNSET
    group: None | str | Unset = UNSET
    schema: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        deprecated: bool | None | Unset
        if isinstance(self.deprecated, Unset):
            deprecated = UNSET
        else:
            deprecated = self.deprecated

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        example = self.example

        group: None | str | Unset
        if isinstance(self.group, Unset):
            group = UNSET
        else:
            group = self.group

        schema = self.schema

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if deprecated is not UNSET:
            field_dict["deprecated"] = deprecated
        if description is not UNSET:
            field_dict["description"] = description
        if example is not UNSET:
            field_dict["example"] = example
        if group is not UNSET:
            field_dict["group"] = group
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_deprecated(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        deprecated = _parse_deprecated(d.pop("deprecated", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        example = d.pop("example", UNSET)

        def _parse_group(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group = _parse_group(d.pop("group", UNSET))

        schema = d.pop("schema", UNSET)

        update_event_type_request = cls(
            deprecated=deprecated,
            description=description,
            example=example,
            group=group,
            schema=schema,
        )

        return update_event_type_request
