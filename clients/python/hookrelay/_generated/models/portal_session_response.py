from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.locale import Locale
from ..types import UNSET, Unset

T = TypeVar("T", bound="PortalSessionResponse")


@_attrs_define
class PortalSessionResponse:
    """The portal session a request is signed in with.

    Attributes:
        expires_at (datetime.datetime):
        id (UUID):
        locale (Locale): The language the console speaks.
        read_only (bool):
        return_url (None | str | Unset):
    """

    expires_at: datetime.datetime
    id: UUID
    locale: Locale
    read_only: bool
    return_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        id = str(self.id)

        locale = self.locale.value

        read_only = self.read_only

        return_url: None | str | Unset
        if isinstance(self.return_url, Unset):
            return_url = UNSET
        else:
            return_url = self.return_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "id": id,
                "locale": locale,
                "read_only": read_only,
            }
        )
        if return_url is not UNSET:
            field_dict["return_url"] = return_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = UUID(d.pop("id"))

        locale = Locale(d.pop("locale"))

        read_only = d.pop("read_only")

        def _parse_return_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        return_url = _parse_return_url(d.pop("return_url", UNSET))

        portal_session_response = cls(
            expires_at=expires_at,
            id=id,
            locale=locale,
            read_only=read_only,
            return_url=return_url,
        )

        portal_session_response.additional_properties = d
        return portal_session_response

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
