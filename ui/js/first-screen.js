// The first screen: the settings applied and the newest rows drawn by the few
// modules that takes, before the rest of the page's code has loaded. main.js loads
// the controller once this has painted, and the controller takes the page over as
// it is. Fetching and running all ~35 modules first cost the paint about 20 ms
// (./dev bench, "start-up").

import { early } from './boot.js';
import * as api from './api.js';
import * as store_ from './store.js';
import { filterRows, sortRows } from './filter.js';
import { fillChoices, readDetails, readOrder } from './filters-view.js';
import { renderList, showCount } from './list-view.js';
import { applyLook, showBanner, showPage, readFilter, rememberedView } from './shell-view.js';
import { errorText } from './status.js';
import { measureToPaint } from './perf.js';

/**
 * Puts the store's rows, through the toolbar's filters and order, into
 * `store.shown` and shows how many there are. Drawing them is the view's.
 * @param {import('./store.js').Store} store
 */
export function chooseRows(store) {
  const all = store_.sortedRows(store);
  fillChoices(all);
  store.shown = sortRows(filterRows(all, { ...readFilter(), ...readDetails() }), readOrder());
  // While only the newest rows are here (start-up), the count is of all of them,
  // unless a filter narrows what is here already.
  const total = store.expected ?? store.rows.size;
  showCount(store.expected && store.shown.length === store.rows.size ? total : store.shown.length, total);
}

/**
 * Tells the backend once the rows asked for at `requested` are on screen. It logs
 * that (how `./dev bench` times start-up), then does what waited for the paint.
 * @param {number} requested a performance.now() value @param {number} total
 * @returns {Promise<void>} settled when the backend has done that
 */
export function reportFirstPaint(requested, total) {
  return new Promise((done) => measureToPaint('list-first-render', requested, () => {
    api.frontendReady(performance.now(), total).catch(() => {}).then(done);
  }));
}

/**
 * @typedef {{requested: number, total: number, reported: Promise<void> | null}} FirstScreen
 * `reported` is null when nothing was drawn yet: the gallery waits for its posters,
 * which the controller loads.
 */

/**
 * Applies the settings and puts the newest rows in the store; in the list view it
 * also draws them and shows the page. Rejects when the rows did not come (the
 * controller says why).
 * @param {import('./store.js').Store} store
 * @returns {Promise<FirstScreen>}
 */
export async function showFirstScreen(store) {
  store.settings = await early.settings.catch((error) => {
    showBanner(errorText(error));
    return null;
  });
  await applyLook(store.settings);
  performance.mark('settings-applied');
  const newest = await early.newest;
  const requested = early.newestAskedAt;
  performance.mark('tasks-received');
  store.expected = newest.total > newest.rows.length ? newest.total : null;
  store_.putLoaded(store, newest.rows, store.expected === null);
  if (rememberedView() !== 'list') return { requested, total: newest.total, reported: null };
  chooseRows(store);
  renderList(store.shown, store.selected);
  showPage();
  return { requested, total: newest.total, reported: reportFirstPaint(requested, newest.total) };
}
