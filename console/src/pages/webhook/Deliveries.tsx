// A webhook's log, one row per delivery: where it stands (pending, retrying, held by flow
// control, succeeded, failed, cancelled), its attempts with the headers each sent and got,
// and a replay of a finished one that the row then follows to its end.
import { useEffect, useState } from "preact/hooks";
import { api, followLog, type Attempt, type Delivery, type DeliveryFilter, type Webhook } from "../../api";
import { plural, t, type MessageKey } from "../../i18n";
import { clock, codeClass, ErrorBanner, errorText, ms, Notice, Pager, useCursorPages, useLoad, useReadOnly, when } from "../../ui";

/** Where a delivery stands, as the reader needs it. */
export type Standing = "pending" | "retrying" | "held" | "succeeded" | "failed" | "cancelled";

/**
 * A delivery's standing: a pending one that failed before is retrying; one not yet tried
 * while its webhook holds deliveries back (limits, circuit, a receiver's pause) is held.
 */
export function standing(d: Delivery, webhook: Webhook): Standing {
  if (d.status !== "pending") return d.status;
  if (d.attempts > 0) return "retrying";
  const due = !d.next_attempt_at || Date.parse(d.next_attempt_at) <= Date.now();
  return due && webhook.waiting.deliveries > 0 ? "held" : "pending";
}

const BADGE: Record<Standing, string> = {
  pending: "badge muted",
  retrying: "badge warn",
  held: "badge warn",
  succeeded: "badge ok",
  failed: "badge bad",
  cancelled: "badge muted",
};

/** The line under a delivery's status: what happens next, or how it ended. */
function outlook(d: Delivery, s: Standing, webhook: Webhook): string {
  switch (s) {
    case "retrying":
      return d.next_attempt_at
        ? t("log.nextAttemptAt", { n: d.attempts + 1, time: clock(d.next_attempt_at) })
        : t("log.nextAttemptSoon", { n: d.attempts + 1 });
    case "held":
      return webhook.waiting.reason ? t(`flow.reason.${webhook.waiting.reason}` as MessageKey) : t("log.heldWaiting");
    case "pending":
      return d.lane?.waiting_behind ? t("log.waitingInLane", { n: d.lane.position }) : t("log.firstAttemptSoon");
    case "failed":
      return plural(d.attempts, { one: t("log.gaveUpOne"), few: t("log.gaveUpFew"), many: t("log.gaveUpMany"), other: t("log.gaveUpOther") });
    case "succeeded":
      return d.completed_at ? t("log.deliveredAt", { time: when(d.completed_at) }) : "";
    case "cancelled":
      return t("log.cancelled");
  }
}

function Headers({ label, headers }: { label: string; headers: [string, string][] | null }) {
  return (
    <>
      <h4>{label}</h4>
      {headers === null ? (
        <p class="muted">{t("log.noHeaders")}</p>
      ) : (
        <table class="headers" aria-label={label}>
          <tbody>
            {headers.map(([name, value]) => (
              <tr>
                <th scope="row">{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** One attempt; the latest comes opened, since it says how the delivery stands. */
function AttemptView({ attempt: a, latest }: { attempt: Attempt; latest: boolean }) {
  return (
    <li class={a.succeeded ? "attempt ok" : "attempt bad"}>
      <details open={latest}>
        <summary>
          <span class={codeClass(a.response_code, a.succeeded)}>
            {a.response_code ?? (a.error_kind ? t(`error.short.${a.error_kind}` as MessageKey) : t("log.noAnswer"))}
          </span>
          <span>{t("log.attemptN", { n: a.attempt })}</span>
          <span class="muted">{when(a.started_at)}</span>
          <span class="muted">{ms(a.duration_ms / 1000)}</span>
        </summary>
        <div class="log-detail">
          {a.error_kind && (
            <p class="field-error" data-testid="plain-error">
              {t(`error.${a.error_kind}` as MessageKey)}
            </p>
          )}
          {a.error && <p class="muted small">{a.error}</p>}
          {a.retry_after !== null && <p class="muted">{t("log.retryAfter", { n: a.retry_after })}</p>}
          <Headers label={t("log.requestHeaders")} headers={a.request_headers} />
          <Headers label={t("log.responseHeaders")} headers={a.response_headers} />
          <h4>{t("log.responseBody")}</h4>
          <pre>{a.response_body || t("log.empty")}</pre>
        </div>
      </details>
    </li>
  );
}

/** One delivery, opened: its attempts, its event's data, and replay. */
function DeliveryDetailView({ delivery, onChange }: { delivery: Delivery; onChange: (d: Delivery) => void }) {
  const readOnly = useReadOnly();
  const { data, error, reload } = useLoad(() => api.delivery(delivery.id), [delivery.id]);
  const { data: event } = useLoad(() => api.event(delivery.event_id), [delivery.event_id]);
  const [message, setMessage] = useState<string | null>(null);
  const [replayError, setReplayError] = useState<unknown>(null);
  const pending = (data ?? delivery).status === "pending";
  // While it is still being delivered (a replay, a retry), follow it to its end.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [pending, reload]);
  useEffect(() => {
    if (data) onChange(data);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data]);

  return (
    <div class="log-detail">
      <ErrorBanner error={error} />
      <p class="muted small">
        {t("log.deliveryId")} <code>{delivery.id}</code> · {t("log.eventId")} <code>{delivery.event_id}</code>
      </p>
      {data && data.attempt_log.length === 0 && <p class="muted">{t("log.noAttemptsYet")}</p>}
      {data && data.attempt_log.length > 0 && (
        <ol class="attempts" aria-label={t("log.attempts")}>
          {data.attempt_log.map((a, i) => (
            <AttemptView key={a.attempt} attempt={a} latest={i === data.attempt_log.length - 1} />
          ))}
        </ol>
      )}
      <h4>{t("log.eventData")}</h4>
      <pre>{event ? JSON.stringify(event.data, null, 2) : t("common.loading")}</pre>
      {!readOnly && !pending && (
        <p class="inline">
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              try {
                const d = await api.replayDelivery(delivery.id);
                onChange(d);
                setMessage(t("log.replayQueued"));
                setReplayError(null);
                void reload();
              } catch (e) {
                setReplayError(e);
              }
            }}
          >
            {t("log.replay")}
          </button>
        </p>
      )}
      {pending && data && data.attempts > 0 && <p class="muted">{t("log.replayWhenDone")}</p>}
      {message && <Notice>{message}</Notice>}
      {replayError !== null && <p class="field-error">{errorText(replayError)}</p>}
    </div>
  );
}

function DeliveryRow({ delivery, webhook }: { delivery: Delivery; webhook: Webhook }) {
  // The newest state seen: the list's, or the opened delivery's (followed while it runs).
  const [followed, setFollowed] = useState<Delivery | null>(null);
  const d = followed && followed.id === delivery.id && (followed.attempts >= delivery.attempts) ? followed : delivery;
  const [open, setOpen] = useState(false);
  const s = standing(d, webhook);
  return (
    <li class={`log-entry ${s === "succeeded" ? "ok" : s === "failed" ? "bad" : ""}`} data-testid="delivery">
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          <span class={BADGE[s]} data-testid="delivery-status">
            {t(`log.status.${s}` as MessageKey)}
          </span>
          <code class="event-type">{d.event_type ?? t("log.eventGone")}</code>
          <span class="muted">{when(d.created_at)}</span>
          <span class="muted">
            {plural(d.attempts, { one: t("log.attemptsOne"), few: t("log.attemptsFew"), many: t("log.attemptsMany"), other: t("log.attemptsOther") })}
          </span>
          <span class="muted" data-testid="delivery-outlook">
            {outlook(d, s, webhook)}
          </span>
        </summary>
        {open && <DeliveryDetailView delivery={d} onChange={setFollowed} />}
      </details>
    </li>
  );
}

/** Suggestions for the event type filter: the catalogue's names and their prefixes. */
function suggestions(names: string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const parts = name.split(".");
    for (let i = 1; i < parts.length; i++) out.add(`${parts.slice(0, i).join(".")}.*`);
    out.add(name);
  }
  return [...out].sort();
}

/** `datetime-local` value -> RFC 3339, or undefined when empty. */
function instant(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

const EMPTY = { status: "", event_type: "", since: "", until: "", event_id: "" };

export function Deliveries({ webhook }: { webhook: Webhook }) {
  const [form, setForm] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const pages = useCursorPages();
  const filter: DeliveryFilter = {
    status: (applied.status || undefined) as DeliveryFilter["status"],
    event_type: applied.event_type || undefined,
    since: instant(applied.since),
    until: instant(applied.until),
    event_id: applied.event_id || undefined,
    cursor: pages.cursor,
  };
  const { data, error, reload } = useLoad(() => api.deliveries(webhook.id, filter), [webhook.id, applied, pages.cursor]);
  const { data: catalogue } = useLoad(() => api.eventTypes(), []);
  // The first page follows new deliveries by itself: live from the log stream when one
  // can be opened (each attempt reloads the page, at most every half second), and with a
  // slow poll besides for what no attempt announces (a new delivery held back); without
  // a stream (the tenant's are in use), a poll every 3 s.
  const [streaming, setStreaming] = useState(false);
  useEffect(() => {
    if (!pages.first) return;
    const stop = new AbortController();
    let pending: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      pending ??= setTimeout(() => {
        pending = null;
        void reload();
      }, 500);
    };
    followLog(webhook.id, soon, () => setStreaming(true), stop.signal)
      .catch(() => {})
      .finally(() => setStreaming(false));
    return () => {
      stop.abort();
      if (pending) clearTimeout(pending);
    };
  }, [webhook.id, reload, pages.first]);
  useEffect(() => {
    if (!pages.first) return;
    const timer = setInterval(() => void reload(), streaming ? 15000 : 3000);
    return () => clearInterval(timer);
  }, [reload, pages.first, streaming]);
  const set = (k: keyof typeof EMPTY) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const filtered = Object.values(applied).some((v) => v !== "");

  return (
    <div>
      <form
        class="filters"
        aria-label={t("log.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          pages.reset();
          setApplied({ ...form, event_type: form.event_type.trim(), event_id: form.event_id.trim() });
        }}
      >
        <div class="field">
          <label for="log-status">{t("log.filterStatus")}</label>
          <select id="log-status" value={form.status} onChange={set("status")}>
            <option value="">{t("log.filterAll")}</option>
            <option value="pending">{t("log.filterPending")}</option>
            <option value="succeeded">{t("log.status.succeeded")}</option>
            <option value="failed">{t("log.status.failed")}</option>
            <option value="cancelled">{t("log.status.cancelled")}</option>
          </select>
        </div>
        <div class="field">
          <label for="log-event">{t("log.filterEventType")}</label>
          <input id="log-event" list="log-event-types" placeholder="order.*" value={form.event_type} onInput={set("event_type")} />
          <datalist id="log-event-types">
            {suggestions((catalogue ?? []).map((e) => e.name)).map((s) => (
              <option value={s} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="log-since">{t("log.filterSince")}</label>
          <input id="log-since" type="datetime-local" value={form.since} onInput={set("since")} />
        </div>
        <div class="field">
          <label for="log-until">{t("log.filterUntil")}</label>
          <input id="log-until" type="datetime-local" value={form.until} onInput={set("until")} />
        </div>
        <div class="field">
          <label for="log-event-id">{t("log.filterEventId")}</label>
          <input id="log-event-id" value={form.event_id} onInput={set("event_id")} />
        </div>
        <button type="submit" class="secondary">
          {t("log.filter")}
        </button>
        {filtered && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setForm(EMPTY);
              setApplied(EMPTY);
              pages.reset();
            }}
          >
            {t("log.clear")}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => void reload()}>
          {t("common.refresh")}
        </button>
      </form>
      <ErrorBanner error={error} />
      {streaming && (
        <p class="muted small" data-testid="log-live">
          {t("log.live")}
        </p>
      )}
      {data && data.items.length === 0 && <p class="empty">{filtered ? t("log.noneMatch") : t("log.none")}</p>}
      {data && data.items.length > 0 && (
        <ul class="log" aria-label={t("log.listLabel")}>
          {data.items.map((d) => (
            <DeliveryRow key={d.id} delivery={d} webhook={webhook} />
          ))}
        </ul>
      )}
      <Pager pages={pages} next={data?.next_cursor} />
    </div>
  );
}
