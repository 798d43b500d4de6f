// The tenant's callback URL: where workflows (n8n) report a post's outcome.
import { useState } from "preact/hooks";
import { api, type Callback } from "../api";
import { codeClass, CopyButton, ErrorBanner, Notice, Pager, useCursorPages, useLoad, when } from "../ui";

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
      <h2>Received callbacks</h2>
      <p class="muted">Newest first. A post stuck in pending? Its workflow's request, and why it was refused, is here.</p>
      <label for="cb-status">Answer</label>
      <select
        id="cb-status"
        value={statusCode}
        onChange={(e) => {
          setStatusCode(e.currentTarget.value);
          pages.reset();
        }}
      >
        <option value="">All</option>
        <option value="200">200 accepted</option>
        <option value="400">400 malformed JSON</option>
        <option value="401">401 bad signature</option>
        <option value="404">404 unknown post</option>
        <option value="409">409 conflict</option>
        <option value="415">415 not JSON</option>
        <option value="422">422 invalid fields</option>
      </select>
      <ErrorBanner error={error} />
      {data && data.items.length === 0 && <p class="muted">No callbacks yet.</p>}
      {data && data.items.length > 0 && (
        <ul class="callbacks" data-testid="received-callbacks">
          {data.items.map((c: Callback) => (
            <li>
              <span class={codeClass(c.status_code)}>{c.status_code}</span> {c.outcome}
              {c.post_id !== null && <> · post {c.post_id}</>} · <span class="muted">{when(c.received_at)}</span>
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
  const { data, error, setData } = useLoad(() => api.callbackUrl(), []);
  const [notice, setNotice] = useState<string | null>(null);
  const [rotateError, setRotateError] = useState<unknown>(null);
  return (
    <section>
      <h1>Callback URL</h1>
      <p class="muted">
        Workflows report a post's outcome (<code>published</code> or <code>failed</code>) by POSTing to this URL. The
        token in it identifies your tenant: treat it as a secret, and rotate it if it leaks.
      </p>
      <ErrorBanner error={error ?? rotateError} />
      {data && (
        <div class="panel">
          <label for="callback-url">Your callback URL</label>
          <div class="inline">
            <input id="callback-url" readOnly value={data.url} class="wide" onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={data.url} />
          </div>
          <p class="muted">
            Signature check: {data.signing_enabled ? "on (callbacks must be signed)" : "off"}
          </p>
          {notice && <Notice>{notice}</Notice>}
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              if (!confirm("Rotate the callback URL? The current URL stops working at once.")) return;
              try {
                setData(await api.rotateCallbackUrl());
                setNotice("Rotated: update your workflows with the new URL.");
                setRotateError(null);
              } catch (e) {
                setRotateError(e);
              }
            }}
          >
            Rotate URL
          </button>
        </div>
      )}
      <ReceivedCallbacks />
    </section>
  );
}
