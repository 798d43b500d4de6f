// The event catalogue: what webhooks can subscribe to, grouped and searchable, each type
// with its description, schema and example; a type seen in events but never registered
// is registered in one click.
import { useState } from "preact/hooks";
import { api, ApiError, type EventType } from "../api";
import { plural, t } from "../i18n";
import { ErrorBanner, Field, groupEventTypes, Notice, useLoad, useReadOnly, when } from "../ui";

/** Whether a type matches a search: its name, group or description contains every word. */
function found(et: EventType, search: string): boolean {
  const text = `${et.name} ${et.group ?? ""} ${et.description ?? ""}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

const PRESETS = ["crm-scheduler", "mailing", "publishing", "social-suite", "crm"];

export function EventTypes() {
  const readOnly = useReadOnly();
  const { data, error, reload } = useLoad(() => api.eventTypes(), []);
  const [search, setSearch] = useState("");
  const [name, setName] = useState("");
  const [group, setGroup] = useState("");
  const [description, setDescription] = useState("");
  const [preset, setPreset] = useState(PRESETS[0]);
  const [formError, setFormError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const shown = (data ?? []).filter((et) => found(et, search));
  const groups = groupEventTypes(shown);
  const fieldError = (f: string) => (formError instanceof ApiError && formError.field === f ? formError.message : null);

  return (
    <section>
      <h1>{t("catalogue.title")}</h1>
      <p class="muted">{t("catalogue.intro")}</p>
      <ErrorBanner error={error} />
      {notice && <Notice>{notice}</Notice>}
      {readOnly && formError !== null && <ErrorBanner error={formError} />}
      {!readOnly && <div class="columns">
        <form
          class="panel"
          aria-labelledby="add-type"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await api.createEventType({
                name: name.trim(),
                group: group.trim() || undefined,
                description: description.trim() || undefined,
              });
              setNotice(t("catalogue.added", { name: name.trim() }));
              setName("");
              setDescription("");
              setFormError(null);
              void reload();
            } catch (err) {
              setFormError(err);
            }
          }}
        >
          <h2 id="add-type">{t("catalogue.add")}</h2>
          <Field label={t("catalogue.name")} id="et-name" error={fieldError("name")}>
            <input id="et-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label={t("catalogue.group")} id="et-group" error={fieldError("group")}>
            <input id="et-group" value={group} onInput={(e) => setGroup(e.currentTarget.value)} />
          </Field>
          <Field label={t("catalogue.description")} id="et-description" error={fieldError("description")}>
            <input id="et-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          {!(formError instanceof ApiError && formError.field) && <ErrorBanner error={formError} />}
          <button type="submit">{t("catalogue.addButton")}</button>
        </form>
        <form
          class="panel"
          aria-labelledby="import-title"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const r = await api.importPreset(preset);
              setNotice(t("catalogue.imported", { n: r.imported.length, preset: r.preset }));
              void reload();
            } catch (err) {
              setFormError(err);
            }
          }}
        >
          <h2 id="import-title">{t("catalogue.importTitle")}</h2>
          <Field label={t("catalogue.preset")} id="preset">
            <select id="preset" value={preset} onChange={(e) => setPreset(e.currentTarget.value)}>
              {PRESETS.map((p) => (
                <option value={p}>{p}</option>
              ))}
            </select>
          </Field>
          <button type="submit" class="secondary">
            {t("catalogue.import")}
          </button>
        </form>
      </div>}
      {data && data.length > 0 && (
        <div class="filters" role="search">
          <div class="field wide">
            <label for="catalogue-search">{t("catalogue.search")}</label>
            <input
              id="catalogue-search"
              type="search"
              placeholder={t("catalogue.searchPlaceholder")}
              value={search}
              onInput={(e) => setSearch(e.currentTarget.value)}
            />
          </div>
          <p class="muted" aria-live="polite">
            {plural(shown.length, { one: t("catalogue.countOne"), few: t("catalogue.countFew"), many: t("catalogue.countMany"), other: t("catalogue.countOther") })}
          </p>
        </div>
      )}
      {data && data.length === 0 && <p class="empty">{t("catalogue.empty")}</p>}
      {data && data.length > 0 && shown.length === 0 && <p class="empty">{t("catalogue.noneMatch")}</p>}
      {[...groups.entries()].map(([g, types]) => (
        <section class="group-block" aria-label={g}>
          <h2>{g}</h2>
          <ul class="catalogue">
            {types.map((et) => (
              <li>
                <code>{et.name}</code>
                {et.deprecated && <span class="badge muted">{t("catalogue.deprecated")}</span>}
                {!et.registered && <span class="badge muted">{t("catalogue.firstSeen", { time: when(et.first_seen_at) })}</span>}
                {et.description && <p class="description">{et.description}</p>}
                {(et.schema !== null && et.schema !== undefined) || (et.example !== null && et.example !== undefined) ? (
                  <details class="type-detail">
                    <summary>{t("catalogue.details")}</summary>
                    {et.schema !== null && et.schema !== undefined && (
                      <>
                        <h3>{t("catalogue.schema")}</h3>
                        <pre>{JSON.stringify(et.schema, null, 2)}</pre>
                      </>
                    )}
                    {et.example !== null && et.example !== undefined && (
                      <>
                        <h3>{t("catalogue.example")}</h3>
                        <pre>{JSON.stringify(et.example, null, 2)}</pre>
                      </>
                    )}
                  </details>
                ) : null}
                {!readOnly && !et.registered && (
                  <button
                    type="button"
                    class="link"
                    aria-label={t("catalogue.registerLabel", { name: et.name })}
                    onClick={async () => {
                      try {
                        await api.createEventType({ name: et.name });
                        setNotice(t("catalogue.registered", { name: et.name }));
                        void reload();
                      } catch (err) {
                        setFormError(err);
                      }
                    }}
                  >
                    {t("catalogue.register")}
                  </button>
                )}
                {!readOnly && et.registered && (
                  <button
                    type="button"
                    class="link"
                    aria-label={t("catalogue.deleteLabel", { name: et.name })}
                    onClick={async () => {
                      if (!confirm(t("catalogue.deleteConfirm", { name: et.name }))) return;
                      try {
                        await api.deleteEventType(et.name);
                        void reload();
                      } catch (err) {
                        setFormError(err);
                      }
                    }}
                  >
                    {t("catalogue.delete")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
