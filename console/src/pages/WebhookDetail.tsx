// One webhook: its limits and circuit, then its tabs: overview (numbers, chart, events,
// signing), the per-delivery log, bulk replay and its settings.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Delivery, type Webhook } from "../api";
import { plural, t, type MessageKey } from "../i18n";
import { clock, ErrorBanner, flash, Notice, useLoad, useReadOnly, when } from "../ui";
import { WebhookEditor } from "./WebhookEditor";
import { Deliveries } from "./webhook/Deliveries";
import { Overview } from "./webhook/Overview";
import { ReplayPanel } from "./webhook/ReplayPanel";
import { TestSend } from "./webhook/TestSend";

const TABS = ["overview", "log", "replay", "settings"] as const;

/** Whether the webhook's flow state may change by itself soon (then the page follows it). */
function flowActive(w: Webhook): boolean {
  return w.circuit.state !== "closed" || w.waiting.deliveries > 0 || w.waiting.paused_until !== null;
}

/** Its limits, its circuit and, when deliveries wait, why: text first, colour second. */
function FlowStatus({ webhook }: { webhook: Webhook }) {
  const { circuit, waiting } = webhook;
  const [circuitClass, circuitLabel] =
    circuit.state === "open"
      ? ["badge bad", circuit.retry_at ? t("flow.openUntil", { time: clock(circuit.retry_at) }) : t("flow.open")]
      : circuit.state === "half_open"
        ? ["badge warn", t("flow.halfOpen")]
        : ["badge ok", t("flow.closed")];
  const n = waiting.deliveries;
  let why = waiting.reason ? t(`flow.reason.${waiting.reason}` as MessageKey) : t("flow.reason.turn");
  if (waiting.reason === "circuit" && circuit.retry_at) why += t("flow.nextTry", { time: clock(circuit.retry_at) });
  return (
    <>
      <dl class="facts">
        <div>
          <dt>{t("flow.maxConcurrency")}</dt>
          <dd data-testid="max-concurrency">{webhook.max_concurrency}</dd>
        </div>
        <div>
          <dt>{t("flow.rateLimit")}</dt>
          <dd data-testid="rate-limit">
            {webhook.rate_limit === null
              ? t("flow.noRateLimit")
              : `${webhook.rate_limit} / ${t(`flow.period.${webhook.rate_limit_period}` as MessageKey)}`}
          </dd>
        </div>
        <div>
          <dt>{t("flow.order")}</dt>
          <dd data-testid="ordering">{webhook.ordering === "fifo" ? t("flow.fifo") : t("flow.unordered")}</dd>
        </div>
        <div>
          <dt>{t("flow.circuit")}</dt>
          <dd>
            <span class={circuitClass} data-testid="circuit-state">
              {circuitLabel}
            </span>
          </dd>
        </div>
      </dl>
      {circuit.state === "open" && !(n > 0 && waiting.reason === "circuit") && (
        <Notice>
          {circuit.retry_at ? t("flow.openNoticeUntil", { time: clock(circuit.retry_at) }) : t("flow.openNotice")}
        </Notice>
      )}
      {circuit.state === "half_open" && <Notice>{t("flow.halfOpenNotice")}</Notice>}
      {waiting.paused_until && <Notice>{t("flow.pausedNotice", { time: clock(waiting.paused_until) })}</Notice>}
      {n > 0 && (
        <Notice>
          <span data-testid="waiting">
            {plural(n, { one: t("flow.waitingOne"), few: t("flow.waitingFew"), many: t("flow.waitingMany"), other: t("flow.waitingOther") })}
            {t("flow.waitingWhy", { why })}
          </span>
        </Notice>
      )}
    </>
  );
}

/** A FIFO webhook's pending deliveries and where each stands in its lane. */
function Lanes({ webhook }: { webhook: Webhook }) {
  const { data, reload } = useLoad(() => api.pendingDeliveries(webhook.id), [webhook.id]);
  useEffect(() => {
    const timer = setInterval(() => void reload(), 3000);
    return () => clearInterval(timer);
  }, [reload]);
  const waiting = (data?.items ?? []).filter((d) => d.lane);
  if (waiting.length === 0) return null;
  return (
    <section aria-label={t("lanes.title")}>
      <h3>{t("lanes.title")}</h3>
      <p class="muted">{t("lanes.intro")}</p>
      <ul class="log" data-testid="lanes">
        {waiting.map((d) => (
          <li key={d.id} class="log-entry">
            <span class="muted">{t("log.deliveryId")} {d.id}</span> {laneText(d)}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A pending delivery's place in its FIFO lane, in plain words. */
function laneText(d: Delivery): string {
  const lane = d.lane!;
  const key = lane.ordering_key === null ? t("lanes.webhookLane") : t("lanes.keyLane", { key: lane.ordering_key });
  if (lane.waiting_behind === null) {
    const next = d.next_attempt_at ? t("lanes.nextAttempt", { time: clock(d.next_attempt_at) }) : "";
    return t("lanes.head", { lane: key, n: d.attempts + 1, next });
  }
  return t("lanes.behind", { position: lane.position + 1, lane: key, head: lane.waiting_behind, ahead: lane.position });
}

export function WebhookDetail({ id, tab }: { id: string; tab: string }) {
  const readOnly = useReadOnly();
  const { data: webhook, error, setData: show } = useLoad(() => api.webhook(id), [id]);
  // What creating it answered (e.g. "matches no known event type"), shown on arrival.
  const [arrivalNotices] = useState(() => flash.take());
  // Counts the webhook's changes here, so a background refresh begun before one is dropped.
  const changes = useRef(0);
  const setData = (w: Webhook) => {
    changes.current++;
    show(w);
  };
  const [testing, setTesting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  // While deliveries wait or the circuit is not closed, follow the webhook's state
  // (quietly: a failed refresh leaves what is shown).
  const following = !!webhook && flowActive(webhook);
  useEffect(() => {
    if (!following) return;
    const timer = setInterval(() => {
      const seen = changes.current;
      api.webhook(id).then(
        (w) => {
          if (changes.current === seen) show(w);
        },
        () => {},
      );
    }, 5000);
    return () => clearInterval(timer);
  }, [id, following, show]);
  if (error) return <ErrorBanner error={error} />;
  if (!webhook) return <p class="loading">{t("common.loading")}</p>;

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

  return (
    <section>
      <p class="crumbs">
        <a href="#/webhooks">{t("list.title")}</a> /
      </p>
      <div class="title-row">
        <h1>{webhook.name}</h1>
        <div class="inline">
          <span class={webhook.enabled ? "badge ok" : "badge muted"} data-testid="enabled-state">
            {webhook.enabled ? t("webhook.enabled") : t("webhook.disabled")}
          </span>
          {!readOnly && (
            <>
              <button type="button" class="secondary" disabled={busy} onClick={toggle}>
                {webhook.enabled ? t("webhook.disable") : t("webhook.enable")}
              </button>
              <button type="button" class="secondary" aria-expanded={testing} onClick={() => setTesting(!testing)}>
                {t("webhook.sendTest")}
              </button>
            </>
          )}
        </div>
      </div>
      <p class="url">{webhook.url}</p>
      {arrivalNotices.map((w) => (
        <Notice>{w}</Notice>
      ))}
      {!webhook.enabled && webhook.disabled_reason && (
        <Notice>{t("webhook.disabledNotice", { time: when(webhook.disabled_at), reason: webhook.disabled_reason })}</Notice>
      )}
      <FlowStatus webhook={webhook} />
      {testing && <TestSend webhook={webhook} onClose={() => setTesting(false)} />}
      <ErrorBanner error={actionError} />
      <nav class="tabs" aria-label={t("webhook.tabs")}>
        {TABS.map((name) => (
          <a href={`#/webhooks/${id}/${name}`} aria-current={tab === name ? "page" : undefined}>
            {t(`webhook.tab.${name}`)}
          </a>
        ))}
      </nav>
      {tab === "overview" && <Overview webhook={webhook} />}
      {tab === "log" && (
        <>
          {webhook.ordering === "fifo" && <Lanes webhook={webhook} />}
          <Deliveries webhook={webhook} />
        </>
      )}
      {tab === "replay" && <ReplayPanel webhook={webhook} />}
      {tab === "settings" && <WebhookEditor key={webhook.id} webhook={webhook} onSaved={setData} />}
    </section>
  );
}
