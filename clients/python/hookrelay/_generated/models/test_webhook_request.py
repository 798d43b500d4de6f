from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.test_webhook_request_payload_type_0 import (
        TestWebhookRequestPayloadType0,
    )


T = TypeVar("T", bound="TestWebhookRequest")


@_attrs_define
class TestWebhookRequest:
    """Body of `POST /v1/webhooks/{id}/test`.

    Attributes:
        event_type (None | str | Unset): The event type to send as; defaults to one the webhook subscribes to.
        payload (None | TestWebhookRequestPayloadType0 | Unset): The event's data (a JSON object); defaults to the
            catalogue's example of the type.
    """

    event_type: None | str | Unset = UNSET
    payload: None | TestWebhookRequestPayloadType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.test_webhook_request_payload_type_0 import (
            TestWebhookRequestPayloadType0,  # noqa: PLC0415
        )

        event_type: None | str | Unset
        if isinstance(self.event_type, Unset):
            event_type = UNSET
        else:
            event_type = self.event_type

        payload: dict[str, Any] | None | Unset
        if isinstance(self.payload, Unset):
            payload = UNSET
        elif isinstance(self.payload, TestWebhookRequestPayloadType0):
            payload = self.payload.to_dict()
        else:
            payload = self.payload

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if event_type is not UNSET:
            field_dict["event_type"] = event_type
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.test_webhook_request_payload_type_0 import (
            TestWebhookRequestPayloadType0,  # noqa: PLC0415
        )

        d = dict(src_dict)

        def _parse_event_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_type = _parse_event_type(d.pop("event_type", UNSET))

        def _parse_payload(
            data: object,
        ) -> None | TestWebhookRequestPayloadType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_type_0 = TestWebhookRequestPayloadType0.from_dict(data)

                return payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TestWebhookRequestPayloadType0 | Unset, data)

        payload = _parse_payload(d.pop("payload", UNSET))

        test_webhook_request = cls(
            event_type=event_type,
            payload=payload,
        )

        return test_webhook_request
