// What the first screen needs, asked for while the rest of the page's modules load.
// index.html runs this module first; it imports only api.js, so its calls start
// while the other ~30 modules are still being fetched and linked (./dev bench,
// "start-up"). The newest rows are asked for alongside the event subscription,
// not after it: that wait held the first paint up by about 15 ms. A change in
// between could then be in neither, so the controller reads every row again once
// the subscription is in place (`readEveryRow`). Events are held until the
// controller takes them, after that read, so none is missed or applied early.
// On the first load, the settings and the newest rows came with the page itself
// (`takeHandedOver`); that data is older than the subscription too, and the same
// read brings it up to date.

import * as api from './api.js';

/** The rows of the first screen: one small call; every row follows in a second. */
export const FIRST_SCREEN_ROWS = 200;

/** Where the page notes that it has drawn from the data the window was built with. */
const HANDED_OVER_KEY = 'paddock.first-screen-taken';

/**
 * The settings and newest rows the window was built with (desktop/first_screen.rs),
 * on the page's first load only: they are fixed when the window is built, so a
 * reloaded page would get them stale and asks over IPC instead. Two marks say it is
 * not the first load, either enough: the navigation's type, and a note in the
 * session's storage. Null then, and when there is no data or no storage to note in.
 * @returns {{settings: any, newest: any} | null}
 */
function takeHandedOver() {
  const data = /** @type {any} */ (globalThis).__PADDOCK_FIRST_SCREEN__;
  // Not kept past this: the rows are read again in full once the page is up.
  delete (/** @type {any} */ (globalThis).__PADDOCK_FIRST_SCREEN__);
  if (!data || typeof data !== 'object') return null;
  const how = globalThis.performance?.getEntriesByType?.('navigation')?.[0]?.type;
  if (how === 'reload' || how === 'back_forward') return null;
  try {
    if (sessionStorage.getItem(HANDED_OVER_KEY)) return null;
    sessionStorage.setItem(HANDED_OVER_KEY, '1');
  } catch {
    return null;
  }
  return data;
}
const handedOver = takeHandedOver();

/** @type {[string, any][]} */
const held = [];
/** @type {(name: string, payload: any) => void} */
let deliver = (name, payload) => held.push([name, payload]);

/** Settings, the newest rows and the poster list, each a promise already on its way. */
export const early = {
  /** Settles once the backend's events are subscribed: rows read after that miss no change. */
  subscribed: api.onBackendEvents((name, payload) => deliver(name, payload)),
  settings: handedOver ? Promise.resolve(handedOver.settings) : api.getSettings(),
  /** When the first rows were asked for, or taken (the start of the bench's "first screen"). */
  newestAskedAt: performance.now(),
  newest: handedOver?.newest ? Promise.resolve(handedOver.newest) : api.listNewestTasks(FIRST_SCREEN_ROWS),
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
