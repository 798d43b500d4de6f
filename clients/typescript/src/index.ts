// hookrelay's TypeScript client.
//
//   import { Hookrelay } from "hookrelay";
//   const hr = new Hookrelay({ baseUrl, token });
//   const wh = await hr.webhooks.create({ name: "orders", url, event_types: ["order.*"] });
//   await hr.events.create({ event_type: "order.created", data: { id: 1 } });
//   const logs = await hr.webhooks.logs(wh.id); // logs.items, logs.next_cursor
//
// Every operation of the API is in `api` (generated from the OpenAPI document by
// @hey-api/openapi-ts; pass `hr.client` as their `client`). Errors throw HookrelayError
// with the API's code, message, field and the HTTP status; 429 and 503 answers are
// retried after their Retry-After, and events carry an idempotency key so a retry never
// publishes twice.
import { createClient, type Client } from "./generated/client/index.js";
import * as sdk from "./generated/sdk.gen.js";
import type * as T from "./generated/types.gen.js";

export * as api from "./generated/sdk.gen.js";
export type * from "./generated/types.gen.js";

/** The API refused or failed a request: its structured error and the status. */
export class HookrelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly detail: unknown = null,
  ) {
    super(`${status} ${code}: ${message}${field ? ` (field ${field})` : ""}`);
    this.name = "HookrelayError";
  }
}

/** Statuses retried after their Retry-After (the request was not applied). */
const RETRIED = new Set([429, 503]);

/** Seconds to wait: the answer's Retry-After (seconds or an HTTP date), else backoff. */
export function retryAfterSecs(value: string | null, attempt: number): number {
  if (value) {
    const secs = Number(value);
    if (Number.isFinite(secs)) return Math.min(Math.max(secs, 0), 30);
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return Math.min(Math.max((at - Date.now()) / 1000, 0), 30);
  }
  return Math.min(0.5 * 2 ** attempt, 8);
}

/** `fetch` that sends a request again after a 429 or 503, as its Retry-After says. */
export function retryingFetch(
  inner: typeof fetch,
  maxRetries: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      // A Request's body can be read once: each try sends a fresh copy.
      const request = input instanceof Request ? input.clone() : input;
      const response = await inner(request, init);
      if (!RETRIED.has(response.status) || attempt >= maxRetries) return response;
      await response.body?.cancel();
      await sleep(retryAfterSecs(response.headers.get("retry-after"), attempt) * 1000);
    }
  };
}

export interface HookrelayOptions {
  baseUrl: string;
  /** A tenant API key (`hr_...`) or a portal token. */
  token: string;
  /** Retries of a 429 or 503 (default 3). */
  maxRetries?: number;
  fetch?: typeof fetch;
}

type Result<D> = { data?: D; error?: unknown; response?: Response };

/** The data of a 2xx, else a HookrelayError from the API's error body. */
async function unwrap<D>(call: Promise<Result<D>>): Promise<D> {
  const { data, error, response } = await call;
  if (!response) throw new HookrelayError(0, "unreachable", String(error));
  if (response.ok) return data as D;
  const body = (error as { error?: T.ErrorDetail } | undefined)?.error;
  throw new HookrelayError(
    response.status,
    body?.code ?? `http_${response.status}`,
    body?.message ?? response.statusText,
    body?.field ?? null,
    body?.detail ?? null,
  );
}

export class Hookrelay {
  /** The generated client: pass it to any operation of `api`. */
  readonly client: Client;

  constructor(options: HookrelayOptions) {
    this.client = createClient({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      auth: () => options.token,
      fetch: retryingFetch(options.fetch ?? globalThis.fetch, options.maxRetries ?? 3),
    });
  }

  readonly webhooks = {
    /** Creates a webhook; the answer carries its signing secret. */
    create: (body: T.CreateWebhookRequest) => unwrap(sdk.createWebhook({ client: this.client, body })),
    /** One page of webhooks. */
    list: (query?: T.ListWebhooksData["query"]) => unwrap(sdk.listWebhooks({ client: this.client, query })),
    get: (id: string) => unwrap(sdk.getWebhook({ client: this.client, path: { id } })),
    /** Changes only the fields given. */
    update: (id: string, body: T.UpdateWebhookRequest) =>
      unwrap(sdk.updateWebhook({ client: this.client, path: { id }, body })),
    delete: (id: string) => unwrap(sdk.deleteWebhook({ client: this.client, path: { id } })),
    /** One page of its log, newest first: `items` and `next_cursor`. */
    logs: (id: string, query?: T.WebhookLogsData["query"]) =>
      unwrap(sdk.webhookLogs({ client: this.client, path: { id }, query })),
    /** Sends a signed test event now; `success` says whether the receiver took it. */
    test: (id: string, body: T.TestWebhookRequest = {}) =>
      unwrap(sdk.testWebhook({ client: this.client, path: { id }, body })),
    /** Starts a bulk replay of its deliveries in a window. */
    replay: (id: string, body: T.ReplayRequest) => unwrap(sdk.replayWebhook({ client: this.client, path: { id }, body })),
  };

  readonly events = {
    /**
     * Publishes an event. A retried call carries the same idempotency key (one is made
     * up when none is given), so it never publishes twice.
     */
    create: (body: T.CreateEventRequest, options: { idempotencyKey?: string } = {}) =>
      unwrap(
        sdk.createEvent({
          client: this.client,
          body,
          headers: { "Idempotency-Key": options.idempotencyKey ?? crypto.randomUUID() },
        }),
      ),
    get: (id: string) => unwrap(sdk.getEvent({ client: this.client, path: { id } })),
  };

  readonly deliveries = {
    list: (query?: T.ListDeliveriesData["query"]) => unwrap(sdk.listDeliveries({ client: this.client, query })),
    get: (id: string) => unwrap(sdk.getDelivery({ client: this.client, path: { id } })),
    replay: (id: string) => unwrap(sdk.replayDelivery({ client: this.client, path: { id } })),
  };
}
