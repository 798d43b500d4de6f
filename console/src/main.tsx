// The hookrelay console: a Settings -> Webhooks page over the public REST API, served by
// hookrelay-api at /console/. Routing is by URL hash, so the server serves one page and
// nothing secret ever reaches a server in a URL; the tenant key (or a portal link's token,
// taken from the URL fragment at load) lives in session storage.
//
// Signed in already, the page asks for the tenant, the portal session and its own data
// at once (one round trip, not three): the header fills in as the tenant arrives.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, session, takePortalToken, whenUnauthorized, type Branding, type PortalSession, type Tenant } from "./api";
import { locale, LOCALES, setLocale, t, type Locale } from "./i18n";
import { Access, ErrorBanner, Field, go, useRoute } from "./ui";
import { WebhookList } from "./pages/WebhookList";
import { WebhookEditor } from "./pages/WebhookEditor";
import { WebhookDetail } from "./pages/WebhookDetail";
import { EventTypes } from "./pages/EventTypes";
import { CallbackUrl } from "./pages/CallbackUrl";
import { Posts } from "./pages/Posts";
import "./styles.css";

/** Why the sign-in form shows: a key or a portal link that the API refused. */
type Refused = "key" | "link" | null;

function SignIn({ onSignedIn, expired }: { onSignedIn: (t: Tenant) => void; expired: Refused }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin" id="main">
      <h1>hookrelay</h1>
      <p>{t("signin.intro")}</p>
      {expired && <p class="notice" role="status">{t(expired === "link" ? "signin.linkExpired" : "signin.expired")}</p>}
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
                ? new ApiError(401, { code: "unauthorized", message: t("signin.refused") })
                : err,
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t("signin.key")} id="api-key" hint={t("signin.keyHint")}>
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
          {busy ? t("signin.busy") : t("signin.submit")}
        </button>
      </form>
    </main>
  );
}

const NAV = ["webhooks", "event-types", "callback-url", "posts"] as const;

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
          <h1>{t("notFound.title")}</h1>
          <p>
            <a href="#/webhooks">{t("notFound.back")}</a>
          </p>
        </section>
      );
  }
}

/** The tenant's branding on the page: its name in the title, its colour on buttons and links. */
function useBranding(branding: Branding | null | undefined) {
  useEffect(() => {
    document.title = branding?.name ? t("app.titleBranded", { name: branding.name }) : t("app.title");
    const root = document.documentElement.style;
    if (branding?.primary_color) root.setProperty("--accent", branding.primary_color);
    else root.removeProperty("--accent");
  }, [branding, locale()]);
}

/** The language picker: the reader's choice is remembered in this browser. */
function LanguagePicker({ onChange }: { onChange: (l: Locale) => void }) {
  return (
    <label class="language">
      <span class="visually-hidden">{t("language.label")}</span>
      <select
        value={locale()}
        aria-label={t("language.label")}
        onChange={(e) => {
          const l = e.currentTarget.value as Locale;
          setLocale(l, true);
          onChange(l);
        }}
      >
        {LOCALES.map((l) => (
          <option value={l}>{l === "en" ? "English" : "Русский"}</option>
        ))}
      </select>
    </label>
  );
}

function App() {
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [portal, setPortal] = useState<PortalSession | null>(null);
  const [signedIn, setSignedIn] = useState(!!session.key());
  const [expired, setExpired] = useState<Refused>(null);
  const [lang, setLang] = useState<Locale>(locale());
  const route = useRoute();
  useBranding(tenant?.branding);
  const portalToken = signedIn && !!session.key()?.startsWith("hrp_");

  useEffect(() => {
    whenUnauthorized(() => {
      setExpired(session.key()?.startsWith("hrp_") ? "link" : "key");
      session.clear();
      setTenant(null);
      setPortal(null);
      setSignedIn(false);
    });
  }, []);
  useEffect(() => {
    if (!signedIn) return;
    api.tenant().then(setTenant, () => {});
    if (session.key()?.startsWith("hrp_"))
      api.portalSession().then(
        (p) => {
          // The link's language wins over the browser's (not remembered: it is the product's).
          setLocale(p.locale);
          setLang(p.locale);
          setPortal(p);
        },
        () => setPortal(null),
      );
  }, [signedIn]);

  if (!signedIn)
    return (
      <>
        <SignIn
          expired={expired}
          onSignedIn={(tn) => {
            setExpired(null);
            setTenant(tn);
            setSignedIn(true);
            if (!location.hash) go("webhooks");
          }}
        />
        {/* After the form: Tab reaches the key field first. */}
        <div class="signin-language">
          <LanguagePicker onChange={setLang} />
        </div>
      </>
    );
  const section = route[0] ?? "webhooks";
  // A portal token is read-only until its session says otherwise: no write control shows
  // for a moment and then goes.
  const readOnly = portalToken && (portal === null || portal.read_only);
  return (
    <Access.Provider value={{ readOnly }}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        {t("nav.skip")}
      </a>
      <header class="top">
        <span class="brand">
          {tenant?.branding?.logo_url && <img class="logo" src={tenant.branding.logo_url} alt="" />}
          {tenant ? (tenant.branding?.name ?? "hookrelay") : ""}
        </span>
        <nav aria-label={t("nav.sections")}>
          {NAV.map((path) => (
            <a href={`#/${path}`} aria-current={section === path ? "page" : undefined}>
              {t(`nav.${path}`)}
            </a>
          ))}
        </nav>
        <span class="tenant">
          {portal?.return_url && (
            <a href={portal.return_url} class="back">
              {t("nav.back")}
            </a>
          )}
          {portal?.read_only && <span class="badge muted">{t("nav.readOnly")}</span>}
          {tenant?.branding?.support_url && (
            <a href={tenant.branding.support_url} class="back">
              {t("nav.help")}
            </a>
          )}
          {tenant?.name}
          <LanguagePicker onChange={setLang} />
          <button
            type="button"
            class="link"
            onClick={() => {
              session.clear();
              setTenant(null);
              setPortal(null);
              setSignedIn(false);
            }}
          >
            {t("nav.signOut")}
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1} key={lang}>
        <Page route={route} />
      </main>
    </Access.Provider>
  );
}

takePortalToken();
// index.html carries a "Loading…" line so the page has content before the script runs.
const root = document.getElementById("app")!;
root.textContent = "";
render(<App />, root);
