// The TypeScript client (built: dist/) against a real hookrelay API, started by
// `make check-clients` with HOOKRELAY_API_URL and a fresh tenant's HOOKRELAY_TOKEN.
import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { Hookrelay, HookrelayError, api, retryingFetch, retryAfterSecs } from "../dist/index.js";

const baseUrl = process.env.HOOKRELAY_API_URL;
const token = process.env.HOOKRELAY_TOKEN;
const live = { skip: baseUrl ? false : "HOOKRELAY_API_URL is not set (make check-clients sets it)" };

async function receiver() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, close: () => server.close() };
}

test("the README example", live, async () => {
  const rx = await receiver();
  try {
    const hr = new Hookrelay({ baseUrl, token });
    const wh = await hr.webhooks.create({ name: "orders", url: rx.url, event_types: ["order.*"] });
    assert.match(wh.secret, /^whsec_/);
    const event = await hr.events.create({ event_type: "order.created", data: { id: 1 } });
    assert.equal(event.deliveries, 1);
    const tested = await hr.webhooks.test(wh.id, { event_type: "order.created", payload: { id: 2 } });
    assert.equal(tested.success, true);
    const logs = await hr.webhooks.logs(wh.id);
    assert.equal(logs.items[0].test, true);
    assert.equal(logs.next_cursor, null);
    const page = await hr.deliveries.list({ webhook_id: wh.id });
    assert.equal(page.items[0].event_id, event.id);
    assert.equal((await hr.webhooks.update(wh.id, { enabled: false })).enabled, false);
  } finally {
    rx.close();
  }
});

test("an idempotency key makes a resend the same event", live, async () => {
  const hr = new Hookrelay({ baseUrl, token });
  const first = await hr.events.create({ event_type: "a.b", data: {} }, { idempotencyKey: "k-1" });
  const again = await hr.events.create({ event_type: "a.b", data: {} }, { idempotencyKey: "k-1" });
  assert.equal(first.id, again.id);
});

test("errors carry status, code and field", live, async () => {
  const hr = new Hookrelay({ baseUrl, token });
  await assert.rejects(hr.webhooks.create({ name: "x", url: "ftp://nope", event_types: ["a"] }), (e) => {
    assert.ok(e instanceof HookrelayError);
    assert.deepEqual([e.status, e.code, e.field], [422, "validation_failed", "url"]);
    return true;
  });
  await assert.rejects(hr.webhooks.get("00000000-0000-0000-0000-000000000000"), (e) => e.status === 404 && e.code === "not_found");
  const wrong = new Hookrelay({ baseUrl, token: "hr_wrong" });
  await assert.rejects(wrong.webhooks.list(), (e) => e.status === 401);
});

test("every operation is reachable through the generated api", live, async () => {
  const hr = new Hookrelay({ baseUrl, token });
  const { data, response } = await api.listPosts({ client: hr.client });
  assert.equal(response.status, 200);
  assert.deepEqual(data.items, []);
  assert.equal(typeof api.getAsyncapi, "function");
});

test("429 and 503 are retried after Retry-After", async () => {
  const answers = [
    new Response(null, { status: 429, headers: { "retry-after": "1" } }),
    new Response(null, { status: 503 }),
    new Response("{}", { status: 200 }),
  ];
  const waits = [];
  const f = retryingFetch(async () => answers.shift(), 3, async (ms) => void waits.push(ms));
  assert.equal((await f("http://x/")).status, 200);
  assert.deepEqual(waits, [1000, 1000]);
  assert.equal(retryAfterSecs(null, 0), 0.5);
  assert.equal(retryAfterSecs("Wed, 21 Oct 2015 07:28:00 GMT", 0), 0);
  const always = retryingFetch(async () => new Response(null, { status: 429 }), 2, async () => {});
  assert.equal((await always("http://x/")).status, 429);
});
