// One webhook: its limits and circuit, its numbers and chart, its log, replays and its settings.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  api,
  type Delivery,
  type LogEntry,
  type Replay,
  type Stats,
  type TestResult,
  type WaitReason,
  type Webhook,
} from "../api";
import { clock, codeClass, ErrorBanner, errorText, flash, ms, Notice, Pager, percent, useCursorPages, useLoad, when } from "../ui";
import { TestResultView, WebhookEditor } from "./WebhookEditor";

const TABS: [string, string][] = [
  ["overview", "Overview"],
  ["log", "Log"],
  ["replay", "Replay"],
  ["settings", "Settings"],
];

/** Why deliveries wait, in plain words (after "N deliveries waiting: "). */
const WAIT_REASONS: Record<WaitReason, string> = {
  concurrency: "max concurrency reached",
  rate: "rate limit reached",
  paused: "paused at the receiver's request",
  circuit: "circuit open after repeated failures",
  tenant_share: "your share of hookrelay's delivery capacity is in use",
  capacity: "hookrelay is delivering at full capacity",
};

/** Whether the webhook's flow state may change by itself soon (then the page follows it). */
function flowActive(w: Webhook): boolean {
  return w.circuit.state !== "closed" || w.waiting.deliveries > 0 || w.waiting.paused_until !== null;
}

/** Its limits, its circuit and, when deliveries wait, why: text first, colour second. */
function FlowStatus({ webhook }: { webhook: Webhook }) {
  const { circuit, waiting } = webhook;
  const [circuitClass, circuitLabel] =
    circuit.state === "open"
      ? ["badge bad", circuit.retry_at ? `Open until ${clock(circuit.retry_at)}` : "Open"]
      : circuit.state === "half_open"
        ? ["badge warn", "Half-open (probing)"]
        : ["badge ok", "Closed"];
  const n = waiting.deliveries;
  let why = waiting.reason ? WAIT_REASONS[waiting.reason] : "waiting their turn";
  if (waiting.reason === "circuit" && circuit.retry_at) why += `; next try at ${clock(circuit.retry_at)}`;
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Max concurrent requests</dt>
          <dd data-testid="max-concurrency">{webhook.max_concurrency}</dd>
        </div>
        <div>
          <dt>Rate limit</dt>
          <dd data-testid="rate-limit">
            {webhook.rate_limit === null ? "none" : `${webhook.rate_limit} / ${webhook.rate_limit_period}`}
          </dd>
        </div>
        <div>
          <dt>Delivery order</dt>
          <dd data-testid="ordering">{webhook.ordering === "fifo" ? "In order (FIFO)" : "As they come"}</dd>
        </div>
        <div>
          <dt>Circuit</dt>
          <dd>
            <span class={circuitClass} data-testid="circuit-state">
              {circuitLabel}
            </span>
          </dd>
        </div>
      </dl>
      {circuit.state === "open" && !(n > 0 && waiting.reason === "circuit") && (
        <Notice>
          Circuit open after repeated failures
          {circuit.retry_at ? `; next try at ${clock(circuit.retry_at)}` : ""}. Nothing is sent until then.
        </Notice>
      )}
      {circuit.state === "half_open" && (
        <Notice>Circuit half-open: one delivery is being tried; its answer closes or reopens the circuit.</Notice>
      )}
      {waiting.paused_until && <Notice>Receiver asked for a pause until {clock(waiting.paused_until)}.</Notice>}
      {n > 0 && (
        <Notice>
          <span data-testid="waiting">
            {n} {n === 1 ? "delivery" : "deliveries"} waiting: {why} (they keep all their retries).
          </span>
        </Notice>
      )}
    </>
  );
}

export function WebhookDetail({ id, tab }: { id: string; tab: string }) {
  const { data: webhook, error, setData: show } = useLoad(() => api.webhook(id), [id]);
  // What creating it answered (e.g. "matches no known event type"), shown on arrival.
  const [arrivalNotices] = useState(() => flash.take());
  // Counts the webhook's changes here, so a background refresh begun before one is dropped.
  const changes = useRef(0);
  const setData = (w: Webhook) => {
    changes.current++;
    show(w);
  };
  const [test, setTest] = useState<TestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  // While deliveries wait or the circuit is not closed, follow the webhook's state
  // (quietly: a failed refresh leaves what is shown).
  const following = !!webhook && flowActive(webhook);
  useEffect(() => {
    if (!following) return;
    const t = setInterval(() => {
      const seen = changes.current;
      api.webhook(id).then(
        (w) => {
          if (changes.current === seen) show(w);
        },
        () => {},
      );
    }, 5000);
    return () => clearInterval(t);
  }, [id, following, show]);
  if (error) return <ErrorBanner error={error} />;
  if (!webhook) return <p class="loading">Loading…</p>;

  const toggle = async () => {
    setBusy(true);
    try {
      setData(await api.updateWebhook(id, { enabled: !webhook.enabled }));
      setActionError(null);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };
  const sendTest = async () => {
    setBusy(true);
    try {
      setTest(await api.testWebhook(id));
      setActionError(null);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <p class="crumbs">
        <a href="#/webhooks">Webhooks</a> /
      </p>
      <div class="title-row">
        <h1>{webhook.name}</h1>
        <div class="inline">
          <span class={webhook.enabled ? "badge ok" : "badge muted"} data-testid="enabled-state">
            {webhook.enabled ? "enabled" : "disabled"}
          </span>
          <button type="button" class="secondary" disabled={busy} onClick={toggle}>
            {webhook.enabled ? "Disable" : "Enable"}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={sendTest}>
            Send test event
          </button>
        </div>
      </div>
      <p class="url">{webhook.url}</p>
      {arrivalNotices.map((w) => (
        <Notice>{w}</Notice>
      ))}
      {!webhook.enabled && webhook.disabled_reason && (
        <Notice>
          Disabled {when(webhook.disabled_at)}: {webhook.disabled_reason}
        </Notice>
      )}
      <FlowStatus webhook={webhook} />
      {test && <TestResultView result={test} />}
      <ErrorBanner error={actionError} />
      <nav class="tabs" aria-label="Webhook">
        {TABS.map(([t, label]) => (
          <a href={`#/webhooks/${id}/${t}`} aria-current={tab === t ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {tab === "overview" && <Overview webhook={webhook} />}
      {tab === "log" && <Log webhook={webhook} />}
      {tab === "replay" && <ReplayPanel webhook={webhook} />}
      {tab === "settings" && <WebhookEditor key={webhook.id} webhook={webhook} onSaved={setData} />}
    </section>
  );
}

/** The API's series interval for each window, in seconds. */
const INTERVAL: Record<string, number> = { "1h": 60, "24h": 3600, "7d": 6 * 3600, "30d": 86400 };

/** One bar per interval of the window, empty intervals included, oldest first. */
function slots(stats: Stats): { start: number; attempts: number; successes: number }[] {
  const size = (INTERVAL[stats.window] ?? 3600) * 1000;
  const byStart = new Map(stats.series.map((p) => [Math.floor(Date.parse(p.start) / size), p]));
  const first = Math.floor(Date.parse(stats.since) / size);
  const last = Math.floor(Date.now() / size);
  const out = [];
  for (let i = first; i <= last; i++) {
    const p = byStart.get(i);
    out.push({ start: i * size, attempts: p?.attempts ?? 0, successes: p?.successes ?? 0 });
  }
  return out;
}

function Chart({ stats }: { stats: Stats }) {
  if (stats.series.length === 0) return <p class="empty">No attempts in this window.</p>;
  const points = slots(stats);
  const max = Math.max(1, ...points.map((p) => p.attempts));
  const width = 600;
  const height = 120;
  const bar = width / points.length;
  const summary = `${stats.attempts} attempts, ${stats.successes} succeeded`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line class="axis" x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} />
        {points.map((p, i) => {
          const h = (p.attempts / max) * (height - 4);
          const ok = (p.successes / max) * (height - 4);
          const x = i * bar + bar * 0.15;
          const w = Math.max(bar * 0.7, 1);
          return (
            <g>
              <title>
                {new Date(p.start).toLocaleString()}: {p.successes} of {p.attempts} succeeded
              </title>
              <rect class="fail" x={x} y={height - h} width={w} height={h - ok} />
              <rect class="ok" x={x} y={height - ok} width={w} height={ok} />
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="key ok">succeeded</span> <span class="key fail">failed</span> · {summary} · one bar per{" "}
        {({ "1h": "minute", "24h": "hour", "7d": "6 hours", "30d": "day" } as Record<string, string>)[stats.window]}
      </figcaption>
    </figure>
  );
}

function Overview({ webhook }: { webhook: Webhook }) {
  const [span, setSpan] = useState("24h");
  const { data: stats, error, reload } = useLoad(() => api.stats(webhook.id, span), [webhook.id, span]);
  return (
    <div>
      <fieldset class="segmented">
        <legend class="visually-hidden">Window</legend>
        {["1h", "24h", "7d"].map((w) => (
          <label class={w === span ? "selected" : undefined}>
            <input type="radio" name="window" value={w} checked={w === span} onChange={() => setSpan(w)} />
            {w.replace("h", " h").replace("d", " d")}
          </label>
        ))}
        <button type="button" class="secondary" onClick={() => void reload()}>
          Refresh
        </button>
      </fieldset>
      <ErrorBanner error={error} />
      {stats && (
        <>
          <dl class="stats">
            <div>
              <dt>Success rate</dt>
              <dd data-testid="success-rate">{percent(stats.success_rate)}</dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd data-testid="attempts">{stats.attempts}</dd>
            </div>
            <div>
              <dt>Failed attempts</dt>
              <dd>{stats.failures}</dd>
            </div>
            <div>
              <dt>Response time p50 / p95</dt>
              <dd>
                {ms(stats.execution_time_p50)} / {ms(stats.execution_time_p95)}
              </dd>
            </div>
            <div>
              <dt>Pending deliveries</dt>
              <dd>{stats.pending_deliveries}</dd>
            </div>
            <div>
              {/* Counted when a delivery runs out of retries: a later replay that succeeds
                  does not lower it, so it says so rather than look like "failed now". */}
              <dt>Gave up (retries ran out)</dt>
              <dd data-testid="gave-up">
                {stats.failed_deliveries}
                <small class="muted hint">in this window; replays that succeed later are counted under successes</small>
              </dd>
            </div>
            <div>
              <dt>Last execution</dt>
              <dd class="small">
                {when(stats.last_execution_at)}{" "}
                {stats.last_response_code !== null && (
                  <span class={codeClass(stats.last_response_code)}>{stats.last_response_code}</span>
                )}
              </dd>
            </div>
          </dl>
          <Chart stats={stats} />
        </>
      )}
    </div>
  );
}

function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2);
}

function LogRow({ entry, onReplayed }: { entry: LogEntry; onReplayed: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  return (
    <li class={entry.success ? "log-entry ok" : "log-entry bad"}>
      <details>
        <summary>
          <span class={codeClass(entry.response_code, entry.success)}>
            {entry.response_code ?? (entry.success ? "ok" : "error")}
          </span>
          <code class="event-type">{entry.event_type}</code>
          <span class="muted">{when(entry.created_at)}</span>
          <span class="muted">{ms(entry.execution_time)}</span>
          <span class="muted">{entry.test ? "test send" : `attempt ${entry.attempt}`}</span>
        </summary>
        <div class="log-detail">
          {entry.error && <p class="field-error">{entry.error}</p>}
          {entry.retry_after !== null && <p class="muted">Receiver asked to retry after {entry.retry_after} s.</p>}
          <h3>Payload</h3>
          <pre>{entry.payload === null || entry.payload === undefined ? "(not available)" : pretty(entry.payload)}</pre>
          <h3>Response</h3>
          <pre>{entry.response_excerpt || "(empty)"}</pre>
          {entry.delivery_id && (
            <p class="inline">
              <span class="muted">Delivery {entry.delivery_id}</span>
              <button
                type="button"
                class="secondary"
                onClick={async () => {
                  try {
                    const d = await api.replayDelivery(entry.delivery_id!);
                    setMessage(`Replay queued: the delivery is ${d.status} again.`);
                    onReplayed();
                  } catch (e) {
                    setMessage(errorText(e));
                  }
                }}
              >
                Replay this delivery
              </button>
            </p>
          )}
          {message && <Notice>{message}</Notice>}
        </div>
      </details>
    </li>
  );
}

/** A pending delivery's place in its FIFO lane, in plain words. */
function laneText(d: Delivery): string {
  const lane = d.lane!;
  const key = lane.ordering_key === null ? "the webhook's lane" : `lane "${lane.ordering_key}"`;
  if (lane.waiting_behind === null) {
    const next = d.next_attempt_at ? `; next attempt ${clock(d.next_attempt_at)}` : "";
    return `Head of ${key}: being delivered (attempt ${d.attempts + 1})${next}.`;
  }
  const ahead = lane.position === 1 ? "1 delivery" : `${lane.position} deliveries`;
  return `Position ${lane.position + 1} in ${key}: waiting behind delivery ${lane.waiting_behind} (${ahead} ahead).`;
}

/** A FIFO webhook's pending deliveries and where each stands in its lane. */
function Lanes({ webhook }: { webhook: Webhook }) {
  const { data, reload } = useLoad(() => api.pendingDeliveries(webhook.id), [webhook.id]);
  useEffect(() => {
    const t = setInterval(() => void reload(), 3000);
    return () => clearInterval(t);
  }, [reload]);
  const waiting = (data?.items ?? []).filter((d) => d.lane);
  if (waiting.length === 0) return null;
  return (
    <section aria-label="Deliveries waiting in order">
      <h3>Waiting in order</h3>
      <p class="muted">
        One delivery at a time per lane. A delivery that gives up (failed after its last retry) lets its lane move
        on; replay it to send it again at the end of its lane.
      </p>
      <ul class="log" data-testid="lanes">
        {waiting.map((d) => (
          <li key={d.id} class="log-entry">
            <span class="muted">Delivery {d.id}</span> {laneText(d)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Log({ webhook }: { webhook: Webhook }) {
  const [status, setStatus] = useState("");
  const [eventType, setEventType] = useState("");
  const [applied, setApplied] = useState({ status: "", event_type: "" });
  const pages = useCursorPages();
  const { data, error, reload } = useLoad(
    () => api.logs(webhook.id, { ...applied, cursor: pages.cursor }),
    [webhook.id, applied, pages.cursor],
  );
  // The first page follows new attempts by itself.
  useEffect(() => {
    if (!pages.first) return;
    const t = setInterval(() => void reload(), 3000);
    return () => clearInterval(t);
  }, [reload, pages.first]);

  return (
    <div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          pages.reset();
          setApplied({ status, event_type: eventType.trim() });
        }}
      >
        <div class="field">
          <label for="log-status">Status</label>
          <select id="log-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">All</option>
            <option value="success">Succeeded</option>
            <option value="failure">Failed</option>
          </select>
        </div>
        <div class="field">
          <label for="log-event">Event type</label>
          <input id="log-event" value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
        <button type="button" class="secondary" onClick={() => void reload()}>
          Refresh
        </button>
      </form>
      <ErrorBanner error={error} />
      {webhook.ordering === "fifo" && <Lanes webhook={webhook} />}
      {data && data.items.length === 0 && <p class="empty">No attempts yet{applied.status || applied.event_type ? " matching these filters" : ""}.</p>}
      {data && data.items.length > 0 && (
        <ul class="log" aria-label="Delivery attempts, newest first">
          {data.items.map((e) => (
            <LogRow key={e.id} entry={e} onReplayed={() => setTimeout(() => void reload(), 1000)} />
          ))}
        </ul>
      )}
      <Pager pages={pages} next={data?.next_cursor} />
    </div>
  );
}

function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function ReplayPanel({ webhook }: { webhook: Webhook }) {
  const [since, setSince] = useState(localInput(new Date(Date.now() - 24 * 3600 * 1000)));
  const [status, setStatus] = useState<"failed" | "all">("failed");
  const [missed, setMissed] = useState(true);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!replay || replay.finished_at) return;
    const t = setTimeout(async () => {
      try {
        setReplay(await api.replay(replay.id));
      } catch (e) {
        setError(e);
      }
    }, 1000);
    return () => clearTimeout(t);
  }, [replay]);

  return (
    <div>
      <p>
        Send again what this webhook missed: failed deliveries, or every delivery, since a time (at most 14 days
        back). Events that arrived while the webhook was disabled can be included.
      </p>
      <form
        class="replay-form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const started = await api.replayWebhook(webhook.id, {
              since: new Date(since).toISOString(),
              status,
              include_missed: missed,
            });
            setReplay(await api.replay(started.id));
            setError(null);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <div class="field">
          <label for="replay-since">Since</label>
          <input id="replay-since" type="datetime-local" required value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="replay-status">Deliveries</label>
          <select id="replay-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as "failed" | "all")}>
            <option value="failed">Failed only</option>
            <option value="all">All</option>
          </select>
        </div>
        <div class="check">
          <input id="replay-missed" type="checkbox" checked={missed} onChange={(e) => setMissed(e.currentTarget.checked)} />
          <label for="replay-missed">Include events missed while disabled</label>
        </div>
        <button type="submit">Start replay</button>
      </form>
      <ErrorBanner error={error} />
      {replay && (
        <div class="panel" role="status" aria-live="polite">
          <p>
            Replay <strong data-testid="replay-state">{replay.state}</strong>: {replay.replayed + replay.created} of{" "}
            {replay.count} deliveries queued ({replay.replayed} replayed, {replay.created} missed events delivered).
          </p>
          <progress max={Math.max(replay.count, 1)} value={replay.count === 0 ? 1 : replay.replayed + replay.created} />
          {replay.error && <p class="field-error">{replay.error}</p>}
        </div>
      )}
    </div>
  );
}
