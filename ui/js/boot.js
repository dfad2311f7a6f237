// What the first screen needs, asked for while the rest of the page's modules load.
// index.html runs this module first; it imports only api.js, so its calls start
// while the other ~30 modules are still being fetched and linked (./dev bench,
// "start-up"). The newest rows are asked for alongside the event subscription,
// not after it: that wait held the first paint up by about 15 ms. A change in
// between could then be in neither, so the controller reads every row again once
// the subscription is in place (`readEveryRow`). Events are held until the
// controller takes them, after that read, so none is missed or applied early.

import * as api from './api.js';

/** The rows of the first screen: one small call; every row follows in a second. */
export const FIRST_SCREEN_ROWS = 200;

/** @type {[string, any][]} */
const held = [];
/** @type {(name: string, payload: any) => void} */
let deliver = (name, payload) => held.push([name, payload]);

/** Settings, the newest rows and the poster list, each a promise already on its way. */
export const early = {
  /** Settles once the backend's events are subscribed: rows read after that miss no change. */
  subscribed: api.onBackendEvents((name, payload) => deliver(name, payload)),
  settings: api.getSettings(),
  /** When the first rows were asked for (the start of the bench's "first screen"). */
  newestAskedAt: performance.now(),
  newest: api.listNewestTasks(FIRST_SCREEN_ROWS),
  posterIds: api.posterIds(),
};
// Awaited later by the controller; until then a failure is not "unhandled".
[early.subscribed, early.settings, early.newest, early.posterIds].forEach((p) => p.catch(() => {}));

/** Where the page notes the language it last showed (shell-view.js applyLook). */
export const LAST_LANGUAGE_KEY = 'paddock.language';

// A window in Chinese fetches its string table alongside the other modules, not after
// them; i18n.js then finds it loaded. Only English is in index.html's list. The
// settings decide, but a window that was in Chinese last time need not wait for them.
const lastLanguage = (() => {
  try {
    return globalThis.localStorage?.getItem(LAST_LANGUAGE_KEY);
  } catch {
    return null;
  }
})();
const fetchChinese = () => import('./strings/zh.js');
(lastLanguage === 'zh' ? fetchChinese() : early.settings.then(async (settings) => {
  const { languageOf } = await import('./i18n.js');
  if (languageOf(settings?.language) === 'zh') await fetchChinese();
})).catch(() => {});

/**
 * Every row, asked for once the backend's events are subscribed: only a read after
 * that is sure to hold a change made while the first screen's rows were on their way.
 * @returns {Promise<import('./status.js').Row[]>}
 */
export async function readEveryRow() {
  await early.subscribed;
  return api.listTasks();
}

/**
 * From now on every backend event goes to `handle`, those that came before first,
 * in the order they came. One that throws loses only itself, as a live one would.
 * @param {(name: string, payload: any) => void} handle
 */
export function takeEvents(handle) {
  deliver = handle;
  for (const [name, payload] of held.splice(0)) {
    try {
      handle(name, payload);
    } catch (error) {
      console.error(error);
    }
  }
}
