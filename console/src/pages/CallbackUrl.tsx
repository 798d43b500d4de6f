// The tenant's callback URL: where workflows (n8n) report a post's outcome.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, type Callback } from "../api";
import { t } from "../i18n";
import { codeClass, CopyButton, ErrorBanner, Notice, Pager, useCursorPages, useLoad, useReadOnly, when } from "../ui";

/** A message with `{name}` slots filled by elements (code samples, say). */
function withParts(text: string, parts: Record<string, ComponentChildren>): ComponentChildren[] {
  return text.split(/\{(\w+)\}/).map((piece, i) => (i % 2 === 1 ? (parts[piece] ?? `{${piece}}`) : piece));
}

/** Every request that reached the URL, refused ones with what the workflow was told. */
function ReceivedCallbacks() {
  const [statusCode, setStatusCode] = useState("");
  const pages = useCursorPages();
  const { data, error } = useLoad(
    () => api.callbacks({ status_code: statusCode || undefined, cursor: pages.cursor }),
    [statusCode, pages.cursor],
  );
  return (
    <div class="panel">
      <h2>{t("callbacks.received.title")}</h2>
      <p class="muted">{t("callbacks.received.intro")}</p>
      <label for="cb-status">{t("callbacks.filter.label")}</label>
      <select
        id="cb-status"
        value={statusCode}
        onChange={(e) => {
          setStatusCode(e.currentTarget.value);
          pages.reset();
        }}
      >
        <option value="">{t("callbacks.filter.all")}</option>
        <option value="200">{t("callbacks.filter.200")}</option>
        <option value="400">{t("callbacks.filter.400")}</option>
        <option value="401">{t("callbacks.filter.401")}</option>
        <option value="404">{t("callbacks.filter.404")}</option>
        <option value="409">{t("callbacks.filter.409")}</option>
        <option value="415">{t("callbacks.filter.415")}</option>
        <option value="422">{t("callbacks.filter.422")}</option>
      </select>
      <ErrorBanner error={error} />
      {data && data.items.length === 0 && <p class="muted">{t("callbacks.none")}</p>}
      {data && data.items.length > 0 && (
        <ul class="callbacks" data-testid="received-callbacks">
          {data.items.map((c: Callback) => (
            <li>
              <span class={codeClass(c.status_code)}>{c.status_code}</span> {c.outcome}
              {c.post_id !== null && <> · {t("callbacks.post", { id: c.post_id })}</>} ·{" "}
              <span class="muted">{when(c.received_at)}</span>
              {c.error && <p class="field-error">{c.error}</p>}
              {c.body_excerpt && <pre class="excerpt">{c.body_excerpt}</pre>}
            </li>
          ))}
        </ul>
      )}
      <Pager pages={pages} next={data?.next_cursor} />
    </div>
  );
}

export function CallbackUrl() {
  const readOnly = useReadOnly();
  const { data, error, setData } = useLoad(() => api.callbackUrl(), []);
  const [notice, setNotice] = useState<string | null>(null);
  const [rotateError, setRotateError] = useState<unknown>(null);
  return (
    <section>
      <h1>{t("callbacks.title")}</h1>
      <p class="muted">
        {withParts(t("callbacks.intro"), { published: <code>published</code>, failed: <code>failed</code> })}
      </p>
      <ErrorBanner error={error ?? rotateError} />
      {data && (
        <div class="panel">
          <label for="callback-url">{t("callbacks.url.label")}</label>
          <div class="inline">
            <input id="callback-url" readOnly value={data.url} class="wide" onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={data.url} />
          </div>
          <p class="muted">
            {t("callbacks.signature", {
              state: data.signing_enabled ? t("callbacks.signature.on") : t("callbacks.signature.off"),
            })}
          </p>
          {notice && <Notice>{notice}</Notice>}
          {!readOnly && (
            <button
              type="button"
              class="secondary"
              onClick={async () => {
                if (!confirm(t("callbacks.rotate.confirm"))) return;
                try {
                  setData(await api.rotateCallbackUrl());
                  setNotice(t("callbacks.rotate.done"));
                  setRotateError(null);
                } catch (e) {
                  setRotateError(e);
                }
              }}
            >
              {t("callbacks.rotate.button")}
            </button>
          )}
        </div>
      )}
      <ReceivedCallbacks />
    </section>
  );
}
