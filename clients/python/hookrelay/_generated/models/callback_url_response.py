from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CallbackUrlResponse")


@_attrs_define
class CallbackUrlResponse:
    """Where workflows report back.

    Attributes:
        signing_enabled (bool): Whether callbacks must carry Standard Webhooks signature headers.
        url (str): `POST` callbacks here: `{"post_id": 123, "status": "published"|"failed", "details"?: "..."}`.
    """

    signing_enabled: bool
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        signing_enabled = self.signing_enabled

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "signing_enabled": signing_enabled,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        signing_enabled = d.pop("signing_enabled")

        url = d.pop("url")

        callback_url_response = cls(
            signing_enabled=signing_enabled,
            url=url,
        )

        callback_url_response.additional_properties = d
        return callback_url_response

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
