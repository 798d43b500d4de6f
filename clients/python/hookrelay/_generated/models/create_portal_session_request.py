from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.locale import Locale
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreatePortalSessionRequest")


@_attrs_define
class CreatePortalSessionRequest:
    """Body of `POST /v1/portal-sessions`.

    Attributes:
        expires_in_secs (int | None | Unset): How long the link works: 1 to 86400 seconds; 3600 when absent.
        locale (Locale | None | Unset):
        read_only (bool | Unset): Only reading: every write answers 403.
        return_url (None | str | Unset):
    """

    expires_in_secs: int | None | Unset = UNSET
    locale: Locale | None | Unset = UNSET
    read_only: bool | Unset = UNSET
    return_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        expires_in_secs: int | None | Unset
        if isinstance(self.expires_in_secs, Unset):
            expires_in_secs = UNSET
        else:
            expires_in_secs = self.expires_in_secs

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        elif isinstance(self.locale, Locale):
            locale = self.locale.value
        else:
            locale = self.locale

        read_only = self.read_only

        return_url: None | str | Unset
        if isinstance(self.return_url, Unset):
            return_url = UNSET
        else:
            return_url = self.return_url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if expires_in_secs is not UNSET:
            field_dict["expires_in_secs"] = expires_in_secs
        if locale is not UNSET:
            field_dict["locale"] = locale
        if read_only is not UNSET:
            field_dict["read_only"] = read_only
        if return_url is not UNSET:
            field_dict["return_url"] = return_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_expires_in_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_secs = _parse_expires_in_secs(d.pop("expires_in_secs", UNSET))

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

        read_only = d.pop("read_only", UNSET)

        def _parse_return_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        return_url = _parse_return_url(d.pop("return_url", UNSET))

        create_portal_session_request = cls(
            expires_in_secs=expires_in_secs,
            locale=locale,
            read_only=read_only,
            return_url=return_url,
        )

        return create_portal_session_request
