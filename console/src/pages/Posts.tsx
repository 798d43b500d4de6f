// Scheduled posts, their status, and the callbacks workflows sent about each.
import { useState } from "preact/hooks";
import { api, type Callback } from "../api";
import { codeClass, ErrorBanner, Pager, useCursorPages, useLoad, when } from "../ui";

function Callbacks({ postId }: { postId: number }) {
  const { data, error } = useLoad(() => api.post(postId), [postId]);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p class="loading">Loading…</p>;
  if (data.callbacks.length === 0) return <p class="muted">No callbacks yet.</p>;
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
      <h1>Posts</h1>
      <div class="filters">
        <div class="field">
          <label for="post-status">Status</label>
          <select
            id="post-status"
            value={status}
            onChange={(e) => {
              pages.reset();
              setStatus(e.currentTarget.value);
            }}
          >
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="published">Published</option>
            <option value="failed">Failed</option>
            <option value="deleted">Deleted</option>
          </select>
        </div>
      </div>
      <ErrorBanner error={error} />
      {data && data.items.length === 0 && <p class="empty">No posts.</p>}
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
                  {p.status}
                </span>
                <strong>#{p.post_id}</strong>
                <span>{p.channel_identifier}</span>
                <span class="muted">scheduled {p.scheduled_at_utc}</span>
              </summary>
              <div class="log-detail">
                <p>{p.post_text_idea}</p>
                {p.details && <p class="muted">{p.details}</p>}
                <h3>Callbacks</h3>
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
