from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateCallbackUrlRequest")


@_attrs_define
class UpdateCallbackUrlRequest:
    """Body of `PATCH /v1/callback-url`.

    Attributes:
        signing_secret (None | str | Unset):
    """

    signing_secret: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        signing_secret: None | str | Unset
        if isinstance(self.signing_secret, Unset):
            signing_secret = UNSET
        else:
            signing_secret = self.signing_secret

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if signing_secret is not UNSET:
            field_dict["signing_secret"] = signing_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_signing_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        signing_secret = _parse_signing_secret(d.pop("signing_secret", UNSET))

        update_callback_url_request = cls(
            signing_secret=signing_secret,
        )

        return update_callback_url_request
