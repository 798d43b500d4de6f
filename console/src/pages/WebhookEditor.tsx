// Create or edit a webhook: the event picker, headers, format, signature, retries, delivery
// limits, the "Test" button (test before saving), and on edit the secret, the toggle and deletion.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import {
  api,
  ApiError,
  type EventType,
  type Ordering,
  type PayloadFormat,
  type RatePeriod,
  type SignatureProfile,
  type SignatureScheme,
  type TestResult,
  type Webhook,
  type WebhookInput,
} from "../api";
import { number, t } from "../i18n";
import {
  codeClass,
  CopyButton,
  ErrorBanner,
  Field,
  flash,
  go,
  groupEventTypes,
  ms,
  Notice,
  useReadOnly,
  when,
} from "../ui";

/** The form control of each field the API may name in an error. */
const FIELD_IDS: Record<string, string> = {
  name: "wh-name",
  description: "wh-description",
  url: "wh-url",
  event_types: "event-free",
  headers: "hdr-name-0",
  payload_format: "wh-format",
  signature_profile: "wh-profile",
  signature_scheme: "wh-scheme",
  retry_schedule_secs: "wh-schedule",
  max_concurrency: "wh-max-concurrency",
  rate_limit: "wh-rate-limit",
  rate_limit_period: "wh-rate-period",
  ordering: "wh-ordering",
  secret: "wh-secret",
};

interface HeaderRow {
  name: string;
  value: string;
}

function isPattern(name: string) {
  return name === "*" || name.endsWith(".*");
}

/** A message with `{name}` slots filled by elements (code samples, say). */
function withParts(text: string, parts: Record<string, ComponentChildren>): ComponentChildren[] {
  return text.split(/\{(\w+)\}/).map((piece, i) => (i % 2 === 1 ? (parts[piece] ?? `{${piece}}`) : piece));
}

function parseSchedule(text: string): number[] | null | string {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const parts = trimmed.split(/[\s,]+/).filter(Boolean);
  const secs = parts.map((p) => Number(p));
  if (secs.some((n) => !Number.isInteger(n) || n <= 0)) return t("editor.schedule.invalid");
  return secs;
}

/** A whole number of a limit field: null when empty; the ranges are the API's to judge. */
function parseWhole(text: string, badInput: boolean): number | null | string {
  const trimmed = text.trim();
  if (!trimmed && !badInput) return null;
  const n = Number(trimmed);
  if (badInput || !Number.isSafeInteger(n) || n <= 0) return t("editor.limits.invalid");
  return n;
}

/** A labelled checkbox, with an optional hint under it. */
function Check(props: {
  id: string;
  label: string;
  hint?: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div class="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
    </div>
  );
}

export function TestResultView({ result }: { result: TestResult }) {
  return (
    <div class={result.success ? "test-result passed" : "test-result failed"} role="status" aria-live="polite">
      <strong>{result.success ? t("editor.test.passed") : t("editor.test.failed")}</strong>{" "}
      <span class={codeClass(result.response_code, result.success)}>
        {result.response_code ?? t("editor.test.noResponse")}
      </span>{" "}
      <span class="muted">{t("editor.test.time", { time: ms(result.execution_time) })}</span>
      <span class="muted"> · {t("editor.test.event", { type: result.event_type })}</span>
      {result.error && <p class="field-error">{result.error}</p>}
      {result.response_excerpt && (
        <pre class="excerpt" aria-label={t("editor.test.excerpt")}>
          {result.response_excerpt}
        </pre>
      )}
    </div>
  );
}

function EventPicker({
  selected,
  onChange,
  error,
  readOnly,
}: {
  selected: string[];
  onChange: (s: string[]) => void;
  error?: string | null;
  readOnly: boolean;
}) {
  const [catalogue, setCatalogue] = useState<EventType[] | null>(null);
  const [catalogueError, setCatalogueError] = useState<unknown>(null);
  const [free, setFree] = useState("");
  useEffect(() => {
    api.eventTypes().then(setCatalogue, setCatalogueError);
  }, []);
  const groups = groupEventTypes(catalogue ?? []);
  const toggle = (name: string, on: boolean) =>
    onChange(on ? [...selected.filter((s) => s !== name), name] : selected.filter((s) => s !== name));
  const addFree = () => {
    const v = free.trim();
    if (v && !selected.includes(v)) onChange([...selected, v]);
    setFree("");
  };
  return (
    <fieldset class={error ? "events invalid" : "events"} aria-describedby="events-hint" disabled={readOnly}>
      <legend>{t("editor.events.legend")}</legend>
      <small id="events-hint" class="hint">
        {withParts(t("editor.events.hint"), { all: <code>*</code>, prefix: <code>prefix.*</code> })}
      </small>
      <div class="chips" aria-label={t("editor.events.selected")}>
        {selected.length === 0 && <span class="muted">{t("editor.events.none")}</span>}
        {selected.map((s) => (
          <span class="chip">
            {s}
            {!readOnly && (
              <button
                type="button"
                class="chip-remove"
                aria-label={t("editor.events.remove", { name: s })}
                onClick={() => toggle(s, false)}
              >
                ×
              </button>
            )}
          </span>
        ))}
      </div>
      <div class="inline">
        <label for="event-free" class="visually-hidden">
          {t("editor.events.free")}
        </label>
        <input
          id="event-free"
          placeholder="order.created, invoice.*, *"
          value={free}
          onInput={(e) => setFree(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              addFree();
            }
          }}
        />
        {!readOnly && (
          <button type="button" class="secondary" onClick={addFree}>
            {t("editor.events.add")}
          </button>
        )}
      </div>
      <ErrorBanner error={catalogueError} />
      {catalogue && catalogue.length === 0 && (
        <p class="muted">{t("editor.events.emptyCatalogue")}</p>
      )}
      {[...groups.entries()].map(([group, types], groupIndex) => (
        <details class="group" open={groups.size <= 3}>
          <summary>
            {group} <span class="muted">({number(types.length)})</span>
          </summary>
          <ul class="picker">
            {types.map((type, typeIndex) => {
              // By position: names may differ only in `.` vs space, or be all non-Latin.
              const id = `evt-${groupIndex}-${typeIndex}`;
              return (
                <li>
                  <input
                    type="checkbox"
                    id={id}
                    checked={selected.includes(type.name)}
                    onChange={(e) => toggle(type.name, e.currentTarget.checked)}
                  />
                  <label for={id}>
                    <code>{type.name}</code>
                    {type.deprecated && <span class="badge muted">{t("editor.events.deprecated")}</span>}
                    {type.description && <span class="description">{type.description}</span>}
                  </label>
                </li>
              );
            })}
          </ul>
        </details>
      ))}
      {error && <small class="field-error" role="alert">{error}</small>}
    </fieldset>
  );
}

function SecretPanel({ id, readOnly }: { id: string; readOnly: boolean }) {
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <section class="panel" aria-labelledby="secret-title">
      <h2 id="secret-title">{t("editor.secret.title")}</h2>
      <p class="muted">{t("editor.secret.intro")}</p>
      {secret && (
        <p class="inline">
          <code class="secret" data-testid="secret">
            {secret}
          </code>
          <CopyButton text={secret} />
        </p>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorBanner error={error} />
      <div class="inline">
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            if (secret) return setSecret(null);
            try {
              setSecret((await api.secret(id)).secret);
            } catch (e) {
              setError(e);
            }
          }}
        >
          {secret ? t("editor.secret.hide") : t("editor.secret.reveal")}
        </button>
        {!readOnly && (
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              if (!confirm(t("editor.secret.rotateConfirm"))) return;
              try {
                const r = await api.rotateSecret(id);
                setSecret(r.secret);
                setNotice(t("editor.secret.rotated", { until: when(r.previous_secret_expires_at) }));
                setError(null);
              } catch (e) {
                setError(e);
              }
            }}
          >
            {t("editor.secret.rotate")}
          </button>
        )}
      </div>
    </section>
  );
}

function DeletePanel({ webhook }: { webhook: Webhook }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <section class="panel danger" aria-labelledby="delete-title">
      <h2 id="delete-title">{t("editor.delete.title")}</h2>
      <p class="muted">{t("editor.delete.intro")}</p>
      <button type="button" class="danger" onClick={() => dialog.current?.showModal()}>
        {t("editor.delete.title")}
      </button>
      <dialog ref={dialog} aria-labelledby="confirm-title">
        <form method="dialog">
          <h2 id="confirm-title">{t("editor.delete.confirmTitle", { name: webhook.name })}</h2>
          <p>{t("editor.delete.confirmText", { url: webhook.url })}</p>
          <ErrorBanner error={error} />
          <div class="inline">
            <button type="submit" class="secondary" value="cancel" autofocus>
              {t("editor.cancel")}
            </button>
            <button
              type="button"
              class="danger"
              onClick={async () => {
                try {
                  await api.deleteWebhook(webhook.id);
                  dialog.current?.close();
                  go("webhooks");
                } catch (e) {
                  setError(e);
                }
              }}
            >
              {t("editor.delete.confirm")}
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}

export function WebhookEditor({ webhook, onSaved }: { webhook?: Webhook; onSaved?: (w: Webhook) => void }) {
  const editing = !!webhook;
  const readOnly = useReadOnly();
  const [name, setName] = useState(webhook?.name ?? "");
  const [description, setDescription] = useState(webhook?.description ?? "");
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [events, setEvents] = useState<string[]>(webhook?.event_types ?? []);
  const [headers, setHeaders] = useState<HeaderRow[]>(
    Object.entries(webhook?.headers ?? {}).map(([n, v]) => ({ name: n, value: v })),
  );
  // Answers mask header values (receiver credentials); the form edits, and a test send
  // uses, the real ones. Until they arrive the masks stand in (saved, they keep a value).
  useEffect(() => {
    if (!webhook || Object.keys(webhook.headers).length === 0) return;
    let live = true;
    api
      .webhookHeaders(webhook.id)
      .then((r) => {
        if (live) setHeaders(Object.entries(r.headers).map(([n, v]) => ({ name: n, value: v })));
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [webhook?.id]);
  const [format, setFormat] = useState<PayloadFormat>(webhook?.payload_format ?? "envelope");
  const [profile, setProfile] = useState<SignatureProfile>(webhook?.signature_profile ?? "standard");
  // Chosen when creating; a saved webhook changes scheme by rotating its key.
  const [scheme, setScheme] = useState<SignatureScheme>(webhook?.signature_scheme ?? "hmac-sha256");
  const [schedule, setSchedule] = useState((webhook?.retry_schedule_secs ?? []).join(", "));
  // The limits' texts, and whether the browser holds a number it could not read (`1e`).
  const [maxConcurrency, setMaxConcurrency] = useState(webhook ? String(webhook.max_concurrency) : "");
  const [maxBad, setMaxBad] = useState(false);
  const [rateLimit, setRateLimit] = useState(webhook?.rate_limit ? String(webhook.rate_limit) : "");
  const [rateBad, setRateBad] = useState(false);
  const [ratePeriod, setRatePeriod] = useState<RatePeriod>(webhook?.rate_limit_period ?? "second");
  const [ordering, setOrdering] = useState<Ordering>(webhook?.ordering ?? "none");
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  // The header's Enable/Disable changes the webhook under the form: follow it, so a later
  // save does not undo it.
  useEffect(() => {
    if (webhook) setEnabled(webhook.enabled);
  }, [webhook?.enabled]);
  const [secret, setSecret] = useState("");
  const [testFirst, setTestFirst] = useState(!editing);
  // The CloudEvents validation handshake: asked when creating (a saved webhook keeps it).
  const [handshake, setHandshake] = useState(webhook?.handshake === "cloudevents");
  const [test, setTest] = useState<TestResult | null>(null);
  const [testing, setTesting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const fieldError = (f: string) => (error instanceof ApiError && error.field === f ? error.message : null);
  // An error about one field is shown at that field, which gets the focus. A layout
  // effect moves it in the same commit that shows the error, not after the next paint.
  const atField = error instanceof ApiError && error.field !== null && error.field in FIELD_IDS;
  useLayoutEffect(() => {
    if (error instanceof ApiError && error.field && FIELD_IDS[error.field])
      document.getElementById(FIELD_IDS[error.field])?.focus();
  }, [error]);
  const scheduleValue = parseSchedule(schedule);
  const maxValue = parseWhole(maxConcurrency, maxBad);
  const rateValue = parseWhole(rateLimit, rateBad);
  const invalid = typeof scheduleValue === "string" || typeof maxValue === "string" || typeof rateValue === "string";
  const rateError =
    typeof rateValue === "string" ? rateValue : (fieldError("rate_limit") ?? fieldError("rate_limit_period"));

  const headerMap = () => {
    const m: Record<string, string> = {};
    for (const h of headers) if (h.name.trim()) m[h.name.trim()] = h.value;
    return m;
  };
  const testEvent = events.find((e) => !isPattern(e));

  const runTest = async (): Promise<TestResult | null> => {
    setTesting(true);
    setTest(null);
    try {
      const r = await api.testUrl({
        url: url.trim(),
        secret: secret.trim() || undefined,
        headers: headerMap(),
        payload_format: format,
        signature_profile: profile,
        event_type: testEvent,
      });
      setTest(r);
      setError(null);
      return r;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setTesting(false);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (typeof scheduleValue === "string" || typeof maxValue === "string" || typeof rateValue === "string") return;
    setSaving(true);
    setSaved(null);
    try {
      // "Save only if the test passes". A new webhook is tested by the API itself
      // (`test_first`), signed with the secret it will have; a change is tested here first.
      if (testFirst && editing) {
        const r = await runTest();
        if (!r) return;
        if (!r.success) {
          setError(new ApiError(422, { code: "test_failed", message: t("editor.testFailedNotSaved"), field: "url" }));
          return;
        }
      }
      const input: WebhookInput = {
        name: name.trim(),
        description: description.trim() || null,
        url: url.trim(),
        event_types: events,
        enabled,
        payload_format: format,
        headers: headerMap(),
        signature_profile: profile,
        retry_schedule_secs: scheduleValue,
        ordering,
      };
      if (!editing && scheme !== "hmac-sha256") input.signature_scheme = scheme;
      if (editing) {
        // Sent only when changed here, so saving other settings never flips it back.
        if (enabled === webhook.enabled) delete input.enabled;
        // The API answers the effective concurrency, the default included: sent only when
        // changed, so an untouched form does not pin the default; emptied, it resets it.
        if (maxValue !== webhook.max_concurrency) input.max_concurrency = maxValue;
        input.rate_limit = rateValue;
        input.rate_limit_period = ratePeriod;
        const r = await api.updateWebhook(webhook.id, input);
        setWarnings(r.warnings);
        setSaved(t("editor.saved"));
        onSaved?.(r);
      } else {
        if (secret.trim()) input.secret = secret.trim();
        if (maxValue !== null) input.max_concurrency = maxValue;
        if (rateValue !== null) {
          input.rate_limit = rateValue;
          input.rate_limit_period = ratePeriod;
        }
        const r = await api.createWebhook({
          ...input,
          test_first: testFirst,
          ...(handshake ? { handshake: "cloudevents" as const } : {}),
        });
        // Shown on the webhook's page this goes to.
        flash.set(r.warnings);
        go(`webhooks/${r.id}`);
      }
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.body.code === "test_failed") setTest(err.body.detail as TestResult);
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section>
      {!editing && <h1>{t("editor.newTitle")}</h1>}
      <form class="webhook-form" onSubmit={save} noValidate>
        <Field label={t("editor.name")} id="wh-name" error={fieldError("name")}>
          <input
            id="wh-name"
            required
            maxLength={255}
            value={name}
            disabled={readOnly}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field label={t("editor.description")} id="wh-description" error={fieldError("description")}>
          <input
            id="wh-description"
            value={description}
            disabled={readOnly}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        <Field label={t("editor.url")} id="wh-url" hint={t("editor.url.hint")} error={fieldError("url")}>
          <input
            id="wh-url"
            disabled={readOnly}
            type="url"
            required
            inputMode="url"
            placeholder="https://example.com/webhooks"
            value={url}
            aria-describedby="wh-url-hint"
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </Field>
        <EventPicker selected={events} onChange={setEvents} error={fieldError("event_types")} readOnly={readOnly} />

        <fieldset>
          <legend>{t("editor.headers.legend")}</legend>
          {headers.map((h, i) => (
            <div class="inline header-row">
              <label for={`hdr-name-${i}`} class="visually-hidden">
                {t("editor.headers.name", { n: number(i + 1) })}
              </label>
              <input
                id={`hdr-name-${i}`}
                disabled={readOnly}
                placeholder="X-Api-Key"
                value={h.name}
                onInput={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))}
              />
              <label for={`hdr-value-${i}`} class="visually-hidden">
                {t("editor.headers.value", { n: number(i + 1) })}
              </label>
              <input
                id={`hdr-value-${i}`}
                disabled={readOnly}
                placeholder={t("editor.headers.valuePlaceholder")}
                value={h.value}
                onInput={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, value: e.currentTarget.value } : x)))}
              />
              {!readOnly && (
                <button
                  type="button"
                  class="secondary"
                  aria-label={t("editor.headers.removeLabel", { name: h.name || number(i + 1) })}
                  onClick={() => setHeaders(headers.filter((_, j) => j !== i))}
                >
                  {t("editor.headers.remove")}
                </button>
              )}
            </div>
          ))}
          {fieldError("headers") && <small class="field-error">{fieldError("headers")}</small>}
          {!readOnly && (
            <button type="button" class="secondary" onClick={() => setHeaders([...headers, { name: "", value: "" }])}>
              {t("editor.headers.add")}
            </button>
          )}
        </fieldset>

        <div class="columns">
          <Field label={t("editor.format")} id="wh-format" error={fieldError("payload_format")}>
            <select
              id="wh-format"
              value={format}
              disabled={readOnly}
              onChange={(e) => setFormat(e.currentTarget.value as PayloadFormat)}
            >
              <option value="envelope">envelope: {"{event, event_id, timestamp, data}"}</option>
              <option value="flat">{t("editor.format.flat")}</option>
              <option value="wrapped">wrapped: {"{event, timestamp, webhookId, data}"}</option>
              <option value="cloudevents">CloudEvents 1.0: {"{specversion, id, source, type, time, data}"}</option>
            </select>
          </Field>
          <Field label={t("editor.signature")} id="wh-profile" error={fieldError("signature_profile")}>
            <select
              id="wh-profile"
              value={profile}
              disabled={readOnly}
              onChange={(e) => setProfile(e.currentTarget.value as SignatureProfile)}
            >
              <option value="standard">Standard Webhooks (webhook-signature)</option>
              <option value="x-webhook" disabled={scheme === "ed25519"}>
                X-Webhook-Signature (hex HMAC)
              </option>
            </select>
          </Field>
          <Field label={t("editor.scheme")} id="wh-scheme" hint={t("editor.scheme.hint")} error={fieldError("signature_scheme")}>
            <select
              id="wh-scheme"
              value={scheme}
              disabled={readOnly || editing}
              aria-describedby="wh-scheme-hint"
              onChange={(e) => {
                const next = e.currentTarget.value as SignatureScheme;
                setScheme(next);
                if (next === "ed25519") setProfile("standard");
              }}
            >
              <option value="hmac-sha256">{t("editor.scheme.hmac")}</option>
              <option value="ed25519">{t("editor.scheme.ed25519")}</option>
            </select>
          </Field>
        </div>
        <Field
          label={t("editor.schedule")}
          id="wh-schedule"
          hint={t("editor.schedule.hint")}
          error={typeof scheduleValue === "string" ? scheduleValue : fieldError("retry_schedule_secs")}
        >
          <input
            id="wh-schedule"
            value={schedule}
            disabled={readOnly}
            aria-describedby="wh-schedule-hint"
            onInput={(e) => setSchedule(e.currentTarget.value)}
          />
        </Field>
        <fieldset>
          <legend>{t("editor.limits.legend")}</legend>
          <div class="columns">
            <Field
              label={t("editor.maxConcurrency")}
              id="wh-max-concurrency"
              hint={t("editor.maxConcurrency.hint")}
              error={typeof maxValue === "string" ? maxValue : fieldError("max_concurrency")}
            >
              <input
                id="wh-max-concurrency"
                type="number"
                inputMode="numeric"
                min={1}
                max={1000}
                step={1}
                placeholder={t("editor.maxConcurrency.placeholder")}
                value={maxConcurrency}
                disabled={readOnly}
                aria-describedby="wh-max-concurrency-hint"
                onInput={(e) => {
                  setMaxConcurrency(e.currentTarget.value);
                  setMaxBad(e.currentTarget.validity.badInput);
                }}
              />
            </Field>
            <div class={rateError ? "field invalid" : "field"}>
              <label for="wh-rate-limit">{t("editor.rate")}</label>
              <div class="inline rate">
                <input
                  id="wh-rate-limit"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={1000000}
                  step={1}
                  placeholder={t("editor.rate.placeholder")}
                  value={rateLimit}
                  disabled={readOnly}
                  aria-describedby="wh-rate-limit-hint"
                  onInput={(e) => {
                    setRateLimit(e.currentTarget.value);
                    setRateBad(e.currentTarget.validity.badInput);
                  }}
                />
                <label for="wh-rate-period">
                  <span class="visually-hidden">{`${t("editor.rate")} `}</span>
                  {t("editor.rate.per")}
                </label>
                <select
                  id="wh-rate-period"
                  value={ratePeriod}
                  disabled={readOnly}
                  aria-describedby="wh-rate-limit-hint"
                  onChange={(e) => setRatePeriod(e.currentTarget.value as RatePeriod)}
                >
                  <option value="second">{t("editor.rate.second")}</option>
                  <option value="minute">{t("editor.rate.minute")}</option>
                  <option value="hour">{t("editor.rate.hour")}</option>
                </select>
              </div>
              <small id="wh-rate-limit-hint" class="hint">
                {t("editor.rate.hint")}
              </small>
              {rateError && (
                <small id="wh-rate-limit-error" class="field-error" role="alert">
                  {rateError}
                </small>
              )}
            </div>
          </div>
          <Field
            label={t("editor.ordering")}
            id="wh-ordering"
            hint={t("editor.ordering.hint")}
            error={fieldError("ordering")}
          >
            <select
              id="wh-ordering"
              value={ordering}
              disabled={readOnly}
              aria-describedby="wh-ordering-hint"
              onChange={(e) => setOrdering(e.currentTarget.value as Ordering)}
            >
              <option value="none">{t("editor.ordering.none")}</option>
              <option value="fifo">{t("editor.ordering.fifo")}</option>
            </select>
          </Field>
        </fieldset>
        {!editing && !readOnly && (
          <Field
            label={t("editor.secret.label")}
            id="wh-secret"
            hint={t("editor.secret.hint")}
            error={fieldError("secret")}
          >
            <input
              id="wh-secret"
              type="password"
              autocomplete="off"
              value={secret}
              aria-describedby="wh-secret-hint"
              onInput={(e) => setSecret(e.currentTarget.value)}
            />
          </Field>
        )}
        <Check id="wh-enabled" label={t("editor.enabled")} checked={enabled} disabled={readOnly} onChange={setEnabled} />
        {!readOnly && (
          <Check id="wh-test-first" label={t("editor.testFirst")} checked={testFirst} onChange={setTestFirst} />
        )}
        {!readOnly && (
          <Check
            id="wh-handshake"
            label={t("editor.handshake")}
            hint={t("editor.handshake.hint")}
            checked={handshake}
            disabled={editing}
            onChange={setHandshake}
          />
        )}

        {test && <TestResultView result={test} />}
        {!atField && <ErrorBanner error={error} />}
        {saved && <Notice>{saved}</Notice>}
        {warnings.map((w) => (
          <Notice>{w}</Notice>
        ))}
        <div class="actions">
          {!readOnly && (
            <button type="button" class="secondary" disabled={testing || !url.trim()} onClick={() => void runTest()}>
              {testing ? t("editor.testing") : t("editor.test")}
            </button>
          )}
          {!readOnly && (
            <button type="submit" disabled={saving || invalid}>
              {saving ? t("editor.saving") : editing ? t("editor.saveChanges") : t("editor.create")}
            </button>
          )}
          {!editing && (
            <a class="button secondary" href="#/webhooks">
              {t("editor.cancel")}
            </a>
          )}
        </div>
      </form>
      {editing && <SecretPanel id={webhook.id} readOnly={readOnly} />}
      {editing && !readOnly && <DeletePanel webhook={webhook} />}
    </section>
  );
}

