// The public REST API, as the console uses it. Nothing here is private to the console:
// every call is one a product's own backend could make with the same tenant key.
import { t } from "./i18n";

export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string | null;
  detail?: unknown;
}

/** A non-2xx answer, carrying the API's structured error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
  get field(): string | null {
    return this.body.field ?? null;
  }
}

export type PayloadFormat = "envelope" | "flat" | "wrapped" | "cloudevents";
export type SignatureProfile = "standard" | "x-webhook";
/** `hmac-sha256`: a shared secret (`v1,`); `ed25519`: a key pair (`v1a,`), receivers hold the public key. */
export type SignatureScheme = "hmac-sha256" | "ed25519";
export type RatePeriod = "second" | "minute" | "hour";
export type CircuitState = "closed" | "open" | "half_open";
/** Why the dispatcher holds deliveries back. */
export type WaitReason = "concurrency" | "rate" | "paused" | "circuit" | "tenant_share" | "capacity";

/** A webhook's circuit breaker: open after repeated failed attempts, nothing is sent until `retry_at`. */
export interface Circuit {
  state: CircuitState;
  opened_at: string | null;
  retry_at: string | null;
}

/** Deliveries held back by the dispatcher, unattempted (they keep their retries), and why. */
export interface Waiting {
  deliveries: number;
  reason: WaitReason | null;
  /** The receiver asked for a pause (429/503 with Retry-After) until then. */
  paused_until: string | null;
}

export interface Webhook {
  id: string;
  name: string;
  description: string | null;
  url: string;
  event_types: string[];
  enabled: boolean;
  payload_format: PayloadFormat;
  headers: Record<string, string>;
  created_at: string;
  modified_at: string;
  last_execution_at: string | null;
  success_rate_24h: number | null;
  last_response_code: number | null;
  retry_schedule_secs: number[] | null;
  signature_profile: SignatureProfile;
  signature_scheme: SignatureScheme;
  /** `cloudevents`: its receiver passed the CloudEvents validation handshake. */
  handshake: "cloudevents" | null;
  /** `whpk_...`, for ed25519 webhooks. */
  public_key: string | null;
  disabled_reason: string | null;
  disabled_at: string | null;
  /** Requests in flight at once: its own, or the installation's default (16). */
  max_concurrency: number;
  /** Deliveries started per `rate_limit_period` at most; null: no limit. */
  rate_limit: number | null;
  rate_limit_period: RatePeriod;
  /** `fifo`: one delivery at a time per ordering key, in the order events were accepted. */
  ordering: Ordering;
  circuit: Circuit;
  waiting: Waiting;
}

export type Ordering = "none" | "fifo";

/** Where a pending delivery of a FIFO webhook stands in its lane. */
export interface Lane {
  ordering_key: string | null;
  /** Deliveries ahead of it; 0: it is the head (being attempted or retried). */
  position: number;
  /** The head it waits behind (null: it is the head). */
  waiting_behind: string | null;
}

export interface WebhookInput {
  name: string;
  description?: string | null;
  url: string;
  event_types: string[];
  /** PATCH: absent leaves it as it is (the header's Enable/Disable may have changed it). */
  enabled?: boolean;
  payload_format: PayloadFormat;
  headers: Record<string, string>;
  signature_profile: SignatureProfile;
  /** Create only. */
  signature_scheme?: SignatureScheme;
  retry_schedule_secs: number[] | null;
  /** 1-1000. Create: absent = the installation's default; PATCH: null goes back to it. */
  max_concurrency?: number | null;
  /** >= 1. Create: absent = no limit; PATCH: null removes it. */
  rate_limit?: number | null;
  rate_limit_period?: RatePeriod;
  ordering?: Ordering;
  secret?: string;
}

export interface TestResult {
  success: boolean;
  response_code: number | null;
  execution_time: number;
  response_excerpt: string | null;
  error: string | null;
  event_type: string;
}

export interface LogEntry {
  id: string;
  delivery_id: string | null;
  event_id: string | null;
  event_type: string;
  created_at: string;
  attempt: number;
  response_code: number | null;
  execution_time: number;
  error: string | null;
  response_excerpt: string | null;
  payload: unknown;
  success: boolean;
  test: boolean;
  retry_after: number | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total?: number;
}

export interface StatsPoint {
  start: string;
  attempts: number;
  successes: number;
}

export interface Stats {
  window: string;
  since: string;
  attempts: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  execution_time_p50: number | null;
  execution_time_p95: number | null;
  pending_deliveries: number;
  failed_deliveries: number;
  last_execution_at: string | null;
  last_response_code: number | null;
  series: StatsPoint[];
}

export interface EventType {
  name: string;
  description: string | null;
  group: string | null;
  schema: unknown;
  example: unknown;
  deprecated: boolean;
  registered: boolean;
  first_seen_at: string | null;
}

export interface Replay {
  id: string;
  webhook_id: string;
  state: string;
  since: string;
  until: string;
  status: string;
  include_missed: boolean;
  count: number;
  replayed: number;
  created: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed" | "cancelled";

export interface Delivery {
  id: string;
  event_id: string;
  webhook_id: string;
  status: DeliveryStatus;
  /** Null once retention deleted the event. */
  event_type: string | null;
  attempts: number;
  last_response_code: number | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  created_at: string;
  completed_at: string | null;
  lane: Lane | null;
}

/** Why an attempt got no answer, named by the API. */
export type ErrorKind =
  | "timeout"
  | "connection_refused"
  | "name_not_resolved"
  | "tls"
  | "connection_closed"
  | "private_target"
  | "https_required"
  | "not_sent"
  | "other";

export interface Attempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  response_code: number | null;
  response_body: string | null;
  error: string | null;
  error_kind: ErrorKind | null;
  succeeded: boolean;
  retry_after: number | null;
  /** `[name, value]` pairs; null when nothing was sent (or logged before headers were kept). */
  request_headers: [string, string][] | null;
  response_headers: [string, string][] | null;
}

export interface DeliveryDetail extends Delivery {
  attempt_log: Attempt[];
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  event_type?: string;
  since?: string;
  until?: string;
  event_id?: string;
  cursor?: string | null;
}

export interface WebhookFilter {
  search?: string;
  enabled?: boolean;
  failing?: boolean;
  cursor?: string | null;
}

export interface ReplayInput {
  since: string;
  status: "failed" | "all";
  include_missed: boolean;
}

export interface Post {
  post_id: number;
  status: string;
  channel_identifier: string;
  post_text_idea: string;
  scheduled_at_utc: string;
  details: string | null;
  created_at: string;
  updated_at: string;
}

export interface Callback {
  received_at: string;
  post_id: number | null;
  status: string | null;
  details: string | null;
  outcome: string;
  status_code: number;
  http_status: number;
  /** What the workflow was answered (refused ones). */
  error: string | null;
  /** The first 512 bytes of the body it sent. */
  body_excerpt: string | null;
}

/** What a product shows its customers instead of "hookrelay". */
export interface Branding {
  name: string | null;
  primary_color: string | null;
  logo_url: string | null;
  support_url: string | null;
}

export interface Tenant {
  id: string;
  name: string;
  strict_event_types: boolean;
  branding: Branding | null;
}

/** A portal session: how a product signs one of its customers in without an API key. */
export interface PortalSession {
  id: string;
  read_only: boolean;
  locale: "en" | "ru";
  return_url: string | null;
  expires_at: string;
}

const KEY_STORAGE = "hookrelay.console.key";

/**
 * A portal link (`/console/#portal=hrp_...`) signs the tab in: the token moves from the
 * URL fragment (which no server sees) into session storage, and leaves the address bar.
 */
export function takePortalToken(): void {
  const match = /^#portal=(hrp_[A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY_STORAGE, match[1]);
  history.replaceState(null, "", `${location.pathname}#/webhooks`);
}

/** The tenant key lives in session storage only: gone when the tab closes, never in a URL. */
export const session = {
  key(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  save(key: string) {
    sessionStorage.setItem(KEY_STORAGE, key);
  },
  clear() {
    sessionStorage.removeItem(KEY_STORAGE);
  },
};

/** Called when the API answers 401: the key was revoked or is wrong. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void) {
  onUnauthorized = f;
}

async function call<T>(method: string, path: string, body?: unknown, key = session.key()): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, { code: "network", message: t("api.unreachable", { error: String(e) }) });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: ApiErrorBody } | null)?.error ?? {
      code: `http_${res.status}`,
      message: text.slice(0, 200) || res.statusText,
    };
    // A refused stored key ends the session; a key being tried at sign-in does not.
    if (res.status === 401 && key && key === session.key()) onUnauthorized();
    throw new ApiError(res.status, err);
  }
  return json as T;
}

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

/**
 * Follows a webhook's log live (`GET /v1/webhooks/{id}/logs/stream`, server-sent events,
 * read with fetch so the token goes in a header): calls `onOpen` once the stream is
 * open and `onAttempt` for each attempt logged, until `signal` aborts or the stream
 * ends. Rejects when it cannot be opened (e.g. 429: the tenant's streams are in use).
 */
export async function followLog(
  webhookId: string,
  onAttempt: (entry: LogEntry) => void,
  onOpen: () => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`/v1/webhooks/${enc(webhookId)}/logs/stream`, {
    headers: { Accept: "text/event-stream", Authorization: `Bearer ${session.key() ?? ""}` },
    credentials: "omit",
    cache: "no-store",
    signal,
  });
  if (!res.ok || !res.body) throw new ApiError(res.status, { code: `http_${res.status}`, message: res.statusText });
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    // Events end with a blank line; each has `event:` and `data:` lines.
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split("\n");
      if (!lines.includes("event: attempt")) continue;
      const data = lines.find((l) => l.startsWith("data: "));
      if (data) onAttempt(JSON.parse(data.slice(6)) as LogEntry);
    }
  }
}

export const api = {
  portalSession: () => call<PortalSession>("GET", "/v1/portal-sessions/current"),
  tenant: (key?: string) => call<Tenant>("GET", "/v1/tenant", undefined, key ?? session.key()),

  webhooks: (f: WebhookFilter = {}) =>
    call<Page<Webhook>>("GET", `/v1/webhooks${query({ limit: 50, order: "name", direction: "asc", ...f })}`),
  webhook: (id: string) => call<Webhook>("GET", `/v1/webhooks/${enc(id)}`),
  createWebhook: (input: WebhookInput & { test_first: boolean; handshake?: "cloudevents" }) =>
    call<Webhook & { secret: string; warnings: string[] }>("POST", "/v1/webhooks", input),
  updateWebhook: (id: string, input: Partial<WebhookInput>) =>
    call<Webhook & { warnings: string[] }>("PATCH", `/v1/webhooks/${enc(id)}`, input),
  deleteWebhook: (id: string) => call<void>("DELETE", `/v1/webhooks/${enc(id)}`),
  secret: (id: string) => call<{ secret: string }>("GET", `/v1/webhooks/${enc(id)}/secret`),
  /** Custom header values (answers elsewhere show `********`). */
  webhookHeaders: (id: string) => call<{ headers: Record<string, string> }>("GET", `/v1/webhooks/${enc(id)}/headers`),
  rotateSecret: (id: string) =>
    call<{ secret: string; previous_secret_expires_at: string }>("POST", `/v1/webhooks/${enc(id)}/secret/rotate`, {}),

  testUrl: (input: {
    url: string;
    secret?: string;
    headers: Record<string, string>;
    payload_format: PayloadFormat;
    signature_profile: SignatureProfile;
    event_type?: string;
  }) => call<TestResult>("POST", "/v1/webhooks/test", input),
  testWebhook: (id: string, body: { event_type?: string; payload?: unknown } = {}) =>
    call<TestResult>("POST", `/v1/webhooks/${enc(id)}/test`, body),

  stats: (id: string, window: string) => call<Stats>("GET", `/v1/webhooks/${enc(id)}/stats${query({ window })}`),
  pendingDeliveries: (webhookId: string) =>
    call<Page<Delivery>>("GET", `/v1/deliveries${query({ webhook_id: webhookId, status: "pending", limit: 20 })}`),
  deliveries: (webhookId: string, f: DeliveryFilter) =>
    call<Page<Delivery>>("GET", `/v1/deliveries${query({ webhook_id: webhookId, limit: 20, ...f })}`),
  delivery: (id: string) => call<DeliveryDetail>("GET", `/v1/deliveries/${enc(id)}`),
  event: (id: string) => call<{ id: string; event_type: string; data: unknown }>("GET", `/v1/events/${enc(id)}`),
  replayDelivery: (deliveryId: string) => call<Delivery>("POST", `/v1/deliveries/${enc(deliveryId)}/replay`),
  replayPreview: (id: string, body: ReplayInput) =>
    call<{ count: number; existing: number; missed: number }>("POST", `/v1/webhooks/${enc(id)}/replay/preview`, body),
  replayWebhook: (id: string, body: ReplayInput) =>
    call<{ id: string; count: number }>("POST", `/v1/webhooks/${enc(id)}/replay`, body),
  replay: (id: string) => call<Replay>("GET", `/v1/replays/${enc(id)}`),
  cancelReplay: (id: string) => call<Replay>("POST", `/v1/replays/${enc(id)}/cancel`),

  eventTypes: async (): Promise<EventType[]> => {
    const all: EventType[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<EventType> = await call("GET", `/v1/event-types${query({ limit: 100, cursor })}`);
      all.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return all;
  },
  createEventType: (body: { name: string; description?: string; group?: string }) =>
    call<EventType>("POST", "/v1/event-types", body),
  deleteEventType: (name: string) => call<void>("DELETE", `/v1/event-types/${enc(name)}`),
  importPreset: (preset: string) =>
    call<{ preset: string; imported: string[] }>("POST", "/v1/event-types/import", { preset }),

  callbackUrl: () => call<{ url: string; signing_enabled: boolean }>("GET", "/v1/callback-url"),
  /** Every request that reached the callback URL, newest first. */
  callbacks: (f: { status_code?: string; cursor?: string | null }) =>
    call<Page<Callback>>("GET", `/v1/callbacks${query({ limit: 20, ...f })}`),
  rotateCallbackUrl: () => call<{ url: string; signing_enabled: boolean }>("POST", "/v1/callback-url/rotate"),

  posts: (f: { status?: string; cursor?: string | null }) =>
    call<Page<Post>>("GET", `/v1/posts${query({ limit: 20, ...f })}`),
  post: (id: number) => call<Post & { callbacks: Callback[] }>("GET", `/v1/posts/${id}`),
};
