// The backend's events, turned into store changes and redraws. Subscribed once at
// start, before the history is read, so no change in between is missed.

import * as api from './api.js';
import { t } from './i18n.js';
import * as store_ from './store.js';
import { showToast } from './shell-view.js';

/**
 * Subscribes to every event at once (each subscription is a round trip).
 * @param {import('./store.js').Store} store
 * @param {{renderRows: () => void, render: () => void, renderSelection: () => void,
 *   select: (id: string) => void, arrived: (id: string) => void, saveProgressed: (id: string) => void,
 *   pauseChanged: (reason: any) => void}} on
 */
export function listenToBackend(store, on) {
  return Promise.all([
    api.onEvent('tasks-changed', (changed) => {
      store_.touch(store, changed.map((r) => r.id));
      store_.putRows(store, changed);
      const one = store_.singleSelection(store);
      // A task that finishes while the user is looking at it (not hidden in the tray) is seen.
      if (!document.hidden && changed.some((r) => r.unseen && r.id === one)) api.markSeen(one).catch(() => {});
      on.renderRows();
      if (changed.some((r) => store.selected.has(r.id))) on.renderSelection();
      const awaited = store.awaited;
      if (awaited && changed.some((r) => r.id === awaited)) {
        store.awaited = null;
        on.arrived(awaited);
      }
    }),
    api.onEvent('tasks-removed', (ids) => {
      store_.touch(store, ids);
      store_.removeRows(store, ids);
      on.render();
    }),
    api.onEvent('task-finished', (row) => showToast(t(row.status === 'succeeded' ? 'finished.succeeded' : 'finished.failed', { what: row.prompt || row.id }))),
    // A clicked desktop notification: the window is up, show its task.
    api.onEvent('select-task', (id) => store.rows.has(id) && on.select(id)),
    // Every save reports here, auto-saves included: progress and Cancel for all.
    api.onEvent('video-saving', ({ id, progress }) => {
      if (progress) store.saves.set(id, progress);
      else store.saves.delete(id);
      on.saveProgressed(id);
    }),
    api.onEvent('poller-paused', (reason) => {
      store.pauseReason = reason;
      on.pauseChanged(reason);
    }),
  ]);
}
