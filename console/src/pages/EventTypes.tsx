// The event catalogue: what webhooks can subscribe to, grouped, with descriptions.
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { ErrorBanner, Field, groupEventTypes, Notice, useLoad, when } from "../ui";

const PRESETS = ["crm-scheduler", "mailing", "publishing", "social-suite", "crm"];

export function EventTypes() {
  const { data, error, reload } = useLoad(() => api.eventTypes(), []);
  const [name, setName] = useState("");
  const [group, setGroup] = useState("");
  const [description, setDescription] = useState("");
  const [preset, setPreset] = useState(PRESETS[0]);
  const [formError, setFormError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const groups = groupEventTypes(data ?? []);
  const fieldError = (f: string) => (formError instanceof ApiError && formError.field === f ? formError.message : null);

  return (
    <section>
      <h1>Event catalogue</h1>
      <p class="muted">
        The event types your product sends. Webhooks pick from this list; types sent without being registered show up
        under “Seen, not registered”.
      </p>
      <ErrorBanner error={error} />
      {notice && <Notice>{notice}</Notice>}
      <div class="columns">
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
              setNotice(`Added ${name.trim()}.`);
              setName("");
              setDescription("");
              setFormError(null);
              void reload();
            } catch (err) {
              setFormError(err);
            }
          }}
        >
          <h2 id="add-type">Add an event type</h2>
          <Field label="Name" id="et-name" error={fieldError("name")}>
            <input id="et-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Group (optional)" id="et-group" error={fieldError("group")}>
            <input id="et-group" value={group} onInput={(e) => setGroup(e.currentTarget.value)} />
          </Field>
          <Field label="Description (optional)" id="et-description" error={fieldError("description")}>
            <input id="et-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          {!(formError instanceof ApiError && formError.field) && <ErrorBanner error={formError} />}
          <button type="submit">Add</button>
        </form>
        <form
          class="panel"
          aria-labelledby="import-title"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const r = await api.importPreset(preset);
              setNotice(`Imported ${r.imported.length} event types from ${r.preset}.`);
              void reload();
            } catch (err) {
              setFormError(err);
            }
          }}
        >
          <h2 id="import-title">Import a product's catalogue</h2>
          <Field label="Preset" id="preset">
            <select id="preset" value={preset} onChange={(e) => setPreset(e.currentTarget.value)}>
              {PRESETS.map((p) => (
                <option value={p}>{p}</option>
              ))}
            </select>
          </Field>
          <button type="submit" class="secondary">
            Import
          </button>
        </form>
      </div>
      {data && data.length === 0 && <p class="empty">The catalogue is empty.</p>}
      {[...groups.entries()].map(([g, types]) => (
        <section class="group-block" aria-label={g}>
          <h2>{g}</h2>
          <ul class="catalogue">
            {types.map((t) => (
              <li>
                <code>{t.name}</code>
                {t.deprecated && <span class="badge muted">deprecated</span>}
                {!t.registered && <span class="badge muted">first seen {when(t.first_seen_at)}</span>}
                {t.description && <p class="description">{t.description}</p>}
                {t.registered && (
                  <button
                    type="button"
                    class="link"
                    aria-label={`Delete ${t.name}`}
                    onClick={async () => {
                      if (!confirm(`Remove ${t.name} from the catalogue?`)) return;
                      try {
                        await api.deleteEventType(t.name);
                        void reload();
                      } catch (err) {
                        setFormError(err);
                      }
                    }}
                  >
                    Delete
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
