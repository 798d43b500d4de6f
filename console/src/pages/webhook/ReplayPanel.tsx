// Bulk replay: say how many deliveries it will send before it starts, show its progress,
// and let it be cancelled while it runs.
import { useEffect, useState } from "preact/hooks";
import { api, type Replay, type ReplayInput, type Webhook } from "../../api";
import { number, plural, t } from "../../i18n";
import { ErrorBanner, useReadOnly } from "../../ui";

function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function ReplayPanel({ webhook }: { webhook: Webhook }) {
  const readOnly = useReadOnly();
  const [since, setSince] = useState(localInput(new Date(Date.now() - 24 * 3600 * 1000)));
  const [status, setStatus] = useState<"failed" | "all">("failed");
  const [missed, setMissed] = useState(true);
  const [preview, setPreview] = useState<{ count: number; existing: number; missed: number } | null>(null);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [error, setError] = useState<unknown>(null);
  const input = (): ReplayInput => ({ since: new Date(since).toISOString(), status, include_missed: missed });

  // The count follows the form (a moment after the last change).
  useEffect(() => {
    if (readOnly || !since) return;
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const p = await api.replayPreview(webhook.id, input());
        if (live) {
          setPreview(p);
          setError(null);
        }
      } catch (e) {
        if (live) {
          setPreview(null);
          setError(e);
        }
      }
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [since, status, missed, webhook.id, readOnly]);

  useEffect(() => {
    if (!replay || replay.finished_at) return;
    const timer = setTimeout(async () => {
      try {
        setReplay(await api.replay(replay.id));
      } catch (e) {
        setError(e);
      }
    }, 1000);
    return () => clearTimeout(timer);
  }, [replay]);

  if (readOnly) return <p class="muted">{t("replay.readOnly")}</p>;
  const running = replay !== null && replay.state === "running";

  return (
    <div>
      <p>{t("replay.intro")}</p>
      <form
        class="replay-form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const started = await api.replayWebhook(webhook.id, input());
            setReplay(await api.replay(started.id));
            setError(null);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <div class="field">
          <label for="replay-since">{t("replay.since")}</label>
          <input id="replay-since" type="datetime-local" required value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="replay-status">{t("replay.deliveries")}</label>
          <select id="replay-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as "failed" | "all")}>
            <option value="failed">{t("replay.failedOnly")}</option>
            <option value="all">{t("replay.all")}</option>
          </select>
        </div>
        <div class="check">
          <input id="replay-missed" type="checkbox" checked={missed} onChange={(e) => setMissed(e.currentTarget.checked)} />
          <label for="replay-missed">{t("replay.includeMissed")}</label>
        </div>
        <button type="submit" disabled={running || preview?.count === 0}>
          {t("replay.start")}
        </button>
      </form>
      {preview && (
        <p class="muted" role="status" data-testid="replay-preview">
          {preview.count === 0
            ? t("replay.nothing")
            : plural(preview.count, {
                one: t("replay.willSendOne"),
                few: t("replay.willSendFew"),
                many: t("replay.willSendMany"),
                other: t("replay.willSendOther"),
              }) + t("replay.breakdown", { existing: number(preview.existing), missed: number(preview.missed) })}
        </p>
      )}
      <ErrorBanner error={error} />
      {replay && (
        <div class="panel" role="status" aria-live="polite">
          <p>
            {t("replay.progressState")} <strong data-testid="replay-state">{t(`replay.state.${replay.state}` as "replay.state.running")}</strong>:{" "}
            {t("replay.progress", {
              done: number(replay.replayed + replay.created),
              count: number(replay.count),
              replayed: number(replay.replayed),
              created: number(replay.created),
            })}
          </p>
          <progress max={Math.max(replay.count, 1)} value={replay.count === 0 ? 1 : replay.replayed + replay.created} />
          {replay.error && <p class="field-error">{replay.error}</p>}
          {running && (
            <button
              type="button"
              class="secondary"
              onClick={async () => {
                try {
                  setReplay(await api.cancelReplay(replay.id));
                } catch (e) {
                  setError(e);
                }
              }}
            >
              {t("replay.cancel")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
