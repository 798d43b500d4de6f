from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreatePostRequest")


@_attrs_define
class CreatePostRequest:
    """Body of `POST /v1/posts`.

    Attributes:
        channel_identifier (str): `@username` or an invite link (`t.me/joinchat/...`).
        post_text_idea (str): 1-4096 characters.
        scheduled_at_utc (str): `YYYY-MM-DD HH:MM:SS` (UTC) or RFC 3339.
    """

    channel_identifier: str
    post_text_idea: str
    scheduled_at_utc: str

    def to_dict(self) -> dict[str, Any]:
        channel_identifier = self.channel_identifier

        post_text_idea = self.post_text_idea

        scheduled_at_utc = self.scheduled_at_utc

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "channel_identifier": channel_identifier,
                "post_text_idea": post_text_idea,
                "scheduled_at_utc": scheduled_at_utc,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel_identifier = d.pop("channel_identifier")

        post_text_idea = d.pop("post_text_idea")

        scheduled_at_utc = d.pop("scheduled_at_utc")

        create_post_request = cls(
            channel_identifier=channel_identifier,
            post_text_idea=post_text_idea,
            scheduled_at_utc=scheduled_at_utc,
        )

        return create_post_request
