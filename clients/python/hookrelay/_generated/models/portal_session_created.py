from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PortalSessionCreated")


@_attrs_define
class PortalSessionCreated:
    """A new portal session. `url` opens the console signed in; `token` works as a bearer
    token on the tenant's `/v1` routes until `expires_at`. Both are shown only here.

        Attributes:
            expires_at (datetime.datetime):
            id (UUID):
            token (str): `hrp_...`
            url (str): The console, with the token in the URL fragment (browsers never send it to a
                server, so it stays out of access logs).
    """

    expires_at: datetime.datetime
    id: UUID
    token: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        id = str(self.id)

        token = self.token

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "id": id,
                "token": token,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = UUID(d.pop("id"))

        token = d.pop("token")

        url = d.pop("url")

        portal_session_created = cls(
            expires_at=expires_at,
            id=id,
            token=token,
            url=url,
        )

        portal_session_created.additional_properties = d
        return portal_session_created

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
