// What the first screen needs, asked for while the rest of the page's modules load.
// index.html runs this module first; it imports only api.js, so its calls start
// while the other ~30 modules are still being fetched and linked (./dev bench,
// "start-up"). The backend's events are subscribed before the history is read and
// held until the controller takes them, so no change in between is missed.

import * as api from './api.js';

/** The rows of the first screen: one small call; every row follows in a second. */
export const FIRST_SCREEN_ROWS = 200;

/** Every event the backend sends the page (see backend-events.js). */
export const BACKEND_EVENTS = ['tasks-changed', 'tasks-removed', 'task-finished', 'select-task', 'video-saving', 'poller-paused'];

/** @type {[string, any][]} */
const held = [];
/** @type {(name: string, payload: any) => void} */
let deliver = (name, payload) => held.push([name, payload]);

const subscribed = Promise.all(BACKEND_EVENTS.map((name) => api.onEvent(name, (payload) => deliver(name, payload))));

let newestAskedAt = NaN;

/** Settings, the newest rows and the poster list, each a promise already on its way. */
export const early = {
  settings: api.getSettings(),
  newest: subscribed.then(() => {
    newestAskedAt = performance.now();
    return api.listNewestTasks(FIRST_SCREEN_ROWS);
  }),
  posterIds: api.posterIds(),
  /** When the first rows were asked for (the start of the bench's "first screen"). */
  askedAt: () => newestAskedAt,
};
// Awaited later by the controller; until then a failure is not "unhandled".
[early.settings, early.newest, early.posterIds].forEach((p) => p.catch(() => {}));

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
