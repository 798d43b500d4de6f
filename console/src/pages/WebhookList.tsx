import { useState } from "preact/hooks";
import { api, type Webhook } from "../api";
import { clock, codeClass, ErrorBanner, percent, when } from "../ui";

/** Small markers for a webhook whose deliveries are held back: its circuit, a receiver's pause. */
function FlowFlags({ webhook }: { webhook: Webhook }) {
  const { circuit, waiting } = webhook;
  if (circuit.state === "closed" && !waiting.paused_until) return null;
  return (
    <span class="list-flags">
      {circuit.state === "open" && (
        <span class="badge bad" title={circuit.retry_at ? `Nothing is sent until ${clock(circuit.retry_at)}` : undefined}>
          circuit open
        </span>
      )}
      {circuit.state === "half_open" && <span class="badge warn">circuit half-open</span>}
      {waiting.paused_until && (
        <span class="badge warn" title={`The receiver asked for a pause until ${clock(waiting.paused_until)}`}>
          paused
        </span>
      )}
    </span>
  );
}

export function WebhookList() {
  const [items, setItems] = useState<Webhook[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [started, setStarted] = useState(false);

  const load = async (cursor: string | null) => {
    try {
      const page = await api.webhooks(cursor);
      setItems((old) => (cursor && old ? [...old, ...page.items] : page.items));
      setNext(page.next_cursor);
      setTotal(page.total ?? page.items.length);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  if (!started) {
    setStarted(true);
    void load(null);
  }

  return (
    <section>
      <div class="title-row">
        <h1>Webhooks</h1>
        <a class="button" href="#/webhooks/new">
          New webhook
        </a>
      </div>
      <ErrorBanner error={error} />
      {items === null ? (
        <p class="loading">Loading…</p>
      ) : items.length === 0 ? (
        <p class="empty">No webhooks yet. Create one to start receiving events.</p>
      ) : (
        <>
          <p class="muted">
            {total} webhook{total === 1 ? "" : "s"}
          </p>
          <div class="table-wrap">
            <table class="webhooks">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Success 24 h</th>
                  <th scope="col">Last execution</th>
                </tr>
              </thead>
              <tbody>
                {items.map((w) => (
                  <tr key={w.id}>
                    <th scope="row" data-label="Name">
                      <a href={`#/webhooks/${w.id}`}>{w.name}</a>
                    </th>
                    <td data-label="URL" class="url">
                      {w.url}
                    </td>
                    <td data-label="Events">
                      {w.event_types.slice(0, 4).map((t) => (
                        <span class="chip">{t}</span>
                      ))}
                      {w.event_types.length > 4 && <span class="muted"> +{w.event_types.length - 4}</span>}
                    </td>
                    <td data-label="Enabled">
                      {w.enabled ? (
                        <span class="badge ok">enabled</span>
                      ) : (
                        <span class="badge muted" title={w.disabled_reason ?? undefined}>
                          disabled{w.disabled_reason ? ` (${w.disabled_reason})` : ""}
                        </span>
                      )}{" "}
                      <FlowFlags webhook={w} />
                    </td>
                    <td data-label="Success 24 h">{percent(w.success_rate_24h)}</td>
                    <td data-label="Last execution">
                      {when(w.last_execution_at)}{" "}
                      {w.last_response_code !== null && (
                        <span class={codeClass(w.last_response_code)}>{w.last_response_code}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {next && (
            <button type="button" class="secondary" onClick={() => load(next)}>
              Load more
            </button>
          )}
        </>
      )}
    </section>
  );
}
