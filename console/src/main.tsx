// The hookrelay console: a Settings -> Webhooks page over the public REST API, served by
// hookrelay-api at /console/. Routing is by URL hash, so the server serves one page and
// nothing secret ever reaches a server in a URL; the tenant key (or a portal link's token,
// taken from the URL fragment at load) lives in session storage.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, session, takePortalToken, whenUnauthorized, type Branding, type PortalSession, type Tenant } from "./api";
import { ErrorBanner, Field, go, useRoute } from "./ui";
import { WebhookList } from "./pages/WebhookList";
import { WebhookEditor } from "./pages/WebhookEditor";
import { WebhookDetail } from "./pages/WebhookDetail";
import { EventTypes } from "./pages/EventTypes";
import { CallbackUrl } from "./pages/CallbackUrl";
import { Posts } from "./pages/Posts";
import "./styles.css";

function SignIn({ onSignedIn, expired }: { onSignedIn: (t: Tenant) => void; expired: boolean }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin" id="main">
      <h1>hookrelay</h1>
      <p>Sign in with one of your tenant's API keys. It is kept in this tab only and forgotten when the tab closes.</p>
      {expired && <p class="notice">Your key was refused; sign in again.</p>}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            const tenant = await api.tenant(key.trim());
            session.save(key.trim());
            onSignedIn(tenant);
          } catch (err) {
            setError(
              err instanceof ApiError && err.status === 401
                ? new ApiError(401, { code: "unauthorized", message: "This key was not accepted: it is mistyped or revoked." })
                : err,
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="API key" id="api-key" hint="Starts with hr_. Create one with POST /v1/api-keys.">
          <input
            id="api-key"
            type="password"
            autocomplete="off"
            required
            value={key}
            aria-describedby="api-key-hint"
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </Field>
        <ErrorBanner error={error} />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

const NAV: [string, string][] = [
  ["webhooks", "Webhooks"],
  ["event-types", "Event catalogue"],
  ["callback-url", "Callback URL"],
  ["posts", "Posts"],
];

function Page({ route }: { route: string[] }) {
  const [section, id, tab] = route;
  switch (section) {
    case undefined:
    case "webhooks":
      if (!id) return <WebhookList />;
      if (id === "new") return <WebhookEditor />;
      return <WebhookDetail id={id} tab={tab ?? "overview"} />;
    case "event-types":
      return <EventTypes />;
    case "callback-url":
      return <CallbackUrl />;
    case "posts":
      return <Posts />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            <a href="#/webhooks">Back to the webhooks</a>
          </p>
        </section>
      );
  }
}

/** The tenant's branding on the page: its name in the title, its colour on buttons and links. */
function useBranding(branding: Branding | null | undefined) {
  useEffect(() => {
    document.title = branding?.name ? `${branding.name} · Webhooks` : "hookrelay console";
    const root = document.documentElement.style;
    if (branding?.primary_color) root.setProperty("--accent", branding.primary_color);
    else root.removeProperty("--accent");
  }, [branding]);
}

function App() {
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [portal, setPortal] = useState<PortalSession | null>(null);
  const [checking, setChecking] = useState(!!session.key());
  const [expired, setExpired] = useState(false);
  const route = useRoute();
  useBranding(tenant?.branding);

  useEffect(() => {
    whenUnauthorized(() => {
      session.clear();
      setTenant(null);
      setExpired(true);
    });
    if (session.key()) {
      api
        .tenant()
        .then(setTenant)
        .catch(() => session.clear())
        .finally(() => setChecking(false));
      if (session.key()?.startsWith("hrp_")) api.portalSession().then(setPortal).catch(() => setPortal(null));
    }
  }, []);

  if (checking) return <p class="loading">Loading…</p>;
  if (!tenant)
    return (
      <SignIn
        expired={expired}
        onSignedIn={(t) => {
          setExpired(false);
          setTenant(t);
          if (!location.hash) go("webhooks");
        }}
      />
    );
  const section = route[0] ?? "webhooks";
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">
          {tenant.branding?.logo_url && <img class="logo" src={tenant.branding.logo_url} alt="" />}
          {tenant.branding?.name ?? "hookrelay"}
        </span>
        <nav aria-label="Sections">
          {NAV.map(([path, label]) => (
            <a href={`#/${path}`} aria-current={section === path ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="tenant">
          {portal?.return_url && (
            <a href={portal.return_url} class="back">
              Back
            </a>
          )}
          {portal?.read_only && <span class="badge muted">Read-only</span>}
          {tenant.branding?.support_url && (
            <a href={tenant.branding.support_url} class="back">
              Help
            </a>
          )}
          {tenant.name}
          <button
            type="button"
            class="link"
            onClick={() => {
              session.clear();
              setTenant(null);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

takePortalToken();
render(<App />, document.getElementById("app")!);
