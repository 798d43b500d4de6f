// Scheduled posts, their status, and the callbacks workflows sent about each.
import { useState } from "preact/hooks";
import { api, type Callback } from "../api";
import { dateTime, t, type MessageKey } from "../i18n";
import { codeClass, ErrorBanner, Pager, useCursorPages, useLoad, when } from "../ui";

/** A post's status as shown on its badge; one the console does not know, as the API names it. */
const STATUS_BADGES: Record<string, MessageKey> = {
  pending: "posts.badge.pending",
  published: "posts.badge.published",
  failed: "posts.badge.failed",
  deleted: "posts.badge.deleted",
};

/** `scheduled_at_utc` comes as `2025-10-28 14:30:00` (UTC): shown in the locale, still in UTC. */
function scheduledAt(utc: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(utc.trim());
  const d = m ? new Date(`${m[1]}T${m[2]}Z`) : null;
  if (!d || Number.isNaN(d.getTime())) return utc;
  return dateTime(d, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }) + " UTC";
}

function Callbacks({ postId }: { postId: number }) {
  const { data, error } = useLoad(() => api.post(postId), [postId]);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p class="loading">{t("common.loading")}</p>;
  if (data.callbacks.length === 0) return <p class="muted">{t("posts.callbacks.none")}</p>;
  return (
    <ul class="callbacks">
      {data.callbacks.map((c: Callback) => (
        <li>
          <span class={codeClass(c.http_status)}>{c.http_status}</span> {c.status ?? "—"} · {c.outcome} ·{" "}
          <span class="muted">{when(c.received_at)}</span>
          {c.details && <p class="description">{c.details}</p>}
          {c.error && <p class="field-error">{c.error}</p>}
        </li>
      ))}
    </ul>
  );
}

export function Posts() {
  // Callbacks are fetched for the posts opened, not for every post of the page.
  const [opened, setOpened] = useState<Set<number>>(new Set());
  const [status, setStatus] = useState("");
  const pages = useCursorPages();
  const { data, error } = useLoad(() => api.posts({ status, cursor: pages.cursor }), [status, pages.cursor]);
  return (
    <section>
      <h1>{t("posts.title")}</h1>
      <div class="filters">
        <div class="field">
          <label for="post-status">{t("posts.filter.status")}</label>
          <select
            id="post-status"
            value={status}
            onChange={(e) => {
              pages.reset();
              setStatus(e.currentTarget.value);
            }}
          >
            <option value="">{t("posts.filter.all")}</option>
            <option value="pending">{t("posts.filter.pending")}</option>
            <option value="published">{t("posts.filter.published")}</option>
            <option value="failed">{t("posts.filter.failed")}</option>
            <option value="deleted">{t("posts.filter.deleted")}</option>
          </select>
        </div>
      </div>
      <ErrorBanner error={error} />
      {data && data.items.length === 0 && <p class="empty">{t("posts.empty")}</p>}
      <ul class="log">
        {data?.items.map((p) => (
          <li key={p.post_id} class="log-entry">
            <details
              onToggle={(e) => {
                if (e.currentTarget.open) setOpened(new Set(opened).add(p.post_id));
              }}
            >
              <summary>
                <span class={p.status === "published" ? "badge ok" : p.status === "failed" ? "badge bad" : "badge muted"}>
                  {Object.hasOwn(STATUS_BADGES, p.status) ? t(STATUS_BADGES[p.status]) : p.status}
                </span>
                <strong>#{p.post_id}</strong>
                <span>{p.channel_identifier}</span>
                <span class="muted">{t("posts.scheduled", { time: scheduledAt(p.scheduled_at_utc) })}</span>
              </summary>
              <div class="log-detail">
                <p>{p.post_text_idea}</p>
                {p.details && <p class="muted">{p.details}</p>}
                <h3>{t("posts.callbacks.title")}</h3>
                {opened.has(p.post_id) && <Callbacks postId={p.post_id} />}
              </div>
            </details>
          </li>
        ))}
      </ul>
      <Pager pages={pages} next={data?.next_cursor} />
    </section>
  );
}
