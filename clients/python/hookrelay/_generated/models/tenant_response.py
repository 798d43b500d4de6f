from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.locale import Locale
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.branding import Branding


T = TypeVar("T", bound="TenantResponse")


@_attrs_define
class TenantResponse:
    """A tenant.

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        name (str):
        strict_event_types (bool):
        branding (Branding | None | Unset):
        locale (Locale | None | Unset):
    """

    created_at: datetime.datetime
    id: UUID
    name: str
    strict_event_types: bool
    branding: Branding | None | Unset = UNSET
    locale: Locale | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.branding import Branding  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        id = str(self.id)

        name = self.name

        strict_event_types = self.strict_event_types

        branding: dict[str, Any] | None | Unset
        if isinstance(self.branding, Unset):
            branding = UNSET
        elif isinstance(self.branding, Branding):
            branding = self.branding.to_dict()
        else:
            branding = self.branding

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        elif isinstance(self.locale, Locale):
            locale = self.locale.value
        else:
            locale = self.locale

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "strict_event_types": strict_event_types,
            }
        )
        if branding is not UNSET:
            field_dict["branding"] = branding
        if locale is not UNSET:
            field_dict["locale"] = locale

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.branding import Branding  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        name = d.pop("name")

        strict_event_types = d.pop("strict_event_types")

        def _parse_branding(data: object) -> Branding | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                branding_type_1 = Branding.from_dict(data)

                return branding_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Branding | None | Unset, data)

        branding = _parse_branding(d.pop("branding", UNSET))

        def _parse_locale(data: object) -> Locale | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                locale_type_1 = Locale(data)

                return locale_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Locale | None | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        tenant_response = cls(
            created_at=created_at,
            id=id,
            name=name,
            strict_event_types=strict_event_types,
            branding=branding,
            locale=locale,
        )

        tenant_response.additional_properties = d
        return tenant_response

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
