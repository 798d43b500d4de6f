from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.locale import Locale
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.branding import Branding


T = TypeVar("T", bound="UpdateTenantRequest")


@_attrs_define
class UpdateTenantRequest:
    """Body of `PATCH /v1/tenant`.

    Attributes:
        branding (Branding | None | Unset):
        locale (Locale | None | Unset):
        strict_event_types (bool | None | Unset): Refuse events whose type is not registered in the catalogue, or whose
            data fails
            the type's JSON Schema.
    """

    branding: Branding | None | Unset = UNSET
    locale: Locale | None | Unset = UNSET
    strict_event_types: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.branding import Branding  # noqa: PLC0415

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

        strict_event_types: bool | None | Unset
        if isinstance(self.strict_event_types, Unset):
            strict_event_types = UNSET
        else:
            strict_event_types = self.strict_event_types

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if branding is not UNSET:
            field_dict["branding"] = branding
        if locale is not UNSET:
            field_dict["locale"] = locale
        if strict_event_types is not UNSET:
            field_dict["strict_event_types"] = strict_event_types

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.branding import Branding  # noqa: PLC0415

        d = dict(src_dict)

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

        def _parse_strict_event_types(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        strict_event_types = _parse_strict_event_types(
            d.pop("strict_event_types", UNSET)
        )

        update_tenant_request = cls(
            branding=branding,
            locale=locale,
            strict_event_types=strict_event_types,
        )

        return update_tenant_request
