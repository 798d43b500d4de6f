from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.signature_scheme import SignatureScheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="RotateSecretRequest")


@_attrs_define
class RotateSecretRequest:
    """Body of `POST /v1/webhooks/{id}/secret/rotate`.

    Attributes:
        grace_secs (int | None | Unset): How long deliveries also carry a signature with the old secret (0 to 604800;
            default `delivery.secret_grace_secs`, 86400).
        secret (None | str | Unset):
        signature_scheme (None | SignatureScheme | Unset):
    """

    grace_secs: int | None | Unset = UNSET
    secret: None | str | Unset = UNSET
    signature_scheme: None | SignatureScheme | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        grace_secs: int | None | Unset
        if isinstance(self.grace_secs, Unset):
            grace_secs = UNSET
        else:
            grace_secs = self.grace_secs

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        signature_scheme: None | str | Unset
        if isinstance(self.signature_scheme, Unset):
            signature_scheme = UNSET
        elif isinstance(self.signature_scheme, SignatureScheme):
            signature_scheme = self.signature_scheme.value
        else:
            signature_scheme = self.signature_scheme

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grace_secs is not UNSET:
            field_dict["grace_secs"] = grace_secs
        if secret is not UNSET:
            field_dict["secret"] = secret
        if signature_scheme is not UNSET:
            field_dict["signature_scheme"] = signature_scheme

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_grace_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        grace_secs = _parse_grace_secs(d.pop("grace_secs", UNSET))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        def _parse_signature_scheme(data: object) -> None | SignatureScheme | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signature_scheme_type_1 = SignatureScheme(data)

                return signature_scheme_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignatureScheme | Unset, data)

        signature_scheme = _parse_signature_scheme(d.pop("signature_scheme", UNSET))

        rotate_secret_request = cls(
            grace_secs=grace_secs,
            secret=secret,
            signature_scheme=signature_scheme,
        )

        return rotate_secret_request
