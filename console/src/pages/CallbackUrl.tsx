// The tenant's callback URL: where workflows (n8n) report a post's outcome.
import { useState } from "preact/hooks";
import { api } from "../api";
import { CopyButton, ErrorBanner, Notice, useLoad } from "../ui";

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
    </section>
  );
}
