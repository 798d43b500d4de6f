"""hookrelay's Python client.

``Client`` is the short way to the common calls::

    from hookrelay import Client
    client = Client(base_url="http://127.0.0.1:8080", token=KEY)
    wh = client.webhooks.create(name="orders", url=URL, event_types=["order.*"])
    client.events.create(event_type="order.created", data={"id": 1})
    logs = client.webhooks.logs(wh.id)   # logs.items, logs.next_cursor

Every operation of the API is in ``hookrelay.api`` (generated from the OpenAPI document
by openapi-python-client; ``client.raw`` is the authenticated client its functions take).
Errors raise ``HookrelayError`` with the API's ``code``, ``message``, ``field`` and the
HTTP ``status``; 429 and 503 answers are retried after their ``Retry-After``, and events
are sent with an idempotency key so a retry never publishes twice.
"""

from __future__ import annotations

import email.utils
import json
import time
import uuid
from typing import Any, Callable

import httpx

from . import _generated as api
from ._generated import AuthenticatedClient
from ._generated.api.deliveries import get_delivery, list_deliveries, replay_delivery
from ._generated.api.events import create_event, get_event
from ._generated.api.webhooks import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhooks,
    replay_webhook,
    test_webhook,
    update_webhook,
    webhook_logs,
)
from ._generated.models import (
    CreateEventRequest,
    CreateWebhookRequest,
    ReplayRequest,
    TestWebhookRequest,
    UpdateWebhookRequest,
)
from ._generated.types import UNSET

__all__ = ["Client", "HookrelayError", "api"]

#: Statuses retried after their Retry-After (the request was not applied).
RETRIED = (429, 503)


class HookrelayError(Exception):
    """The API refused or failed a request: its structured error and the status."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, detail: Any = None):
        super().__init__(f"{status} {code}: {message}" + (f" (field {field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.detail = detail

    @classmethod
    def of(cls, status: int, content: bytes) -> "HookrelayError":
        try:
            error = json.loads(content)["error"]
            return cls(status, error["code"], error["message"], error.get("field"), error.get("detail"))
        except (ValueError, KeyError, TypeError):
            return cls(status, f"http_{status}", content[:200].decode("utf-8", "replace"))


def _retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait: the answer's Retry-After (seconds or an HTTP date), else backoff."""
    if value:
        try:
            return min(max(float(value), 0.0), 30.0)
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            if when is not None:
                return min(max(when.timestamp() - time.time(), 0.0), 30.0)
    return min(0.5 * 2**attempt, 8.0)


class _RetryingTransport(httpx.BaseTransport):
    """Sends a request again after a 429 or 503, as its Retry-After says."""

    def __init__(self, inner: httpx.BaseTransport, max_retries: int, sleep: Callable[[float], None] = time.sleep):
        self._inner = inner
        self._max_retries = max_retries
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            response = self._inner.handle_request(request)
            if response.status_code not in RETRIED or attempt >= self._max_retries:
                return response
            response.read()
            delay = _retry_after(response.headers.get("retry-after"), attempt)
            response.close()
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        self._inner.close()


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _unset(**kwargs: Any) -> dict[str, Any]:
    """Keyword arguments with the absent ones as the generated code's UNSET."""
    return {k: (UNSET if v is None else v) for k, v in kwargs.items()}


class Client:
    """A client of one hookrelay API with one token (a tenant API key or portal token)."""

    def __init__(self, base_url: str, token: str, *, max_retries: int = 3, timeout: float = 30.0):
        transport = _RetryingTransport(httpx.HTTPTransport(retries=1), max_retries)
        self.raw = AuthenticatedClient(
            base_url=base_url.rstrip("/"),
            token=token,
            timeout=httpx.Timeout(timeout),
            httpx_args={"transport": transport},
            raise_on_unexpected_status=False,
        )
        self.webhooks = _Webhooks(self)
        self.events = _Events(self)
        self.deliveries = _Deliveries(self)

    def call(self, operation: Any, *args: Any, **kwargs: Any) -> Any:
        """Calls a generated operation module (e.g. ``hookrelay.api.api.posts.list_posts``)
        and returns its parsed answer, raising ``HookrelayError`` for a 4xx or 5xx."""
        response = operation.sync_detailed(*args, client=self.raw, **kwargs)
        if response.status_code >= 400:
            raise HookrelayError.of(int(response.status_code), response.content)
        return response.parsed


class _Webhooks:
    def __init__(self, client: Client):
        self._c = client

    def create(self, **fields: Any):
        """Creates a webhook (fields as in ``POST /v1/webhooks``); the answer has its secret."""
        return self._c.call(create_webhook, body=CreateWebhookRequest.from_dict(fields))

    def list(self, **filters: Any):
        """One page of webhooks (``search``, ``enabled``, ``failing``, ``limit``, ``cursor``...)."""
        return self._c.call(list_webhooks, **_unset(**filters))

    def get(self, id: Any):
        return self._c.call(get_webhook, _uuid(id))

    def update(self, id: Any, **fields: Any):
        """Changes only the fields given (as in ``PATCH /v1/webhooks/{id}``)."""
        return self._c.call(update_webhook, _uuid(id), body=UpdateWebhookRequest.from_dict(fields))

    def delete(self, id: Any) -> None:
        self._c.call(delete_webhook, _uuid(id))

    def logs(self, id: Any, **filters: Any):
        """One page of its log, newest first: ``.items`` and ``.next_cursor``."""
        return self._c.call(webhook_logs, _uuid(id), **_unset(**filters))

    def test(self, id: Any, event_type: str | None = None, payload: dict | None = None):
        """Sends a signed test event now; ``.success`` says whether the receiver took it."""
        body = {k: v for k, v in {"event_type": event_type, "payload": payload}.items() if v is not None}
        return self._c.call(test_webhook, _uuid(id), body=TestWebhookRequest.from_dict(body))

    def replay(self, id: Any, since: str, status: str = "failed", include_missed: bool = False):
        """Starts a bulk replay of its deliveries since ``since`` (RFC 3339)."""
        body = ReplayRequest.from_dict({"since": since, "status": status, "include_missed": include_missed})
        return self._c.call(replay_webhook, _uuid(id), body=body)


class _Events:
    def __init__(self, client: Client):
        self._c = client

    def create(self, event_type: str, data: Any, *, idempotency_key: str | None = None, ordering_key: str | None = None):
        """Publishes an event. A retried call carries the same idempotency key (one is made
        up when none is given), so it never publishes twice."""
        body: dict[str, Any] = {"event_type": event_type, "data": data}
        if ordering_key is not None:
            body["ordering_key"] = ordering_key
        return self._c.call(
            create_event,
            body=CreateEventRequest.from_dict(body),
            idempotency_key=idempotency_key or str(uuid.uuid4()),
        )

    def get(self, id: Any):
        return self._c.call(get_event, _uuid(id))


class _Deliveries:
    def __init__(self, client: Client):
        self._c = client

    def list(self, **filters: Any):
        """One page of deliveries (``webhook_id``, ``status``, ``event_type``...)."""
        if "webhook_id" in filters and filters["webhook_id"] is not None:
            filters["webhook_id"] = _uuid(filters["webhook_id"])
        return self._c.call(list_deliveries, **_unset(**filters))

    def get(self, id: Any):
        return self._c.call(get_delivery, _uuid(id))

    def replay(self, id: Any):
        return self._c.call(replay_delivery, _uuid(id))
