// Small shared pieces: formatting, the error banner, the async-state hook, the router.
import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useState } from "preact/hooks";
import { ApiError, type EventType } from "./api";
import { dateTime, number, t } from "./i18n";

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  return number(rate, { style: "percent", maximumFractionDigits: rate === 1 || rate === 0 ? 0 : 1 });
}

/** A duration given in seconds, in ms below one second. */
export function ms(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  return seconds < 1
    ? number(Math.round(seconds * 1000), { style: "unit", unit: "millisecond" })
    : number(seconds, { style: "unit", unit: "second", maximumFractionDigits: 2 });
}

export function when(iso: string | null | undefined): string {
  if (!iso) return t("common.never");
  return dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" });
}

/** A moment soon or just past: the time alone when it is today, else the date too. */
export function clock(iso: string): string {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? dateTime(d, { timeStyle: "medium" }) : when(iso);
}

export function codeClass(code: number | null | undefined, success?: boolean): string {
  if (success === true || (code !== null && code !== undefined && code >= 200 && code < 300)) return "badge ok";
  if (code === null || code === undefined) return "badge muted";
  return "badge bad";
}

export function errorText(e: unknown): string {
  // A `limit_reached` error names the exhausted limit (e.g. "webhooks"), not a form field.
  if (e instanceof ApiError) return e.field && e.body.code !== "limit_reached" ? `${e.message} (${e.field})` : e.message;
  return String(e);
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

/**
 * Messages for the next page, handed over a navigation: what creating a webhook answered
 * (its warnings) must still show on the webhook's page it goes to.
 */
let flashed: string[] = [];
export const flash = {
  set(messages: string[]) {
    flashed = messages;
  },
  take(): string[] {
    const messages = flashed;
    flashed = [];
    return messages;
  },
};

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

/** Loads `load()` on mount and whenever `deps` change; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await load());
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload, setData };
}

/** The hash route: `#/webhooks/abc/log` -> ["webhooks", "abc", "log"]. */
export function useRoute(): string[] {
  const parse = () =>
    location.hash
      .replace(/^#\/?/, "")
      .split("?")[0]
      .split("/")
      .filter(Boolean)
      .map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function go(path: string) {
  location.hash = `#/${path}`;
}

export function Field({
  label,
  id,
  hint,
  error,
  children,
}: {
  label: string;
  id: string;
  hint?: string;
  error?: string | null;
  children: ComponentChildren;
}) {
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** Copies `text`; falls back to selecting it where the clipboard API is refused. */
export function CopyButton({ text, label = t("ui.copy") }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        } catch {
          prompt(t("ui.copyPrompt"), text);
        }
      }}
    >
      {done ? t("ui.copied") : label}
    </button>
  );
}

/** Catalogue entries by group; ungrouped ones under "Other", unregistered under "Seen, not registered". */
export function groupEventTypes(types: EventType[]): Map<string, EventType[]> {
  const groups = new Map<string, EventType[]>();
  for (const type of types) {
    const g = type.group ?? (type.registered ? t("ui.group.other") : t("ui.group.unregistered"));
    groups.set(g, [...(groups.get(g) ?? []), type]);
  }
  return groups;
}

/** Keyset paging: the cursors of the pages before this one, so "Newer" can go back. */
export function useCursorPages(): { cursor: string | null; first: boolean; older: (c: string) => void; newer: () => void; reset: () => void } {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1],
    first: cursors.length <= 1,
    older: (c) => setCursors([...cursors, c]),
    newer: () => setCursors(cursors.slice(0, -1)),
    reset: () => setCursors([null]),
  };
}

/** The Newer / Older buttons under a paged list. */
export function Pager({ pages, next }: { pages: ReturnType<typeof useCursorPages>; next: string | null | undefined }) {
  return (
    <div class="inline pager">
      <button type="button" class="secondary" disabled={pages.first} onClick={pages.newer}>
        {t("ui.newer")}
      </button>
      <button type="button" class="secondary" disabled={!next} onClick={() => next && pages.older(next)}>
        {t("ui.older")}
      </button>
    </div>
  );
}

/**
 * Whether this tab may change anything: a read-only portal session may not, so the pages
 * leave out their write controls (the API would answer 403 to them anyway).
 */
export const Access = createContext<{ readOnly: boolean }>({ readOnly: false });

export function useReadOnly(): boolean {
  return useContext(Access).readOnly;
}
