// A webhook's overview: its numbers over a window, a chart with a time axis, what it
// subscribes to and how its deliveries are signed.
import { useState } from "preact/hooks";
import { api, type Stats, type Webhook } from "../../api";
import { dateTime, number, t } from "../../i18n";
import { codeClass, CopyButton, ErrorBanner, ms, percent, useLoad, when } from "../../ui";

/** The API's series interval for each window, in seconds. */
const INTERVAL_SECS: Record<string, number> = { "1h": 60, "24h": 3600, "7d": 6 * 3600, "30d": 86400 };

/** One bar per interval of the window, empty intervals included, oldest first. */
function slots(stats: Stats): { start: number; attempts: number; successes: number }[] {
  const size = (INTERVAL_SECS[stats.window] ?? 3600) * 1000;
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

/** A time-axis label: the time within a day, the day and hour beyond. */
function tick(ms: number, window: string): string {
  const d = new Date(ms);
  return window === "1h" || window === "24h"
    ? dateTime(d, { hour: "2-digit", minute: "2-digit" })
    : dateTime(d, { day: "numeric", month: "short", hour: "2-digit" });
}

function Chart({ stats }: { stats: Stats }) {
  if (stats.series.length === 0) return <p class="empty">{t("overview.noAttempts")}</p>;
  const points = slots(stats);
  const max = Math.max(1, ...points.map((p) => p.attempts));
  const width = 600;
  const height = 120;
  const bar = width / points.length;
  const summary = t("overview.chartSummary", { attempts: number(stats.attempts), successes: number(stats.successes) });
  // Five labels along the axis: the first bar, three between, the last.
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.min(points.length - 1, Math.round(f * (points.length - 1))));
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
              <title>{t("overview.barTitle", { time: when(new Date(p.start).toISOString()), successes: p.successes, attempts: p.attempts })}</title>
              <rect class="fail" x={x} y={height - h} width={w} height={h - ok} />
              <rect class="ok" x={x} y={height - ok} width={w} height={ok} />
            </g>
          );
        })}
      </svg>
      <div class="time-axis" aria-hidden="true" data-testid="time-axis">
        {ticks.map((i) => (
          <span>{tick(points[i].start, stats.window)}</span>
        ))}
      </div>
      <figcaption>
        <span class="key ok">{t("overview.keyOk")}</span> <span class="key fail">{t("overview.keyFail")}</span> · {summary} ·{" "}
        {t(`overview.per.${stats.window}` as "overview.per.1h")}
      </figcaption>
    </figure>
  );
}

/** The signing secret, shown on request: receivers verify each delivery with it. */
function SigningSecret({ webhook }: { webhook: Webhook }) {
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (webhook.signature_scheme === "ed25519" && webhook.public_key)
    return (
      <section class="panel" aria-labelledby="signing-title">
        <h2 id="signing-title">{t("overview.publicKey")}</h2>
        <p class="muted">{t("overview.signingEd25519")}</p>
        <div class="inline">
          <code class="secret" data-testid="overview-public-key">
            {webhook.public_key}
          </code>
          <CopyButton text={webhook.public_key} />
        </div>
      </section>
    );
  return (
    <section class="panel" aria-labelledby="signing-title">
      <h2 id="signing-title">{t("overview.signing")}</h2>
      <p class="muted">
        {t(webhook.signature_profile === "standard" ? "overview.signingStandard" : "overview.signingXWebhook")}
      </p>
      <div class="inline">
        <code class="secret" data-testid="overview-secret">
          {secret ?? "whsec_••••••••••••••••"}
        </code>
        {secret ? (
          <>
            <CopyButton text={secret} />
            <button type="button" class="secondary" onClick={() => setSecret(null)}>
              {t("overview.hide")}
            </button>
          </>
        ) : (
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              try {
                setSecret((await api.secret(webhook.id)).secret);
                setError(null);
              } catch (e) {
                setError(e);
              }
            }}
          >
            {t("overview.show")}
          </button>
        )}
      </div>
      <ErrorBanner error={error} />
    </section>
  );
}

export function Overview({ webhook }: { webhook: Webhook }) {
  const [span, setSpan] = useState("24h");
  const { data: stats, error, reload } = useLoad(() => api.stats(webhook.id, span), [webhook.id, span]);
  return (
    <div>
      <fieldset class="segmented">
        <legend class="visually-hidden">{t("overview.window")}</legend>
        {["1h", "24h", "7d"].map((w) => (
          <label class={w === span ? "selected" : undefined}>
            <input type="radio" name="window" value={w} checked={w === span} onChange={() => setSpan(w)} />
            {t(`overview.window.${w}` as "overview.window.1h")}
          </label>
        ))}
        <button type="button" class="secondary" onClick={() => void reload()}>
          {t("common.refresh")}
        </button>
      </fieldset>
      <ErrorBanner error={error} />
      {stats && (
        <>
          <dl class="stats">
            <div>
              <dt>{t("overview.successRate")}</dt>
              <dd data-testid="success-rate">{percent(stats.success_rate)}</dd>
            </div>
            <div>
              <dt>{t("overview.attempts")}</dt>
              <dd data-testid="attempts">{number(stats.attempts)}</dd>
            </div>
            <div>
              <dt>{t("overview.failedAttempts")}</dt>
              <dd>{number(stats.failures)}</dd>
            </div>
            <div>
              <dt>{t("overview.responseTime")}</dt>
              <dd>
                {ms(stats.execution_time_p50)} / {ms(stats.execution_time_p95)}
              </dd>
            </div>
            <div>
              <dt>{t("overview.pending")}</dt>
              <dd>{number(stats.pending_deliveries)}</dd>
            </div>
            <div>
              {/* Counted when a delivery runs out of retries: a later replay that succeeds
                  does not lower it, so it says so rather than look like "failed now". */}
              <dt>{t("overview.gaveUp")}</dt>
              <dd data-testid="gave-up">
                {number(stats.failed_deliveries)}
                <small class="muted hint">{t("overview.gaveUpHint")}</small>
              </dd>
            </div>
            <div>
              <dt>{t("overview.lastExecution")}</dt>
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
      <section class="panel" aria-labelledby="events-title">
        <h2 id="events-title">{t("overview.events")}</h2>
        <p class="chips" data-testid="overview-events">
          {webhook.event_types.map((et) => (
            <span class="chip">{et}</span>
          ))}
        </p>
        <p class="muted">{t("overview.eventsHint")}</p>
      </section>
      <SigningSecret webhook={webhook} />
    </div>
  );
}
