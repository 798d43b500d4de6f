// "Send test event": the reader picks one of the webhook's event types and edits the
// example payload before it goes out, signed exactly as a delivery would be.
import { useEffect, useState } from "preact/hooks";
import { api, type EventType, type TestResult, type Webhook } from "../../api";
import { t } from "../../i18n";
import { ErrorBanner, Field, useLoad } from "../../ui";
import { TestResultView } from "../WebhookEditor";

/** Whether a subscription pattern (`*`, `prefix.*` or a name) covers `name`. */
export function matches(pattern: string, name: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** The types a test may be sent as: the webhook's own names, then the catalogue's it matches. */
function candidates(webhook: Webhook, catalogue: EventType[]): string[] {
  const names = webhook.event_types.filter((p) => !p.endsWith("*"));
  for (const et of catalogue) {
    if (!names.includes(et.name) && webhook.event_types.some((p) => matches(p, et.name))) names.push(et.name);
  }
  return names.length > 0 ? names : ["webhook.test"];
}

function exampleOf(name: string, catalogue: EventType[]): string {
  const example = catalogue.find((e) => e.name === name)?.example;
  return JSON.stringify(example ?? { test: true }, null, 2);
}

export function TestSend({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const { data: catalogue } = useLoad(() => api.eventTypes(), []);
  const types = candidates(webhook, catalogue ?? []);
  const [picked, setEventType] = useState<string | null>(null);
  // Until the reader picks one, the first type (which changes once the catalogue loads).
  const eventType = picked !== null && types.includes(picked) ? picked : types[0];
  const [payload, setPayload] = useState<string | null>(null);
  const [payloadError, setPayloadError] = useState<string | null>(null);
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Until the reader edits it, the payload follows the chosen type's example.
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited && catalogue) setPayload(exampleOf(eventType, catalogue));
  }, [eventType, catalogue, edited]);

  const send = async (e: Event) => {
    e.preventDefault();
    let data: unknown;
    try {
      data = JSON.parse(payload ?? "{}");
    } catch (err) {
      setPayloadError(t("test.invalidJson", { error: String((err as Error).message) }));
      return;
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      setPayloadError(t("test.notAnObject"));
      return;
    }
    setPayloadError(null);
    setBusy(true);
    try {
      setResult(await api.testWebhook(webhook.id, { event_type: eventType, payload: data }));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" aria-labelledby="test-title" onSubmit={send}>
      <h2 id="test-title">{t("test.title")}</h2>
      <p class="muted">{t("test.intro")}</p>
      <Field label={t("test.eventType")} id="test-event-type">
        <select id="test-event-type" value={eventType} onChange={(e) => setEventType(e.currentTarget.value)}>
          {types.map((name) => (
            <option value={name}>{name}</option>
          ))}
        </select>
      </Field>
      <Field label={t("test.payload")} id="test-payload" hint={t("test.payloadHint")} error={payloadError}>
        <textarea
          id="test-payload"
          rows={8}
          spellcheck={false}
          value={payload ?? ""}
          aria-describedby="test-payload-hint"
          onInput={(e) => {
            setEdited(true);
            setPayload(e.currentTarget.value);
          }}
        />
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy || payload === null}>
          {busy ? t("test.sending") : t("test.send")}
        </button>
        {edited && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setEdited(false);
              setPayloadError(null);
            }}
          >
            {t("test.reset")}
          </button>
        )}
        <button type="button" class="secondary" onClick={onClose}>
          {t("test.close")}
        </button>
      </div>
      <ErrorBanner error={error} />
      {result && <TestResultView result={result} />}
    </form>
  );
}
