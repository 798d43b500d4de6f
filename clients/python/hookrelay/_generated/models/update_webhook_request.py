from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.handshake import Handshake
from ..models.ordering_mode import OrderingMode
from ..models.payload_format import PayloadFormat
from ..models.rate_period import RatePeriod
from ..models.signature_profile import SignatureProfile
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_webhook_request_headers import UpdateWebhookRequestHeaders


T = TypeVar("T", bound="UpdateWebhookRequest")


@_attrs_define
class UpdateWebhookRequest:
    """Body of `PATCH /v1/webhooks/{id}`: only the fields given change.

    Attributes:
        description (None | str | Unset): `null` clears it.
        enabled (bool | Unset):
        event_types (list[str] | Unset):
        handshake (Handshake | None | Unset):
        headers (UpdateWebhookRequestHeaders | Unset): Replaces all custom headers.
        max_concurrency (int | None | Unset): 1-1000; `null` goes back to the installation's default.
        name (str | Unset): A display name: 1-200 characters with something visible; no control, zero-width, bidi-
            control or other invisible characters.
        ordering (OrderingMode | Unset): Whether a webhook's deliveries are ordered.
        payload_format (PayloadFormat | Unset): How a delivery body is shaped.
        rate_limit (int | None | Unset): `null` removes the rate limit.
        rate_limit_period (RatePeriod | Unset): The period a rate limit counts over.
        retry_schedule_secs (list[int] | None | Unset): `null` goes back to the installation's schedule.
        signature_profile (SignatureProfile | Unset): Which signature headers a webhook's deliveries carry besides
            Standard Webhooks' (always
            sent).
        url (str | Unset): An http:// or https:// URL with a host, no credentials and no fragment, at most 2048
            characters.
    """

    description: None | str | Unset = UNSET
    enabled: bool | Unset = UNSET
    event_types: list[str] | Unset = UNSET
    handshake: Handshake | None | Unset = UNSET
    headers: UpdateWebhookRequestHeaders | Unset = UNSET
    max_concurrency: int | None | Unset = UNSET
    name: str | Unset = UNSET
    ordering: OrderingMode | Unset = UNSET
    payload_format: PayloadFormat | Unset = UNSET
    rate_limit: int | None | Unset = UNSET
    rate_limit_period: RatePeriod | Unset = UNSET
    retry_schedule_secs: list[int] | None | Unset = UNSET
    signature_profile: SignatureProfile | Unset = UNSET
    url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        enabled = self.enabled

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = self.event_types

        handshake: None | str | Unset
        if isinstance(self.handshake, Unset):
            handshake = UNSET
        elif isinstance(self.handshake, Handshake):
            handshake = self.handshake.value
        else:
            handshake = self.handshake

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        max_concurrency: int | None | Unset
        if isinstance(self.max_concurrency, Unset):
            max_concurrency = UNSET
        else:
            max_concurrency = self.max_concurrency

        name = self.name

        ordering: str | Unset = UNSET
        if not isinstance(self.ordering, Unset):
            ordering = self.ordering.value

        payload_format: str | Unset = UNSET
        if not isinstance(self.payload_format, Unset):
            payload_format = self.payload_format.value

        rate_limit: int | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        rate_limit_period: str | Unset = UNSET
        if not isinstance(self.rate_limit_period, Unset):
            rate_limit_period = self.rate_limit_period.value

        retry_schedule_secs: list[int] | None | Unset
        if isinstance(self.retry_schedule_secs, Unset):
            retry_schedule_secs = UNSET
        elif isinstance(self.retry_schedule_secs, list):
            retry_schedule_secs = self.retry_schedule_secs

        else:
            retry_schedule_secs = self.retry_schedule_secs

        signature_profile: str | Unset = UNSET
        if not isinstance(self.signature_profile, Unset):
            signature_profile = self.signature_profile.value

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if handshake is not UNSET:
            field_dict["handshake"] = handshake
        if headers is not UNSET:
            field_dict["headers"] = headers
        if max_concurrency is not UNSET:
            field_dict["max_concurrency"] = max_concurrency
        if name is not UNSET:
            field_dict["name"] = name
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
        if signature_profile is not UNSET:
            field_dict["signature_profile"] = signature_profile
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.update_webhook_request_headers import (
            UpdateWebhookRequestHeaders,  # noqa: PLC0415
        )

        d = dict(src_dict)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        enabled = d.pop("enabled", UNSET)

        event_types = cast(list[str], d.pop("event_types", UNSET))

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

        _headers = d.pop("headers", UNSET)
        headers: UpdateWebhookRequestHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = UpdateWebhookRequestHeaders.from_dict(_headers)

        def _parse_max_concurrency(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_concurrency = _parse_max_concurrency(d.pop("max_concurrency", UNSET))

        name = d.pop("name", UNSET)

        _ordering = d.pop("ordering", UNSET)
        ordering: OrderingMode | Unset
        if isinstance(_ordering, Unset):
            ordering = UNSET
        else:
            ordering = OrderingMode(_ordering)

        _payload_format = d.pop("payload_format", UNSET)
        payload_format: PayloadFormat | Unset
        if isinstance(_payload_format, Unset):
            payload_format = UNSET
        else:
            payload_format = PayloadFormat(_payload_format)

        def _parse_rate_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        _rate_limit_period = d.pop("rate_limit_period", UNSET)
        rate_limit_period: RatePeriod | Unset
        if isinstance(_rate_limit_period, Unset):
            rate_limit_period = UNSET
        else:
            rate_limit_period = RatePeriod(_rate_limit_period)

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

        _signature_profile = d.pop("signature_profile", UNSET)
        signature_profile: SignatureProfile | Unset
        if isinstance(_signature_profile, Unset):
            signature_profile = UNSET
        else:
            signature_profile = SignatureProfile(_signature_profile)

        url = d.pop("url", UNSET)

        update_webhook_request = cls(
            description=description,
            enabled=enabled,
            event_types=event_types,
            handshake=handshake,
            headers=headers,
            max_concurrency=max_concurrency,
            name=name,
            ordering=ordering,
            payload_format=payload_format,
            rate_limit=rate_limit,
            rate_limit_period=rate_limit_period,
            retry_schedule_secs=retry_schedule_secs,
            signature_profile=signature_profile,
            url=url,
        )

        return update_webhook_request
