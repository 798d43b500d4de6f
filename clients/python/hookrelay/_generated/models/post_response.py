from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PostResponse")


@_attrs_define
class PostResponse:
    """A scheduled post.

    Attributes:
        channel_identifier (str):
        created_at (datetime.datetime):
        post_id (int):
        post_text_idea (str):
        scheduled_at_utc (str): `YYYY-MM-DD HH:MM:SS`, UTC.
        status (str): `pending`, `published` or `failed`.
        updated_at (datetime.datetime):
        details (None | str | Unset): What the workflow reported with the last status change.
        event_id (None | Unset | UUID): The `new_post_scheduled` event.
    """

    channel_identifier: str
    created_at: datetime.datetime
    post_id: int
    post_text_idea: str
    scheduled_at_utc: str
    status: str
    updated_at: datetime.datetime
    details: None | str | Unset = UNSET
    event_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel_identifier = self.channel_identifier

        created_at = self.created_at.isoformat()

        post_id = self.post_id

        post_text_idea = self.post_text_idea

        scheduled_at_utc = self.scheduled_at_utc

        status = self.status

        updated_at = self.updated_at.isoformat()

        details: None | str | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        else:
            details = self.details

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        elif isinstance(self.event_id, UUID):
            event_id = str(self.event_id)
        else:
            event_id = self.event_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel_identifier": channel_identifier,
                "created_at": created_at,
                "post_id": post_id,
                "post_text_idea": post_text_idea,
                "scheduled_at_utc": scheduled_at_utc,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel_identifier = d.pop("channel_identifier")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        post_id = d.pop("post_id")

        post_text_idea = d.pop("post_text_idea")

        scheduled_at_utc = d.pop("scheduled_at_utc")

        status = d.pop("status")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_details(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        details = _parse_details(d.pop("details", UNSET))

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

        post_response = cls(
            channel_identifier=channel_identifier,
            created_at=created_at,
            post_id=post_id,
            post_text_idea=post_text_idea,
            scheduled_at_utc=scheduled_at_utc,
            status=status,
            updated_at=updated_at,
            details=details,
            event_id=event_id,
        )

        post_response.additional_properties = d
        return post_response

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
