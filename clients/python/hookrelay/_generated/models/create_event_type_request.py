from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateEventTypeRequest")


@_attrs_define
class CreateEventTypeRequest:
    """Body of `POST /v1/event-types`.

    Attributes:
        name (str): An event type: letters and digits of any script, spaces inside, `_`, `.` and `-`; not `.` or `..`;
            at most 100 characters.
        deprecated (bool | Unset):
        description (None | str | Unset): At most 500 characters.
        example (Any | Unset): Example `data`, used by test sends; must satisfy `schema`.
        group (None | str | Unset): A heading to group types under (e.g. "Publishing"), 1-200 characters.
        schema (Any | Unset): JSON Schema (draft 2020-12 by default) that `data` must satisfy in strict mode.
    """

    name: str
    deprecated: bool | Unset = UNSET
    description: None | str | Unset = UNSET
    example: Any | Unset = UNSET
    group: None | str | Unset = UNSET
    schema: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

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

        field_dict.update(
            {
                "name": name,
            }
        )
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
        name = d.pop("name")

        deprecated = d.pop("deprecated", UNSET)

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

        create_event_type_request = cls(
            name=name,
            deprecated=deprecated,
            description=description,
            example=example,
            group=group,
            schema=schema,
        )

        return create_event_type_request
