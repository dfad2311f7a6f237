// Saving a video from the window: ask where, download in Rust with progress on a
// channel, and keep the detail pane's save controls up to date.

import * as api from './api.js';
import { t } from './i18n.js';
import { errorText } from './status.js';
import * as store_ from './store.js';
import { renderSaveProgress } from './detail-view.js';
import { showToast } from './shell-view.js';

/**
 * @param {import('./store.js').Store} store
 * @param {() => any} handlers the detail pane's handlers (Save, Cancel, ...)
 */
export function createSaveController(store, handlers) {
  /** A save moved on: only the save controls are drawn again. @param {string} id */
  function progressed(id) {
    const row = store.rows.get(id);
    if (row && store_.singleSelection(store) === id) renderSaveProgress(row, store.saves.get(id) ?? null, handlers());
  }

  /** Asks where to save, then downloads. @param {string} id */
  async function save(id) {
    if (store.saves.has(id)) return;
    try {
      const destination = await api.chooseSavePath(id);
      if (!destination) return;
      store.saves.set(id, { received: 0, total: null, bytes_per_sec: 0 });
      progressed(id);
      await api.saveVideo(id, destination.token, (progress) => {
        store.saves.set(id, progress);
        progressed(id);
      });
      showToast(t('save.done'));
    } catch (error) {
      showToast(errorText(error));
    } finally {
      store.saves.delete(id);
      progressed(id);
    }
  }

  return { save, progressed };
}
