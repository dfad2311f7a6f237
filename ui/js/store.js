// What the page holds: the last rows the backend sent, what the user selected, the
// saves in progress, the settings and why querying is paused. The tasks' truth
// lives in Rust; this is the page's copy. No DOM, so `node --test` checks it.

import { newestFirst } from './filter.js';

/**
 * @typedef {import('./status.js').Row} Row
 * @typedef {{received: number, total: number | null, bytes_per_sec: number}} SaveProgress
 */

export function createStore() {
  return {
    /** @type {Map<string, Row>} */
    rows: new Map(),
    /** While only the newest rows are here (start-up), how many tasks there are in all. */
    expected: /** @type {number | null} */ (null),
    /** Until the last rows from the history are in (start-up): events note the
     *  tasks they change or remove in `touched`. */
    loading: true,
    /** Tasks changed or removed by events while rows were being fetched: the
     *  fetched copy of these is older than what the page has. */
    touched: /** @type {Set<string>} */ (new Set()),
    /** `rows` newest first; rebuilt only after the rows change, not on every keystroke. */
    sorted: /** @type {Row[] | null} */ (null),
    /** @type {Set<string>} */
    selected: new Set(),
    /** The row the last plain click selected; Shift-click extends from here. */
    anchorId: /** @type {string | null} */ (null),
    /** The rows on screen after filtering, in order. */
    shown: /** @type {Row[]} */ ([]),
    /** Running saves: task ID → last progress. */
    /** @type {Map<string, SaveProgress>} */
    saves: new Map(),
    /** The settings view from the backend; null until loaded. */
    settings: /** @type {any} */ (null),
    /** Why querying is paused (a rejected key), or null. */
    pauseReason: /** @type {any} */ (null),
    /** Which view shows the rows: 'list' or 'gallery'. */
    view: 'list',
    /** The takes picked for Compare (`C`), 2 to 4 of them to open it. */
    compared: /** @type {string[]} */ ([]),
    /** A task selected by name before its row was here (a paste's reply can come
     *  before the row's event): shown past any filter when the row arrives. */
    awaited: /** @type {string | null} */ (null),
  };
}

/** @typedef {ReturnType<typeof createStore>} Store */

/** @param {Store} store @param {Row[]} changed */
export function putRows(store, changed) {
  for (const row of changed) store.rows.set(row.id, row);
  store.sorted = null;
}

/**
 * Puts rows read from the history, except those events changed or removed since
 * start-up began (the page's copy of them is newer). After the `last` of them,
 * start-up is over.
 * @param {Store} store @param {Row[]} rows @param {boolean} last
 */
export function putLoaded(store, rows, last) {
  putRows(store, store.touched.size ? rows.filter((r) => !store.touched.has(r.id)) : rows);
  if (!last) return;
  store.touched.clear();
  store.loading = false;
  store.expected = null;
}

/**
 * Puts the read of every row that ends start-up. It replaces the rows: a row it
 * lacks was removed before it was read, perhaps with no event the page heard
 * (boot.js), unless an event has put it here since.
 * @param {Store} store @param {Row[]} rows
 */
export function putEveryRow(store, rows) {
  const read = new Set(rows.map((r) => r.id));
  removeRows(store, [...store.rows.keys()].filter((id) => !read.has(id) && !store.touched.has(id)));
  putLoaded(store, rows, true);
}

/** Notes tasks an event changed while rows are on their way. @param {Store} store @param {string[]} ids */
export function touch(store, ids) {
  if (store.loading) ids.forEach((id) => store.touched.add(id));
}

/** @param {Store} store @param {string[]} ids */
export function removeRows(store, ids) {
  for (const id of ids) {
    store.rows.delete(id);
    store.selected.delete(id);
    store.saves.delete(id);
  }
  store.sorted = null;
}

/** @param {Store} store */
export function sortedRows(store) {
  if (!store.sorted) {
    const rows = [...store.rows.values()];
    // The backend sends rows newest first, so they are usually in order already.
    store.sorted = rows.every((row, i) => i === 0 || newestFirst(rows[i - 1], row) <= 0) ? rows : rows.sort(newestFirst);
  }
  return store.sorted;
}

/** The one selected task, if exactly one is. @param {Store} store */
export function singleSelection(store) {
  return store.selected.size === 1 ? store.selected.values().next().value ?? null : null;
}

/**
 * Selects a row: alone, toggled (Ctrl), or a range from the anchor (Shift) within
 * the rows on screen.
 * @param {Store} store @param {string} id @param {{toggle: boolean, range: boolean}} how
 */
export function select(store, id, how = { toggle: false, range: false }) {
  const { shown, selected } = store;
  if (how.range && store.anchorId) {
    const a = shown.findIndex((r) => r.id === store.anchorId);
    const b = shown.findIndex((r) => r.id === id);
    if (a >= 0 && b >= 0) {
      selected.clear();
      shown.slice(Math.min(a, b), Math.max(a, b) + 1).forEach((r) => selected.add(r.id));
      return;
    }
  }
  if (how.toggle) {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
  } else {
    selected.clear();
    selected.add(id);
  }
  store.anchorId = id;
}

/**
 * The row one step up (-1) or down (+1) from the anchor among those on screen.
 * @param {Store} store @param {number} dir
 */
export function neighbour(store, dir) {
  const { shown } = store;
  if (shown.length === 0) return null;
  const index = store.anchorId ? shown.findIndex((r) => r.id === store.anchorId) : -1;
  return shown[Math.min(shown.length - 1, Math.max(0, index + dir))]?.id ?? null;
}

/** IDs of every task Paddock no longer asks about. @param {Store} store */
export function finishedIds(store) {
  return [...store.rows.values()].filter((r) => r.tracking !== 'active').map((r) => r.id);
}

/**
 * What decides whether the detail pane must be fetched again: the selection, and
 * the selected task's state and saved copy. A save's progress is not part of it.
 * @param {Store} store
 */
export function detailKey(store) {
  if (store.selected.size !== 1) return `multi:${[...store.selected].join(',')}`;
  const id = singleSelection(store);
  const row = id ? store.rows.get(id) : null;
  if (!row) return `one:${id ?? ''}`;
  return [
    row.id, row.status, row.raw_status, row.tracking, row.progress, row.checking, row.saved_path,
    row.video_url, row.video_expires_at, row.waiting, row.retry_at, row.error?.code, row.error?.message, row.error?.detail,
    (row.tags ?? []).join('\u0001'),
  ].join('|');
}
