from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.payload_format import PayloadFormat
from ..models.signature_profile import SignatureProfile
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.test_url_request_headers import TestUrlRequestHeaders
    from ..models.test_url_request_payload_type_0 import TestUrlRequestPayloadType0


T = TypeVar("T", bound="TestUrlRequest")


@_attrs_define
class TestUrlRequest:
    """Body of `POST /v1/webhooks/test`: the configuration to test.

    Attributes:
        url (str): An http:// or https:// URL with a host, no credentials and no fragment, at most 2048 characters.
        event_type (None | str | Unset): Defaults to `webhook.test`.
        headers (TestUrlRequestHeaders | Unset):
        payload (None | TestUrlRequestPayloadType0 | Unset): The event's data (a JSON object); defaults to the
            catalogue's example of the type.
        payload_format (None | PayloadFormat | Unset):
        secret (None | str | Unset):
        signature_profile (None | SignatureProfile | Unset):
    """

    url: str
    event_type: None | str | Unset = UNSET
    headers: TestUrlRequestHeaders | Unset = UNSET
    payload: None | TestUrlRequestPayloadType0 | Unset = UNSET
    payload_format: None | PayloadFormat | Unset = UNSET
    secret: None | str | Unset = UNSET
    signature_profile: None | SignatureProfile | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.test_url_request_payload_type_0 import (
            TestUrlRequestPayloadType0,  # noqa: PLC0415
        )

        url = self.url

        event_type: None | str | Unset
        if isinstance(self.event_type, Unset):
            event_type = UNSET
        else:
            event_type = self.event_type

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        payload: dict[str, Any] | None | Unset
        if isinstance(self.payload, Unset):
            payload = UNSET
        elif isinstance(self.payload, TestUrlRequestPayloadType0):
            payload = self.payload.to_dict()
        else:
            payload = self.payload

        payload_format: None | str | Unset
        if isinstance(self.payload_format, Unset):
            payload_format = UNSET
        elif isinstance(self.payload_format, PayloadFormat):
            payload_format = self.payload_format.value
        else:
            payload_format = self.payload_format

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        signature_profile: None | str | Unset
        if isinstance(self.signature_profile, Unset):
            signature_profile = UNSET
        elif isinstance(self.signature_profile, SignatureProfile):
            signature_profile = self.signature_profile.value
        else:
            signature_profile = self.signature_profile

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
            }
        )
        if event_type is not UNSET:
            field_dict["event_type"] = event_type
        if headers is not UNSET:
            field_dict["headers"] = headers
        if payload is not UNSET:
            field_dict["payload"] = payload
        if payload_format is not UNSET:
            field_dict["payload_format"] = payload_format
        if secret is not UNSET:
            field_dict["secret"] = secret
        if signature_profile is not UNSET:
            field_dict["signature_profile"] = signature_profile

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.test_url_request_headers import (
            TestUrlRequestHeaders,  # noqa: PLC0415
        )
        from ..models.test_url_request_payload_type_0 import (
            TestUrlRequestPayloadType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        url = d.pop("url")

        def _parse_event_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_type = _parse_event_type(d.pop("event_type", UNSET))

        _headers = d.pop("headers", UNSET)
        headers: TestUrlRequestHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = TestUrlRequestHeaders.from_dict(_headers)

        def _parse_payload(data: object) -> None | TestUrlRequestPayloadType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_type_0 = TestUrlRequestPayloadType0.from_dict(data)

                return payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TestUrlRequestPayloadType0 | Unset, data)

        payload = _parse_payload(d.pop("payload", UNSET))

        def _parse_payload_format(data: object) -> None | PayloadFormat | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                payload_format_type_1 = PayloadFormat(data)

                return payload_format_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PayloadFormat | Unset, data)

        payload_format = _parse_payload_format(d.pop("payload_format", UNSET))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        def _parse_signature_profile(data: object) -> None | SignatureProfile | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signature_profile_type_1 = SignatureProfile(data)

                return signature_profile_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignatureProfile | Unset, data)

        signature_profile = _parse_signature_profile(d.pop("signature_profile", UNSET))

        test_url_request = cls(
            url=url,
            event_type=event_type,
            headers=headers,
            payload=payload,
            payload_format=payload_format,
            secret=secret,
            signature_profile=signature_profile,
        )

        return test_url_request
