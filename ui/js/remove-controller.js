// Forgetting tasks from the window: nothing is removed without a yes, and the
// change comes back from the backend as removed rows.

import * as api from './api.js';
import { t } from './i18n.js';
import { errorText } from './status.js';
import * as store_ from './store.js';
import { confirm, showToast } from './shell-view.js';

/** @param {string[]} ids */
export function confirmRemove(ids) {
  if (ids.length === 0) return;
  const text = ids.length === 1 ? t('confirm.removeOne', { id: ids[0] }) : t('confirm.removeMany', { n: ids.length });
  confirm(text, async () => {
    try {
      showToast(t('list.removed', { n: await api.removeTasks(ids) }));
    } catch (error) {
      showToast(errorText(error));
    }
  });
}

/** Clear finished: every succeeded or failed task, after a yes. @param {import('./store.js').Store} store */
export function confirmClearFinished(store) {
  const finished = store_.finishedIds(store);
  if (finished.length === 0) showToast(t('list.nothingFinished'));
  else confirmRemove(finished);
}
