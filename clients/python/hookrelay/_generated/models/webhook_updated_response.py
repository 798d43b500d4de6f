from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.handshake import Handshake
from ..models.ordering_mode import OrderingMode
from ..models.payload_format import PayloadFormat
from ..models.rate_period import RatePeriod
from ..models.signature_profile import SignatureProfile
from ..models.signature_scheme import SignatureScheme
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.circuit_view import CircuitView
    from ..models.waiting_view import WaitingView
    from ..models.webhook_response_headers import WebhookResponseHeaders


T = TypeVar("T", bound="WebhookUpdatedResponse")


@_attrs_define
class WebhookUpdatedResponse:
    """A changed webhook, with warnings about its patterns.

    Attributes:
        circuit (CircuitView): A webhook's circuit breaker.
        created_at (datetime.datetime):
        enabled (bool):
        event_types (list[str]):
        headers (WebhookResponseHeaders): Custom header names, each value shown as `********` (values are receiver
            credentials, sealed at rest: `GET /v1/webhooks/{id}/headers` reveals them).
        id (UUID):
        max_concurrency (int): Requests in flight to it at once (its own, or the installation's default).
        modified_at (datetime.datetime):
        name (str):
        ordering (OrderingMode): Whether a webhook's deliveries are ordered.
        payload_format (PayloadFormat): How a delivery body is shaped.
        rate_limit_period (RatePeriod): The period a rate limit counts over.
        signature_profile (SignatureProfile): Which signature headers a webhook's deliveries carry besides Standard
            Webhooks' (always
            sent).
        signature_scheme (SignatureScheme): How a webhook's deliveries are signed.
        url (str):
        waiting (WaitingView): What waits for a webhook, and why.
        warnings (list[str]): Patterns that match no event type known to the catalogue (a typo?).
        description (None | str | Unset):
        disabled_at (datetime.datetime | None | Unset):
        disabled_reason (None | str | Unset): Why hookrelay disabled it: `gone` (the receiver answered 410) or `failing`
            (every
            attempt failed for days); cleared by re-enabling it.
        handshake (Handshake | None | Unset):
        last_execution_at (datetime.datetime | None | Unset): When a delivery to it was last attempted.
        last_response_code (int | None | Unset): HTTP status of the latest attempt; null when it got no answer or there
            was none.
        public_key (None | str | Unset): The `whpk_` public key receivers verify `v1a,` signatures with (ed25519
            webhooks).
        rate_limit (int | None | Unset): Deliveries started per `rate_limit_period` at most; null: no limit.
        retry_schedule_secs (list[int] | None | Unset): The webhook's own retry schedule; null: the installation's.
        success_rate_24h (float | None | Unset): Successful share (0-1) of the attempts of the last 24 hours; null
            without attempts.
    """

    circuit: CircuitView
    created_at: datetime.datetime
    enabled: bool
    event_types: list[str]
    headers: WebhookResponseHeaders
    id: UUID
    max_concurrency: int
    modified_at: datetime.datetime
    name: str
    ordering: OrderingMode
    payload_format: PayloadFormat
    rate_limit_period: RatePeriod
    signature_profile: SignatureProfile
    signature_scheme: SignatureScheme
    url: str
    waiting: WaitingView
    warnings: list[str]
    description: None | str | Unset = UNSET
    disabled_at: datetime.datetime | None | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    handshake: Handshake | None | Unset = UNSET
    last_execution_at: datetime.datetime | None | Unset = UNSET
    last_response_code: int | None | Unset = UNSET
    public_key: None | str | Unset = UNSET
    rate_limit: int | None | Unset = UNSET
    retry_schedule_secs: list[int] | None | Unset = UNSET
    success_rate_24h: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        circuit = self.circuit.to_dict()

        created_at = self.created_at.isoformat()

        enabled = self.enabled

        event_types = self.event_types

        headers = self.headers.to_dict()

        id = str(self.id)

        max_concurrency = self.max_concurrency

        modified_at = self.modified_at.isoformat()

        name = self.name

        ordering = self.ordering.value

        payload_format = self.payload_format.value

        rate_limit_period = self.rate_limit_period.value

        signature_profile = self.signature_profile.value

        signature_scheme = self.signature_scheme.value

        url = self.url

        waiting = self.waiting.to_dict()

        warnings = self.warnings

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        disabled_at: None | str | Unset
        if isinstance(self.disabled_at, Unset):
            disabled_at = UNSET
        elif isinstance(self.disabled_at, datetime.datetime):
            disabled_at = self.disabled_at.isoformat()
        else:
            disabled_at = self.disabled_at

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        handshake: None | str | Unset
        if isinstance(self.handshake, Unset):
            handshake = UNSET
        elif isinstance(self.handshake, Handshake):
            handshake = self.handshake.value
        else:
            handshake = self.handshake

        last_execution_at: None | str | Unset
        if isinstance(self.last_execution_at, Unset):
            last_execution_at = UNSET
        elif isinstance(self.last_execution_at, datetime.datetime):
            last_execution_at = self.last_execution_at.isoformat()
        else:
            last_execution_at = self.last_execution_at

        last_response_code: int | None | Unset
        if isinstance(self.last_response_code, Unset):
            last_response_code = UNSET
        else:
            last_response_code = self.last_response_code

        public_key: None | str | Unset
        if isinstance(self.public_key, Unset):
            public_key = UNSET
        else:
            public_key = self.public_key

        rate_limit: int | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        retry_schedule_secs: list[int] | None | Unset
        if isinstance(self.retry_schedule_secs, Unset):
            retry_schedule_secs = UNSET
        elif isinstance(self.retry_schedule_secs, list):
            retry_schedule_secs = self.retry_schedule_secs

        else:
            retry_schedule_secs = self.retry_schedule_secs

        success_rate_24h: float | None | Unset
        if isinstance(self.success_rate_24h, Unset):
            success_rate_24h = UNSET
        else:
            success_rate_24h = self.success_rate_24h

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "circuit": circuit,
                "created_at": created_at,
                "enabled": enabled,
                "event_types": event_types,
                "headers": headers,
                "id": id,
                "max_concurrency": max_concurrency,
                "modified_at": modified_at,
                "name": name,
                "ordering": ordering,
                "payload_format": payload_format,
                "rate_limit_period": rate_limit_period,
                "signature_profile": signature_profile,
                "signature_scheme": signature_scheme,
                "url": url,
                "waiting": waiting,
                "warnings": warnings,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if disabled_at is not UNSET:
            field_dict["disabled_at"] = disabled_at
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if handshake is not UNSET:
            field_dict["handshake"] = handshake
        if last_execution_at is not UNSET:
            field_dict["last_execution_at"] = last_execution_at
        if last_response_code is not UNSET:
            field_dict["last_response_code"] = last_response_code
        if public_key is not UNSET:
            field_dict["public_key"] = public_key
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if retry_schedule_secs is not UNSET:
            field_dict["retry_schedule_secs"] = retry_schedule_secs
        if success_rate_24h is not UNSET:
            field_dict["success_rate_24h"] = success_rate_24h

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.circuit_view import CircuitView  # noqa: PLC0415
        from ..models.waiting_view import WaitingView  # noqa: PLC0415
        from ..models.webhook_response_headers import (
            WebhookResponseHeaders,  # noqa: PLC0415
        )

        d = dict(src_dict)
        circuit = CircuitView.from_dict(d.pop("circuit"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        enabled = d.pop("enabled")

        event_types = cast(list[str], d.pop("event_types"))

        headers = WebhookResponseHeaders.from_dict(d.pop("headers"))

        id = UUID(d.pop("id"))

        max_concurrency = d.pop("max_concurrency")

        modified_at = datetime.datetime.fromisoformat(d.pop("modified_at"))

        name = d.pop("name")

        ordering = OrderingMode(d.pop("ordering"))

        payload_format = PayloadFormat(d.pop("payload_format"))

        rate_limit_period = RatePeriod(d.pop("rate_limit_period"))

        signature_profile = SignatureProfile(d.pop("signature_profile"))

        signature_scheme = SignatureScheme(d.pop("signature_scheme"))

        url = d.pop("url")

        waiting = WaitingView.from_dict(d.pop("waiting"))

        warnings = cast(list[str], d.pop("warnings"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_disabled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                disabled_at_type_0 = datetime.datetime.fromisoformat(data)

                return disabled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        disabled_at = _parse_disabled_at(d.pop("disabled_at", UNSET))

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

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

        def _parse_last_execution_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_execution_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_execution_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_execution_at = _parse_last_execution_at(d.pop("last_execution_at", UNSET))

        def _parse_last_response_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_response_code = _parse_last_response_code(
            d.pop("last_response_code", UNSET)
        )

        def _parse_public_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        public_key = _parse_public_key(d.pop("public_key", UNSET))

        def _parse_rate_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

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

        def _parse_success_rate_24h(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        success_rate_24h = _parse_success_rate_24h(d.pop("success_rate_24h", UNSET))

        webhook_updated_response = cls(
            circuit=circuit,
            created_at=created_at,
            enabled=enabled,
            event_types=event_types,
            headers=headers,
            id=id,
            max_concurrency=max_concurrency,
            modified_at=modified_at,
            name=name,
            ordering=ordering,
            payload_format=payload_format,
            rate_limit_period=rate_limit_period,
            signature_profile=signature_profile,
            signature_scheme=signature_scheme,
            url=url,
            waiting=waiting,
            warnings=warnings,
            description=description,
            disabled_at=disabled_at,
            disabled_reason=disabled_reason,
            handshake=handshake,
            last_execution_at=last_execution_at,
            last_response_code=last_response_code,
            public_key=public_key,
            rate_limit=rate_limit,
            retry_schedule_secs=retry_schedule_secs,
            success_rate_24h=success_rate_24h,
        )

        webhook_updated_response.additional_properties = d
        return webhook_updated_response

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
