// The backend's events, turned into store changes and redraws. boot.js subscribes
// before every row is read and hands the events here once the list has loaded (or failed to).

import * as api from './api.js';
import { t } from './i18n.js';
import * as store_ from './store.js';
import { showToast } from './shell-view.js';

/**
 * What each backend event does, as one `(name, payload)` handler for boot.js's `takeEvents`.
 * @param {import('./store.js').Store} store
 * @param {{renderRows: () => void, render: () => void, renderSelection: () => void,
 *   select: (id: string) => void, arrived: (id: string) => void, saveProgressed: (id: string) => void,
 *   pauseChanged: (reason: any) => void}} on
 */
export function backendEventHandler(store, on) {
  /** @type {Record<string, (payload: any) => void>} */
  const handlers = {
    'tasks-changed': (changed) => {
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
    },
    'tasks-removed': (ids) => {
      store_.touch(store, ids);
      store_.removeRows(store, ids);
      on.render();
    },
    'task-finished': (row) => showToast(t(row.status === 'succeeded' ? 'finished.succeeded' : 'finished.failed', { what: row.prompt || row.id })),
    // A clicked desktop notification: the window is up, show its task.
    'select-task': (id) => store.rows.has(id) && on.select(id),
    // Every save reports here, auto-saves included: progress and Cancel for all.
    'video-saving': ({ id, progress }) => {
      if (progress) store.saves.set(id, progress);
      else store.saves.delete(id);
      on.saveProgressed(id);
    },
    'poller-paused': (reason) => {
      store.pauseReason = reason;
      on.pauseChanged(reason);
    },
  };
  return (name, payload) => handlers[name]?.(payload);
}
