// The tenant's webhooks: searched and filtered on the server, a page at a time, so the
// list stays quick with a thousand of them.
import { useEffect, useState } from "preact/hooks";
import { api, type Webhook, type WebhookFilter } from "../api";
import { plural, t } from "../i18n";
import { clock, codeClass, ErrorBanner, percent, useReadOnly, when } from "../ui";

/** Small markers for a webhook whose deliveries are held back: its circuit, a receiver's pause. */
function FlowFlags({ webhook }: { webhook: Webhook }) {
  const { circuit, waiting } = webhook;
  if (circuit.state === "closed" && !waiting.paused_until) return null;
  return (
    <span class="list-flags">
      {circuit.state === "open" && (
        <span class="badge bad" title={circuit.retry_at ? t("list.circuitOpenUntil", { time: clock(circuit.retry_at) }) : undefined}>
          {t("list.circuitOpen")}
        </span>
      )}
      {circuit.state === "half_open" && <span class="badge warn">{t("list.circuitHalfOpen")}</span>}
      {waiting.paused_until && (
        <span class="badge warn" title={t("list.pausedUntil", { time: clock(waiting.paused_until) })}>
          {t("list.paused")}
        </span>
      )}
    </span>
  );
}

type Shown = "all" | "enabled" | "disabled" | "failing";

function filterOf(search: string, shown: Shown): WebhookFilter {
  return {
    search: search.trim() || undefined,
    enabled: shown === "enabled" ? true : shown === "disabled" ? false : undefined,
    failing: shown === "failing" ? true : undefined,
  };
}

export function WebhookList() {
  const readOnly = useReadOnly();
  const [search, setSearch] = useState("");
  const [shown, setShown] = useState<Shown>("all");
  const [items, setItems] = useState<Webhook[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const filtered = search.trim() !== "" || shown !== "all";

  // Typing waits 250 ms before asking; an answer to an older query is dropped.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(
      async () => {
        try {
          const page = await api.webhooks(filterOf(search, shown));
          if (!live) return;
          setItems(page.items);
          setNext(page.next_cursor);
          setTotal(page.total ?? page.items.length);
          setError(null);
        } catch (e) {
          if (live) setError(e);
        }
      },
      items === null ? 0 : 250,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search, shown]);

  const more = async () => {
    if (!next) return;
    try {
      const page = await api.webhooks({ ...filterOf(search, shown), cursor: next });
      setItems((old) => [...(old ?? []), ...page.items]);
      setNext(page.next_cursor);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <div class="title-row">
        <h1>{t("list.title")}</h1>
        {!readOnly && (
          <a class="button" href="#/webhooks/new">
            {t("list.new")}
          </a>
        )}
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field wide">
          <label for="webhook-search">{t("list.search")}</label>
          <input
            id="webhook-search"
            type="search"
            placeholder={t("list.searchPlaceholder")}
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="webhook-shown">{t("list.show")}</label>
          <select id="webhook-shown" value={shown} onChange={(e) => setShown(e.currentTarget.value as Shown)}>
            <option value="all">{t("list.showAll")}</option>
            <option value="enabled">{t("list.showEnabled")}</option>
            <option value="disabled">{t("list.showDisabled")}</option>
            <option value="failing">{t("list.showFailing")}</option>
          </select>
        </div>
      </form>
      <ErrorBanner error={error} />
      {items === null ? (
        <p class="loading">{t("common.loading")}</p>
      ) : items.length === 0 ? (
        <p class="empty">{filtered ? t("list.noneMatch") : t("list.empty")}</p>
      ) : (
        <>
          <p class="muted" data-testid="webhook-count" aria-live="polite">
            {plural(total, { one: t("list.countOne"), few: t("list.countFew"), many: t("list.countMany"), other: t("list.countOther") })}
            {items.length < total && ` · ${t("list.showing", { n: items.length })}`}
          </p>
          <div class="table-wrap">
            <table class="webhooks">
              <thead>
                <tr>
                  <th scope="col">{t("list.colName")}</th>
                  <th scope="col">{t("list.colUrl")}</th>
                  <th scope="col">{t("list.colEvents")}</th>
                  <th scope="col">{t("list.colEnabled")}</th>
                  <th scope="col">{t("list.colSuccess")}</th>
                  <th scope="col">{t("list.colLast")}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((w) => (
                  <tr key={w.id}>
                    <th scope="row" data-label={t("list.colName")}>
                      <a href={`#/webhooks/${w.id}`}>{w.name}</a>
                    </th>
                    <td data-label={t("list.colUrl")} class="url">
                      {/* Long URLs are cut with an ellipsis; the whole one shows on hover. */}
                      <span class="truncate" title={w.url}>
                        {w.url}
                      </span>
                    </td>
                    <td data-label={t("list.colEvents")}>
                      {w.event_types.slice(0, 4).map((et) => (
                        <span class="chip">{et}</span>
                      ))}
                      {w.event_types.length > 4 && (
                        <span class="muted" title={w.event_types.slice(4).join(", ")}>
                          {" "}
                          +{w.event_types.length - 4}
                        </span>
                      )}
                    </td>
                    <td data-label={t("list.colEnabled")}>
                      {w.enabled ? (
                        <span class="badge ok">{t("webhook.enabled")}</span>
                      ) : (
                        <span class="badge muted" title={w.disabled_reason ?? undefined}>
                          {t("webhook.disabled")}
                          {w.disabled_reason ? ` (${w.disabled_reason})` : ""}
                        </span>
                      )}{" "}
                      <FlowFlags webhook={w} />
                    </td>
                    <td data-label={t("list.colSuccess")}>{percent(w.success_rate_24h)}</td>
                    <td data-label={t("list.colLast")}>
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
            <button type="button" class="secondary pager" onClick={more}>
              {t("list.more")}
            </button>
          )}
        </>
      )}
    </section>
  );
}
