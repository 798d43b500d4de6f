// Languages: every string the console shows comes from one catalogue per language
// (`en.ts`, `ru.ts`; the Russian one must have every English key, or the build fails),
// and dates and numbers are formatted in the chosen locale. The locale is the portal
// session's, else the one picked in the header, else the browser's, else English.
import { en, type Messages } from "./en";
import { ru } from "./ru";

export type Locale = "en" | "ru";
export const LOCALES: Locale[] = ["en", "ru"];
const CATALOGUES: Record<Locale, Messages> = { en, ru };
const CHOICE_STORAGE = "hookrelay.console.locale";

/** The browser's first language we speak, else English. */
function fromBrowser(): Locale {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = tag.toLowerCase().split("-")[0];
    if (lang === "ru" || lang === "en") return lang;
  }
  return "en";
}

function stored(): Locale | null {
  const v = localStorage.getItem(CHOICE_STORAGE);
  return v === "en" || v === "ru" ? v : null;
}

let current: Locale = stored() ?? fromBrowser();

export function locale(): Locale {
  return current;
}

/** Switches the language; `remember` keeps the reader's own choice for next time. */
export function setLocale(l: Locale, remember = false) {
  current = l;
  document.documentElement.lang = l;
  if (remember) localStorage.setItem(CHOICE_STORAGE, l);
}
document.documentElement.lang = current;

type Params = Record<string, string | number>;
export type MessageKey = keyof Messages;

/** The message `key` in the current language, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  const m = CATALOGUES[current][key] ?? en[key];
  const text = typeof m === "function" ? (m as (p: Params) => string)(params ?? {}) : m;
  return params ? text.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`)) : text;
}

/** Plural forms as the locale's rules pick them (`one`, `few`, `many`, `other`). */
export function plural(n: number, forms: { one: string; few?: string; many?: string; other: string }): string {
  const rule = new Intl.PluralRules(current).select(n) as keyof typeof forms;
  return (forms[rule] ?? forms.other).replace("{n}", number(n));
}

export function number(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(current, options).format(n);
}

export function dateTime(d: Date, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(current, options).format(d);
}
