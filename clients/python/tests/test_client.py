"""The Python client against a real hookrelay API (started by `make check-clients`, which
sets HOOKRELAY_API_URL and a fresh tenant's HOOKRELAY_TOKEN)."""

import http.server
import os
import threading
import uuid

import httpx
import pytest

from hookrelay import Client, HookrelayError, _RetryingTransport, _retry_after
from hookrelay._generated.api.event_types import get_asyncapi
from hookrelay._generated.api.posts import list_posts

URL = os.environ.get("HOOKRELAY_API_URL")
TOKEN = os.environ.get("HOOKRELAY_TOKEN")
needs_api = pytest.mark.skipif(not URL, reason="HOOKRELAY_API_URL is not set (make check-clients sets it)")


@pytest.fixture(scope="module")
def receiver():
    """A receiver on 127.0.0.1 that answers 200 to every POST."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@needs_api
def test_the_readme_example(receiver):
    client = Client(base_url=URL, token=TOKEN)
    wh = client.webhooks.create(name="orders", url=receiver, event_types=["order.*"])
    assert wh.secret.startswith("whsec_")
    event = client.events.create(event_type="order.created", data={"id": 1})
    assert event.deliveries == 1
    test = client.webhooks.test(wh.id, event_type="order.created", payload={"id": 2})
    assert test.success
    logs = client.webhooks.logs(wh.id)
    assert logs.items[0].test and logs.next_cursor is None
    page = client.deliveries.list(webhook_id=wh.id)
    assert page.items[0].event_id == event.id
    assert client.webhooks.get(wh.id).name == "orders"
    assert client.webhooks.update(wh.id, enabled=False).enabled is False


@needs_api
def test_an_idempotency_key_makes_a_resend_the_same_event():
    client = Client(base_url=URL, token=TOKEN)
    first = client.events.create(event_type="a.b", data={}, idempotency_key="k-1")
    again = client.events.create(event_type="a.b", data={}, idempotency_key="k-1")
    assert first.id == again.id


@needs_api
def test_errors_carry_status_code_and_field():
    client = Client(base_url=URL, token=TOKEN)
    with pytest.raises(HookrelayError) as refused:
        client.webhooks.create(name="x", url="ftp://nope", event_types=["a"])
    assert (refused.value.status, refused.value.code, refused.value.field) == (422, "validation_failed", "url")
    with pytest.raises(HookrelayError) as missing:
        client.webhooks.get(uuid.uuid4())
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(HookrelayError) as unauthorized:
        Client(base_url=URL, token="hr_wrong").webhooks.list()
    assert unauthorized.value.status == 401


@needs_api
def test_every_operation_is_reachable_through_the_generated_api():
    client = Client(base_url=URL, token=TOKEN)
    posts = client.call(list_posts)
    assert posts.items == []
    document = get_asyncapi.sync_detailed(client=client.raw)
    assert document.status_code == 200 and b'"asyncapi"' in document.content


def test_429_and_503_are_retried_after_retry_after():
    answers = [httpx.Response(429, headers={"retry-after": "1"}), httpx.Response(503), httpx.Response(200, json={})]
    waits = []
    inner = httpx.MockTransport(lambda request: answers.pop(0))
    with httpx.Client(transport=_RetryingTransport(inner, max_retries=3, sleep=waits.append)) as c:
        assert c.get("http://x/").status_code == 200
    assert waits == [1.0, 1.0]
    assert _retry_after(None, 0) == 0.5 and _retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 0) == 0.0
    gives_up = httpx.MockTransport(lambda request: httpx.Response(429))
    with httpx.Client(transport=_RetryingTransport(gives_up, max_retries=2, sleep=lambda s: None)) as c:
        assert c.get("http://x/").status_code == 429
