// The console's English strings: the reference catalogue. `ru.ts` must have every key.
// A message is a string with `{name}` placeholders, or a function of its parameters
// (for plurals, via `plural`).
import { plural } from "./index";

type P = Record<string, string | number>;

export const en = {
  // -- shell, sign-in, formatting --
  "app.title": "hookrelay console",
  "app.titleBranded": "{name} · Webhooks",
  "common.loading": "Loading…",
  "common.never": "never",
  "language.label": "Language",
  // -- webhooks list, webhook page, log, replay, catalogue, tests --
  // -- editor, callbacks, posts --
} satisfies Record<string, string | ((p: P) => string)>;

export type Messages = { [K in keyof typeof en]: string | ((p: P) => string) };
void plural;
