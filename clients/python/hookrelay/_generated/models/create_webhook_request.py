from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.handshake import Handshake
from ..models.ordering_mode import OrderingMode
from ..models.payload_format import PayloadFormat
from ..models.rate_period import RatePeriod
from ..models.signature_profile import SignatureProfile
from ..models.signature_scheme import SignatureScheme
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_webhook_request_headers_type_0 import (
        CreateWebhookRequestHeadersType0,
    )


T = TypeVar("T", bound="CreateWebhookRequest")


@_attrs_define
class CreateWebhookRequest:
    """Body of `POST /v1/webhooks`.

    Attributes:
        event_types (list[str]): Exact types, `prefix.*` or `*`; at least one.
        name (str): A display name: 1-200 characters with something visible; no control, zero-width, bidi-control or
            other invisible characters.
        url (str): An http:// or https:// URL with a host, no credentials and no fragment, at most 2048 characters.
        description (None | str | Unset): At most 2000 characters.
        enabled (bool | None | Unset): Default true.
        handshake (Handshake | None | Unset):
        headers (CreateWebhookRequestHeadersType0 | None | Unset): Extra headers sent with every delivery.
        max_concurrency (int | None | Unset): Requests in flight to this webhook at once, 1-1000 (default
            `delivery.default_max_concurrency`, 16). More deliveries wait their turn,
            unattempted.
        ordering (None | OrderingMode | Unset):
        payload_format (None | PayloadFormat | Unset):
        rate_limit (int | None | Unset): At most this many deliveries started per `rate_limit_period`; more wait,
            neither
            failed nor charged an attempt. Null or absent: no limit.
        rate_limit_period (None | RatePeriod | Unset):
        retry_schedule_secs (list[int] | None | Unset): Delays (seconds) before retry 1, 2, 3... of this webhook's
            deliveries: 1-20 delays,
            each 1 s to 24 h. Default: the installation's schedule (5, 25, 125).
        secret (None | str | Unset):
        signature_profile (None | SignatureProfile | Unset):
        signature_scheme (None | SignatureScheme | Unset):
        test_first (bool | Unset): Send a test event first and save only if the receiver accepts it (2xx); otherwise
            answer 422 `test_failed` with the test's result in `error.detail`.
    """

    event_types: list[str]
    name: str
    url: str
    description: None | str | Unset = UNSET
    enabled: bool | None | Unset = UNSET
    handshake: Handshake | None | Unset = UNSET
    headers: CreateWebhookRequestHeadersType0 | None | Unset = UNSET
    max_concurrency: int | None | Unset = UNSET
    ordering: None | OrderingMode | Unset = UNSET
    payload_format: None | PayloadFormat | Unset = UNSET
    rate_limit: int | None | Unset = UNSET
    rate_limit_period: None | RatePeriod | Unset = UNSET
    retry_schedule_secs: list[int] | None | Unset = UNSET
    secret: None | str | Unset = UNSET
    signature_profile: None | SignatureProfile | Unset = UNSET
    signature_scheme: None | SignatureScheme | Unset = UNSET
    test_first: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_webhook_request_headers_type_0 import (
            CreateWebhookRequestHeadersType0,  # noqa: PLC0415
        )

        event_types = self.event_types

        name = self.name

        url = self.url

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        handshake: None | str | Unset
        if isinstance(self.handshake, Unset):
            handshake = UNSET
        elif isinstance(self.handshake, Handshake):
            handshake = self.handshake.value
        else:
            handshake = self.handshake

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, CreateWebhookRequestHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        max_concurrency: int | None | Unset
        if isinstance(self.max_concurrency, Unset):
            max_concurrency = UNSET
        else:
            max_concurrency = self.max_concurrency

        ordering: None | str | Unset
        if isinstance(self.ordering, Unset):
            ordering = UNSET
        elif isinstance(self.ordering, OrderingMode):
            ordering = self.ordering.value
        else:
            ordering = self.ordering

        payload_format: None | str | Unset
        if isinstance(self.payload_format, Unset):
            payload_format = UNSET
        elif isinstance(self.payload_format, PayloadFormat):
            payload_format = self.payload_format.value
        else:
            payload_format = self.payload_format

        rate_limit: int | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        rate_limit_period: None | str | Unset
        if isinstance(self.rate_limit_period, Unset):
            rate_limit_period = UNSET
        elif isinstance(self.rate_limit_period, RatePeriod):
            rate_limit_period = self.rate_limit_period.value
        else:
            rate_limit_period = self.rate_limit_period

        retry_schedule_secs: list[int] | None | Unset
        if isinstance(self.retry_schedule_secs, Unset):
            retry_schedule_secs = UNSET
        elif isinstance(self.retry_schedule_secs, list):
            retry_schedule_secs = self.retry_schedule_secs

        else:
            retry_schedule_secs = self.retry_schedule_secs

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

        signature_scheme: None | str | Unset
        if isinstance(self.signature_scheme, Unset):
            signature_scheme = UNSET
        elif isinstance(self.signature_scheme, SignatureScheme):
            signature_scheme = self.signature_scheme.value
        else:
            signature_scheme = self.signature_scheme

        test_first = self.test_first

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_types": event_types,
                "name": name,
                "url": url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if handshake is not UNSET:
            field_dict["handshake"] = handshake
        if headers is not UNSET:
            field_dict["headers"] = headers
        if max_concurrency is not UNSET:
            field_dict["max_concurrency"] = max_concurrency
        if ordering is not UNSET:
            field_dict["ordering"] = ordering
        if payload_format is not UNSET:
            field_dict["payload_format"] = payload_format
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if rate_limit_period is not UNSET:
            field_dict["rate_limit_period"] = rate_limit_period
        if retry_schedule_secs is not UNSET:
            field_dict["retry_schedule_secs"] = retry_schedule_secs
        if secret is not UNSET:
            field_dict["secret"] = secret
        if signature_profile is not UNSET:
            field_dict["signature_profile"] = signature_profile
        if signature_scheme is not UNSET:
            field_dict["signature_scheme"] = signature_scheme
        if test_first is not UNSET:
            field_dict["test_first"] = test_first

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_webhook_request_headers_type_0 import (
            CreateWebhookRequestHeadersType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        event_types = cast(list[str], d.pop("event_types"))

        name = d.pop("name")

        url = d.pop("url")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        def _parse_handshake(data: object) -> Handshake | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                handshake_type_1 = Handshake(data)

                return handshake_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Handshake | None | Unset, data)

        handshake = _parse_handshake(d.pop("handshake", UNSET))

        def _parse_headers(
            data: object,
        ) -> CreateWebhookRequestHeadersType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                headers_type_0 = CreateWebhookRequestHeadersType0.from_dict(data)

                return headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateWebhookRequestHeadersType0 | None | Unset, data)

        headers = _parse_headers(d.pop("headers", UNSET))

        def _parse_max_concurrency(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_concurrency = _parse_max_concurrency(d.pop("max_concurrency", UNSET))

        def _parse_ordering(data: object) -> None | OrderingMode | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ordering_type_1 = OrderingMode(data)

                return ordering_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OrderingMode | Unset, data)

        ordering = _parse_ordering(d.pop("ordering", UNSET))

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

        def _parse_rate_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        def _parse_rate_limit_period(data: object) -> None | RatePeriod | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                rate_limit_period_type_1 = RatePeriod(data)

                return rate_limit_period_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RatePeriod | Unset, data)

        rate_limit_period = _parse_rate_limit_period(d.pop("rate_limit_period", UNSET))

        def _parse_retry_schedule_secs(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                retry_schedule_secs_type_0 = cast(list[int], data)

                return retry_schedule_secs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        retry_schedule_secs = _parse_retry_schedule_secs(
            d.pop("retry_schedule_secs", UNSET)
        )

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

        test_first = d.pop("test_first", UNSET)

        create_webhook_request = cls(
            event_types=event_types,
            name=name,
            url=url,
            description=description,
            enabled=enabled,
            handshake=handshake,
            headers=headers,
            max_concurrency=max_concurrency,
            ordering=ordering,
            payload_format=payload_format,
            rate_limit=rate_limit,
            rate_limit_period=rate_limit_period,
            retry_schedule_secs=retry_schedule_secs,
            secret=secret,
            signature_profile=signature_profile,
            signature_scheme=signature_scheme,
            test_first=test_first,
        )

        return create_webhook_request
