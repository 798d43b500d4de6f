// Русский каталог: те же ключи, что в `en.ts` (сборка не пройдёт без любого из них).
import type { Messages } from "./en";
import { plural } from "./index";

type P = Record<string, string | number>;

export const ru: Messages = {
  // -- shell, sign-in, formatting --
  "app.title": "Консоль hookrelay",
  "app.titleBranded": "{name} · Вебхуки",
  "common.loading": "Загрузка…",
  "common.never": "никогда",
  "language.label": "Язык",
  // -- webhooks list, webhook page, log, replay, catalogue, tests --
  // -- editor, callbacks, posts --
};
void plural;
void (null as unknown as P);
